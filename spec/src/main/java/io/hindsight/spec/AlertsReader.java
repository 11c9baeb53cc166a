package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the {@code alerts} section: a list of rules over metrics or drift, each with its condition;
 * an effect-size drift rule without one takes its {@code drift.thresholds} value.
 */
final class AlertsReader {

    private static final Pattern ALERT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    private AlertsReader() {}

    static List<AlertRuleSpec> read(ValueReader r, Node node, String path, DriftSpec drift) {
        List<AlertRuleSpec> rules = new ArrayList<>();
        List<Node> items = r.list(node, path);
        for (int i = 0; i < items.size(); i++) {
            AlertRuleSpec rule = rule(r, items.get(i), path + "[" + i + "]", drift);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }

    private static AlertRuleSpec rule(ValueReader r, Node node, String path, DriftSpec drift) {
        Obj o = r.obj(node, path);
        if (o == null) {
            return null;
        }
        String name = r.string(o, "name", true, "expected a name, e.g. auc-drop");
        if (name != null && !ALERT_NAME.matcher(name).matches()) {
            r.error(
                    o.child("name"),
                    "invalid name %s — expected lower-case letters, digits, _ and -",
                    r.shown(o.child("name"), name));
            name = null;
        }
        AlertSource source = r.enumValue(o, "source", AlertSource.class, null, true);
        MetricName metric = r.enumValue(o, "metric", MetricName.class, null, false);
        String feature = r.string(o, "feature", false, null);
        DriftStatistic statistic =
                r.enumValue(
                        o,
                        "statistic",
                        DriftStatistic.class,
                        SpecDefaults.statistic(source),
                        false);
        List<String> slice = r.scalarList(o.optional("slice"), o.child("slice"));
        AlertCondition condition = condition(r, o.optional("condition"), o.child("condition"));
        Integer minSupport =
                r.integer(o, "min-support", SpecDefaults.MIN_SUPPORT, 1, Integer.MAX_VALUE, false);
        Severity severity =
                r.enumValue(o, "severity", Severity.class, SpecDefaults.SEVERITY, false);
        Double pValue = r.bounded(o, "p-value", null, 0, 1, true);
        o.finish();
        if (source == AlertSource.METRICS && metric == null && o.optional("metric") == null) {
            r.missing(o, "metric", "expected a metric name, e.g. auc");
        }
        if (source == AlertSource.DRIFT && feature == null && o.optional("feature") == null) {
            r.missing(o, "feature", "expected a feature or model output name, e.g. score");
        }
        if (source != null) {
            List<String> foreign =
                    source == AlertSource.METRICS
                            ? List.of("feature", "statistic", "p-value")
                            : List.of("metric", "slice");
            for (String key : foreign) {
                if (o.optional(key) != null) {
                    r.error(
                            o.child(key),
                            "only used with source %s — expected no %s with source %s",
                            source == AlertSource.METRICS ? "drift" : "metrics",
                            key,
                            SpecNames.yamlName(source));
                }
            }
        }
        if (condition == null && o.optional("condition") == null) {
            condition = SpecDefaults.condition(source, statistic, drift).orElse(null);
        }
        if (condition == null && o.optional("condition") == null && source != null) {
            boolean defaults =
                    source == AlertSource.DRIFT && statistic != null && statistic.effectSize();
            if (!defaults) {
                r.missing(
                        o,
                        "condition",
                        source == AlertSource.DRIFT
                                ? "expected above, below or drop (only jensen-shannon, psi and"
                                        + " wasserstein default to drift.thresholds)"
                                : "expected above, below or drop");
            }
        }
        return new AlertRuleSpec(
                name,
                source,
                metric,
                feature,
                source == AlertSource.DRIFT ? statistic : null,
                slice,
                condition,
                ValueReader.nonNull(minSupport, SpecDefaults.MIN_SUPPORT),
                severity,
                pValue);
    }

    /** {@code alerts[i].condition}: exactly one of above, below, drop (with its baseline). */
    private static AlertCondition condition(ValueReader r, Node node, String path) {
        Obj o = r.obj(node, path);
        if (o == null) {
            return null;
        }
        Double above = r.number(o, "above", null);
        Double below = r.number(o, "below", null);
        Double drop = r.bounded(o, "drop", null, 0, 1, false);
        Duration baseline = r.duration(o, "baseline", null);
        o.finish();
        int given =
                (o.optional("above") != null ? 1 : 0)
                        + (o.optional("below") != null ? 1 : 0)
                        + (o.optional("drop") != null ? 1 : 0);
        if (given != 1) {
            r.error(
                    path,
                    ValueReader.line(node),
                    "%s — expected exactly one of above, below, drop",
                    given == 0 ? "no condition given" : "conflicting conditions");
            return null;
        }
        if (o.optional("drop") != null) {
            if (o.optional("baseline") == null) {
                r.missing(
                        o, "baseline", "expected the window the drop is measured against, e.g. 7d");
            }
            return drop == null ? null : new AlertCondition(ConditionType.DROP, drop, baseline);
        }
        if (o.optional("baseline") != null) {
            r.error(
                    o.child("baseline"),
                    "only used with drop — expected no baseline with above or below");
        }
        if (above != null) {
            return new AlertCondition(ConditionType.ABOVE, above, null);
        }
        return below == null ? null : new AlertCondition(ConditionType.BELOW, below, null);
    }
}
