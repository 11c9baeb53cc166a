package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the {@code drift} section: the window, the reference, the features watched, the sketch
 * sizes, the effect-size thresholds and the verdict's decision keys.
 */
final class DriftReader {

    private DriftReader() {}

    /** A disabled section when left out, not a mapping, or {@code enabled: false}. */
    static DriftSpec read(ValueReader r, Node node, String path, PredictionInput predictions) {
        if (node == null) {
            return SpecDefaults.drift();
        }
        Obj o = r.obj(node, path);
        if (o == null) {
            return SpecDefaults.drift();
        }
        Boolean enabled = r.bool(o, "enabled", SpecDefaults.DRIFT_ENABLED);
        Duration window = r.duration(o, "window", SpecDefaults.DRIFT_WINDOW);
        DriftReference reference = reference(r, o.optional("reference"), o.child("reference"));
        List<String> features = features(r, o, predictions);
        Boolean outputs = r.bool(o, "model-outputs", SpecDefaults.MODEL_OUTPUTS);
        Integer sketchK = r.integer(o, "sketch-k", SpecDefaults.SKETCH_K, 8, 65535, false);
        Integer maxCategories =
                r.integer(o, "max-categories", SpecDefaults.MAX_CATEGORIES, 2, 100_000, false);
        DriftThresholds thresholds = thresholds(r, o);
        DriftDecision decision = decision(r, o);
        o.finish();
        if (!Boolean.TRUE.equals(enabled)) {
            return SpecDefaults.drift();
        }
        return new DriftSpec(
                true,
                window,
                reference,
                features,
                !Boolean.FALSE.equals(outputs),
                ValueReader.nonNull(sketchK, SpecDefaults.SKETCH_K),
                ValueReader.nonNull(maxCategories, SpecDefaults.MAX_CATEGORIES),
                thresholds,
                decision);
    }

    /** {@code drift.thresholds}: each effect-size floor given, or its default. */
    private static DriftThresholds thresholds(ValueReader r, Obj drift) {
        DriftThresholds d = DriftThresholds.DEFAULTS;
        Obj t = r.obj(drift.optional("thresholds"), drift.child("thresholds"));
        if (t == null) {
            return d;
        }
        DriftThresholds thresholds =
                new DriftThresholds(
                        ValueReader.nonNull(
                                r.bounded(t, "jensen-shannon", d.jensenShannon(), 0, 1, false),
                                d.jensenShannon()),
                        ValueReader.nonNull(
                                r.bounded(t, "psi", d.psi(), 0, Double.MAX_VALUE, false), d.psi()),
                        ValueReader.nonNull(
                                r.bounded(
                                        t,
                                        "wasserstein",
                                        d.wasserstein(),
                                        0,
                                        Double.MAX_VALUE,
                                        false),
                                d.wasserstein()),
                        r.bounded(t, "p-value", null, 0, 1, true));
        t.finish();
        return thresholds;
    }

    /** The verdict's keys of the drift section: false-alarm rate, sizes and the rate rule. */
    private static DriftDecision decision(ValueReader r, Obj o) {
        DriftDecision d = DriftDecision.DEFAULTS;
        Double rate = r.bounded(o, "false-alarm-rate", d.falseAlarmRate(), 0, 0.5, true);
        Integer minValues = r.integer(o, "min-values", d.minValues(), 1, Integer.MAX_VALUE, false);
        Integer samples = r.integer(o, "null-samples", d.nullSamples(), 100, 100_000, false);
        DriftDecision.RateShift rateShift = rateShift(r, o);
        return new DriftDecision(
                ValueReader.nonNull(rate, d.falseAlarmRate()),
                ValueReader.nonNull(minValues, d.minValues()),
                ValueReader.nonNull(samples, d.nullSamples()),
                rateShift);
    }

