package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import org.yaml.snakeyaml.nodes.Node;

/** Reads the {@code outputs} section: the topics Hindsight publishes to. */
final class OutputsReader {

    private OutputsReader() {}

    static OutputsSpec read(ValueReader r, Node node, String path, String app) {
        OutputsSpec defaults = SpecDefaults.outputs(app);
        if (node == null) {
            return defaults;
        }
        Obj o = r.obj(node, path);
        if (o == null) {
            return null;
        }
        OutputsSpec outputs =
                new OutputsSpec(
                        r.topic(o, "outcomes-topic", defaults.outcomesTopic(), false),
                        r.topic(o, "dead-letter-topic", defaults.deadLetterTopic(), false),
                        r.topic(o, "drift-topic", defaults.driftTopic(), false),
                        r.topic(o, "metrics-topic", defaults.metricsTopic(), false),
                        r.topic(o, "alerts-topic", defaults.alertsTopic(), false));
        o.finish();
        return outputs;
    }
}
