package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code metrics.discovery}: the dimensions, how many combine, the false discovery rate, the
 * minimum support, the values kept per dimension, the metrics, and the table and topic. Checked
 * against the inputs and the task by {@link DiscoveryValidation}.
 */
final class DiscoveryReader {

    private static final Pattern TABLE = Pattern.compile("[a-z0-9_]+");

    private DiscoveryReader() {}

    /** Disabled when left out, not a mapping, or {@code enabled: false}. */
    static DiscoverySpec read(ValueReader r, Obj metrics, String application) {
        Obj o = r.obj(metrics.optional("discovery"), metrics.child("discovery"));
        if (o == null) {
            return SpecDefaults.discovery();
        }
        Boolean enabled = r.bool(o, "enabled", SpecDefaults.DISCOVERY_ENABLED);
        List<String> dimensions =
                names(
                        r,
                        o.required(
                                "dimensions",
                                "expected a list of dimension names, e.g. [country,"
                                        + " model_version]"),
                        o.child("dimensions"));
        if (dimensions.isEmpty() && o.optional("dimensions") != null) {
            r.error(o.child("dimensions"), "empty — expected at least one dimension name");
        }
        Integer maxDimensions =
                r.integer(o, "max-dimensions", SpecDefaults.DISCOVERY_MAX_DIMENSIONS, 1, 4, false);
        Double q = r.bounded(o, "q", SpecDefaults.DISCOVERY_Q, 0, 1, true);
        Integer minSupport =
                r.integer(
                        o,
                        "min-support",
                        SpecDefaults.DISCOVERY_MIN_SUPPORT,
                        1,
                        Integer.MAX_VALUE,
                        false);
        Integer maxValues =
                r.integer(o, "max-values", SpecDefaults.DISCOVERY_MAX_VALUES, 1, 10_000, false);
        List<String> metricNames = names(r, o.optional("metrics"), o.child("metrics"));
        String table =
                r.stringMatching(
                        o,
                        "table",
                        SpecDefaults.discoveryTable(application),
                        TABLE,
                        "expected lower-case letters, digits and _");
        String topic = r.topic(o, "topic", SpecDefaults.discoveryTopic(application), false);
        o.finish();
        if (Boolean.FALSE.equals(enabled)) {
            return SpecDefaults.discovery();
        }
        return new DiscoverySpec(
                true,
                dimensions,
                ValueReader.nonNull(maxDimensions, SpecDefaults.DISCOVERY_MAX_DIMENSIONS),
                ValueReader.nonNull(q, SpecDefaults.DISCOVERY_Q),
                ValueReader.nonNull(minSupport, SpecDefaults.DISCOVERY_MIN_SUPPORT),
                ValueReader.nonNull(maxValues, SpecDefaults.DISCOVERY_MAX_VALUES),
                metricNames,
                table,
                topic);
    }

    /** A list of single names; an item that is not one stays as null, so indices match the file. */
    private static List<String> names(ValueReader r, Node node, String path) {
        List<String> names = new ArrayList<>();
        List<Node> items = r.list(node, path);
        for (int i = 0; i < items.size(); i++) {
            ValueReader.Scalar s = r.scalar(items.get(i), path + "[" + i + "]");
            names.add(s == null ? null : s.value());
        }
        return names;
    }
}