    /** {@code drift.rate-shift}: the rate rule for low-rate categories. */
    private static DriftDecision.RateShift rateShift(ValueReader r, Obj drift) {
        DriftDecision.RateShift d = DriftDecision.RateShift.DEFAULTS;
        Obj s = r.obj(drift.optional("rate-shift"), drift.child("rate-shift"));
        if (s == null) {
            return d;
        }
        Boolean outputs = r.bool(s, "model-outputs", d.modelOutputs());
        List<String> features = r.scalarList(s.optional("features"), s.child("features"));
        Double maxShare = r.bounded(s, "max-share", d.maxShare(), 0, 1, true);
        Double change =
                r.bounded(
                        s,
                        "min-relative-change",
                        d.minRelativeChange(),
                        0,
                        Double.MAX_VALUE,
                        false);
        Integer minCount = r.integer(s, "min-count", d.minCount(), 1, Integer.MAX_VALUE, false);
        s.finish();
        return new DriftDecision.RateShift(
                !Boolean.FALSE.equals(outputs),
                features,
                ValueReader.nonNull(maxShare, d.maxShare()),
                ValueReader.nonNull(change, d.minRelativeChange()),
                ValueReader.nonNull(minCount, d.minCount()));
    }

    /** {@code drift.features}: {@code all} (the default) or a list of feature names. */
    private static List<String> features(ValueReader r, Obj o, PredictionInput predictions) {
        Node node = o.optional("features");
        List<String> declared = SpecDefaults.driftFeatures(predictions);
        if (node == null) {
            return declared;
        }
        String path = o.child("features");
        if (node instanceof ScalarNode) {
            ValueReader.Scalar s = r.scalar(node, path);
            if (s != null && !s.value().equals("all")) {
                r.error(
                        path,
                        "invalid value %s — expected all or a list of feature names",
                        s.shown());
            }
            return declared;
        }
        return r.scalarList(node, path);
    }

    private static DriftReference reference(ValueReader r, Node node, String path) {
        Obj o = r.obj(node, path);
        if (o == null) {
            return SpecDefaults.reference();
        }
        ReferenceType type =
                r.enumValue(o, "type", ReferenceType.class, SpecDefaults.REFERENCE_TYPE, false);
        Integer windows = r.integer(o, "windows", null, 1, 10_000, false);
        String file = r.string(o, "file", false, null);
        Instant from = r.instant(o, "from");
        Instant to = r.instant(o, "to");
        o.finish();
        if (type == null) {
            return null;
        }
        Map<String, Boolean> used = new LinkedHashMap<>();
        used.put("windows", windows != null);
        used.put("file", file != null);
        used.put("from", from != null || o.optional("from") != null);
        used.put("to", to != null || o.optional("to") != null);
        Set<String> allowed =
                switch (type) {
                    case ROLLING -> Set.of("windows");
                    case PROFILE -> Set.of("file");
                    case TABLE -> Set.of("from", "to");
                };
        for (Map.Entry<String, Boolean> e : used.entrySet()) {
            if (e.getValue() && !allowed.contains(e.getKey())) {
                r.error(
                        o.child(e.getKey()),
                        "not used with reference type '%s' — used with %s",
                        SpecNames.yamlName(type),
                        e.getKey().equals("windows")
                                ? "rolling"
                                : e.getKey().equals("file") ? "profile" : "table");
            }
        }
        return switch (type) {
            case ROLLING ->
                    DriftReference.rolling(
                            windows == null ? SpecDefaults.REFERENCE_WINDOWS : windows);
            case PROFILE -> {
                if (file == null && o.optional("file") == null) {
                    r.missing(o, "file", "expected the path of a profile file");
                }
                yield new DriftReference(
                        type, 0, file == null ? null : r.resolve(file), null, null);
            }
            case TABLE -> {
                if (o.optional("from") == null) {
                    r.missing(o, "from", "expected an ISO-8601 instant, e.g. 2026-01-01T00:00:00Z");
                }
                if (o.optional("to") == null) {
                    r.missing(o, "to", "expected an ISO-8601 instant, e.g. 2026-02-01T00:00:00Z");
                }
                yield new DriftReference(type, 0, null, from, to);
            }
        };
    }
}
