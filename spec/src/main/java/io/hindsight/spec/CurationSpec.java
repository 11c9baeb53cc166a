package io.hindsight.spec;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * Curation rules (records selected into versioned Iceberg datasets) and retraining triggers (one
 * event each on {@code retrainTopic}). A spec without the section has {@link #disabled()}.
 */
public record CurationSpec(
        List<CurationRuleSpec> rules, List<RetrainTriggerSpec> retrain, String retrainTopic)
        implements Serializable {

    public CurationSpec {
        rules = Collections2.list(rules);
        retrain = Collections2.list(retrain);
    }

    public static CurationSpec disabled() {
        return new CurationSpec(List.of(), List.of(), null);
    }

    public boolean enabled() {
        return !rules.isEmpty() || !retrain.isEmpty();
    }

    public Optional<CurationRuleSpec> rule(String name) {
        return rules.stream().filter(r -> name.equals(r.name())).findFirst();
    }

    /** The table a rule writes to: {@code <app>_curated_<rule>}. */
    public static String tableName(String application, String rule) {
        return application.replace('-', '_') + "_curated_" + rule;
    }

    /** The retrain topic when the spec does not name one. */
    public static String defaultRetrainTopic(String application) {
        return "hindsight." + application + ".retrain";
    }
}
