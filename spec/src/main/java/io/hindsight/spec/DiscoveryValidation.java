package io.hindsight.spec;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cross-field checks of {@code metrics.discovery} and of alert rules with {@code source:
 * discovery}, reported through {@link SpecValidator}'s error sink with their paths.
 */
final class DiscoveryValidation {

    /** Where an error goes: path, then a {@link String#format} message. */
    interface Errors {
        void error(String path, String format, Object... args);
    }

    private DiscoveryValidation() {}

    /** The discovery metrics that fit a task (the first ones are its defaults). */
    static List<String> metricsFor(MetricsTask task) {
        return switch (task) {
            case BINARY_CLASSIFICATION -> List.of("error-rate", "auc");
            case MULTICLASS_CLASSIFICATION -> List.of("error-rate");
            case REGRESSION -> List.of("squared-error", "absolute-error");
            case RANKING, LLM_FEEDBACK -> List.of();
        };
    }

    static void check(JobSpec spec, Errors errors) {
        MetricsSpec metrics = spec.metrics();
        boolean on = metrics != null && metrics.enabled() && metrics.discovery().enabled();
        if (on) {
            section(spec, metrics, errors);
        }
        for (int i = 0; i < spec.alerts().size(); i++) {
            AlertRuleSpec rule = spec.alerts().get(i);
            if (rule.source() == AlertSource.DISCOVERY) {
                rule(rule, "alerts[" + i + "]", on ? metrics.discovery() : null, errors);
            }
        }
    }

    private static void section(JobSpec spec, MetricsSpec metrics, Errors errors) {
        DiscoverySpec d = metrics.discovery();
        String path = "metrics.discovery";
        MetricsTask task = metrics.task();
        if (task != null && metricsFor(task).isEmpty()) {
            errors.error(
                    path,
                    "slice discovery needs task binary-classification, multiclass-classification or"
                            + " regression, got '%s' — expected no discovery section",
                    SpecNames.yamlName(task));
        }
        Set<String> known = new LinkedHashSet<>();
        Map<String, FeatureType> types = new HashMap<>();
        PredictionInput p = spec.inputs() == null ? null : spec.inputs().predictions();
        if (p != null) {
            known.addAll(p.tags().keySet());
            for (FeatureSpec f : p.features()) {
                types.put(f.name(), f.type());
                if (f.type() == FeatureType.CATEGORICAL) {
                    known.add(f.name());
                }
            }
        }
        known.add("model_version");
        Set<String> seen = new LinkedHashSet<>();
        for (int j = 0; j < d.dimensions().size(); j++) {
            String dim = d.dimensions().get(j);
            String dimPath = path + ".dimensions[" + j + "]";
            if (dim == null) {
                continue; // the parser reported it
            }
            FeatureType type = types.get(dim);
            if (type != null && type != FeatureType.CATEGORICAL) {
                errors.error(
                        dimPath,
                        "feature '%s' is %s — expected a tag, categorical feature or"
                                + " model_version",
                        dim,
                        SpecNames.yamlName(type));
            } else if (!known.contains(dim)) {
                errors.error(
                        dimPath, "unknown field '%s' (known: %s)", dim, String.join(", ", known));
            } else if (!seen.add(dim)) {
                errors.error(dimPath, "duplicate dimension '%s' — list each once", dim);
            }
        }
        if (!d.dimensions().isEmpty() && d.maxDimensions() > d.dimensions().size()) {
            errors.error(
                    path + ".max-dimensions",
                    "%d is more than the %d dimensions listed — expected at most %d",
                    d.maxDimensions(),
                    d.dimensions().size(),
                    d.dimensions().size());
        }
        Set<String> listed = new LinkedHashSet<>();
        for (int j = 0; j < d.metrics().size(); j++) {
            String m = d.metrics().get(j);
            String mPath = path + ".metrics[" + j + "]";
            if (!DiscoverySpec.METRICS.contains(m)) {
                errors.error(
                        mPath,
                        "invalid value '%s' — expected one of: %s",
                        m,
                        String.join(", ", DiscoverySpec.METRICS));
            } else if (task != null
                    && !metricsFor(task).isEmpty()
                    && !metricsFor(task).contains(m)) {
                errors.error(
                        mPath,
                        "metric '%s' does not fit task '%s' — expected one of: %s",
                        m,
                        SpecNames.yamlName(task),
                        String.join(", ", metricsFor(task)));
            } else if (!listed.add(m)) {
                errors.error(mPath, "duplicate value '%s' — list each once", m);
            }
        }
    }

    private static void rule(AlertRuleSpec rule, String path, DiscoverySpec d, Errors errors) {
        if (d == null) {
            errors.error(
                    path + ".source",
                    "slice discovery is disabled — expected an enabled metrics.discovery section");
            return;
        }
        if (rule.condition() != null && rule.condition().type() != ConditionType.ABOVE) {
            errors.error(
                    path + ".condition",
                    "a discovery rule compares the effect (how much worse the slice is) —"
                            + " expected above");
        }
        if (!rule.slice().isEmpty()
                && (!d.dimensions().containsAll(rule.slice())
                        || Set.copyOf(rule.slice()).size() > d.maxDimensions())) {
            errors.error(
                    path + ".slice",
                    "slice %s is not a combination of at most %d of metrics.discovery.dimensions"
                            + " (%s) — expected such a list, or none for every discovered slice",
                    rule.slice(),
                    d.maxDimensions(),
                    String.join(", ", d.dimensions()));
        }
    }
}
