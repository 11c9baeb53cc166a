package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/** Reads the {@code kafka} section: the cluster, client properties and the schema registry. */
final class KafkaReader {

    private KafkaReader() {}

    static KafkaSpec read(ValueReader r, Node node, String path, String app) {
        Obj o = r.obj(node, path);
        if (o == null) {
            return null;
        }
        String bootstrap =
                r.string(o, "bootstrap-servers", true, "expected host:port[,host:port...]");
        String groupId = r.string(o, "group-id", false, null);
        Map<String, String> properties =
                r.stringMap(o.optional("properties"), o.child("properties"));
        SchemaRegistrySpec registry = registry(r, o);
        o.finish();
        return new KafkaSpec(
                bootstrap,
                groupId == null ? SpecDefaults.groupId(app) : groupId,
                properties,
                registry);
    }

    /** {@code kafka.schema-registry}, or null when the block is left out. */
    private static SchemaRegistrySpec registry(ValueReader r, Obj kafka) {
        Obj o = r.obj(kafka.optional("schema-registry"), kafka.child("schema-registry"));
        if (o == null) {
            return null;
        }
        SchemaRegistrySpec registry =
                new SchemaRegistrySpec(
                        r.string(o, "url", true, "expected a URL, e.g. http://registry:8081"),
                        r.string(o, "username", false, null),
                        r.string(o, "password", false, null),
                        r.stringMap(o.optional("properties"), o.child("properties")));
        o.finish();
        return registry;
    }
}
