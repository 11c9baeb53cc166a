package io.hindsight.spec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The cross-field rules of the {@code curation} section: unique names, slice and stratification
 * dimensions the predictions declare, and triggers that name an existing alert rule or curation
 * rule (a dataset trigger counts labels, so its rule must select outcomes).
 */
final class CurationValidator {

    private final JobSpec spec;
    private final SourceInfo source;
    private final List<SpecError> errors = new ArrayList<>();

    private CurationValidator(JobSpec spec, SourceInfo source) {
        this.spec = spec;
        this.source = source;
    }

    static List<SpecError> check(JobSpec spec, SourceInfo source) {
        CurationValidator v = new CurationValidator(spec, source);
        v.rules();
        v.triggers();
        return v.errors;
    }

    private void rules() {
        Set<String> known = dimensions();
        Set<String> names = new HashSet<>();
        List<CurationRuleSpec> rules = spec.curation().rules();
        for (int i = 0; i < rules.size(); i++) {
            CurationRuleSpec rule = rules.get(i);
            String path = "curation.rules[" + i + "]";
            if (rule.name() != null && !names.add(rule.name())) {
                error(
                        path + ".name",
                        "duplicate rule name '%s' — expected unique names",
                        rule.name());
            }
            for (String dim : rule.slice().keySet()) {
                if (!known.contains(dim)) {
                    error(
                            path + ".select.slice." + dim,
                            "unknown field '%s' (known: %s)",
                            dim,
                            String.join(", ", known));
                }
            }
            if (rule.stratifyBy() != null && !known.contains(rule.stratifyBy())) {
                error(
                        path + ".stratify-by",
                        "unknown field '%s' (known: %s)",
                        rule.stratifyBy(),
                        String.join(", ", known));
            }
            Set<String> strata = new HashSet<>();
            for (int j = 0; j < rule.strata().size(); j++) {
                if (!strata.add(rule.strata().get(j))) {
                    error(
                            path + ".strata[" + j + "]",
                            "duplicate value '%s' — list each once",
                            rule.strata().get(j));
                }
            }
        }
    }

    private void triggers() {
        Set<String> alerts = new LinkedHashSet<>();
        spec.alerts().forEach(a -> alerts.add(a.name()));
        Set<String> rules = new LinkedHashSet<>();
        spec.curation().rules().forEach(r -> rules.add(r.name()));
        Set<String> names = new HashSet<>();
        List<RetrainTriggerSpec> triggers = spec.curation().retrain();
        for (int i = 0; i < triggers.size(); i++) {
            RetrainTriggerSpec t = triggers.get(i);
            String path = "curation.retrain[" + i + "]";
            if (t.name() != null && !names.add(t.name())) {
                error(
                        path + ".name",
                        "duplicate trigger name '%s' — expected unique names",
                        t.name());
            }
            if (t.alert() != null && !alerts.contains(t.alert())) {
                error(
                        path + ".when.alert",
                        "unknown alert rule '%s' (known: %s)",
                        t.alert(),
                        alerts.isEmpty() ? "none in alerts" : String.join(", ", alerts));
            }
            if (t.dataset() != null) {
                if (!rules.contains(t.dataset())) {
                    unknownRule(path + ".when.dataset", t.dataset(), rules);
                } else if (spec.curation().rule(t.dataset()).get().source()
                        == CurationSource.PREDICTIONS) {
                    error(
                            path + ".when.dataset",
                            "curation rule '%s' selects predictions, which carry no labels —"
                                    + " expected a rule with from: outcomes",
                            t.dataset());
                }
            }
            if (t.trainOn() != null
                    && !t.trainOn().equals(t.dataset())
                    && !rules.contains(t.trainOn())) {
                unknownRule(path + ".train-on", t.trainOn(), rules);
            }
        }
    }

    private void unknownRule(String path, String name, Set<String> rules) {
        error(
                path,
                "unknown curation rule '%s' (known: %s)",
                name,
                rules.isEmpty() ? "none in curation.rules" : String.join(", ", rules));
    }

    /** Tags, categorical features and model_version, as slices of the metrics know them. */
    private Set<String> dimensions() {
        Set<String> known = new LinkedHashSet<>();
        PredictionInput p = spec.inputs() == null ? null : spec.inputs().predictions();
        if (p != null) {
            known.addAll(p.tags().keySet());
            for (FeatureSpec feature : p.features()) {
                if (feature.type() == FeatureType.CATEGORICAL) {
                    known.add(feature.name());
                }
            }
        }
        known.add("model_version");
        return known;
    }

    private void error(String path, String format, Object... args) {
        errors.add(new SpecError(path, source.lineOf(path), String.format(format, args)));
    }
}
