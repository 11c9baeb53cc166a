package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/** Reads the {@code iceberg} section: the catalog, the namespace and the table names. */
final class IcebergReader {

    private static final Pattern NAMESPACE_PART = Pattern.compile("[a-z0-9_]+");
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)*");
    private static final Pattern TABLE = Pattern.compile("[a-z0-9_]+");

    private IcebergReader() {}

    static IcebergSpec read(ValueReader r, Node node, String path, String app) {
        Obj o = node == null ? null : r.obj(node, path);
        if (node != null && o == null) {
            return null;
        }
        TableNames defaults = SpecDefaults.tables(app);
        if (o == null) {
            return new IcebergSpec(
                    SpecDefaults.CATALOG_NAME,
                    SpecDefaults.catalog(),
                    SpecDefaults.NAMESPACE,
                    defaults);
        }
        String catalogName =
                r.stringMatching(
                        o,
                        "catalog-name",
                        SpecDefaults.CATALOG_NAME,
                        NAMESPACE_PART,
                        "expected lower-case letters, digits and _");
        Node catalogNode = o.optional("catalog");
        Map<String, String> catalog =
                catalogNode == null
                        ? SpecDefaults.catalog()
                        : r.stringMap(catalogNode, o.child("catalog"));
        String namespace =
                r.stringMatching(
                        o,
                        "namespace",
                        SpecDefaults.NAMESPACE,
                        NAMESPACE,
                        "expected lower-case letters, digits and _, levels separated by dots");
        TableNames tables = tables(r, o, defaults);
        o.finish();
        return new IcebergSpec(catalogName, catalog, namespace, tables);
    }

    /** {@code iceberg.tables}: each name given, or its default. */
    private static TableNames tables(ValueReader r, Obj iceberg, TableNames defaults) {
        Obj t = r.obj(iceberg.optional("tables"), iceberg.child("tables"));
        if (t == null) {
            return defaults;
        }
        TableNames tables =
                new TableNames(
                        table(r, t, "predictions", defaults.predictions()),
                        table(r, t, "outcomes", defaults.outcomes()),
                        table(r, t, "unmatched-feedback", defaults.unmatchedFeedback()),
                        table(r, t, "drift", defaults.drift()),
                        table(r, t, "metrics", defaults.metrics()),
                        table(r, t, "alerts", defaults.alerts()));
        t.finish();
        return tables;
    }

    private static String table(ValueReader r, Obj o, String key, String fallback) {
        return r.stringMatching(
                o, key, fallback, TABLE, "expected lower-case letters, digits and _");
    }
}
