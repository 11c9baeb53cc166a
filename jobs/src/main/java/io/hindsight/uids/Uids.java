package io.hindsight.uids;

/**
 * Stable operator ids of every stateful operator and sink of the job, in one place: savepoints map
 * state to operators by these, so changing one is a state migration (see state-migrations/). The
 * values are those of the first release and never change; {@code UidsTest} pins each word for word,
 * and a savepoint bootstrapped under them restores into the current graph ({@code
 * UidCompatibilityTest} in state-migrations).
 *
 * <p>One naming scheme: a constant is its uid in upper snake case ({@code PREDICTIONS_SOURCE} is
 * {@code "predictions-source"}), grouped by stage. A sink's id is a prefix: {@code IcebergSinks}
 * derives {@code <id>-to-rowdata} for the conversion and {@code <id>-iceberg} as the Iceberg sink's
 * uid suffix; a Kafka sink uses it as is.
 *
 * <p>This package depends on nothing, so that the operator packages (join, drift, metrics, alerts)
 * and the wiring in {@code io.hindsight.jobs} all take their ids from here without an import cycle.
 */
public final class Uids {

    // The join and its inputs.
    public static final String PREDICTIONS_SOURCE = "predictions-source";
    public static final String FEEDBACK_SOURCE = "feedback-source";
    public static final String PREDICTIONS_DEAD_LETTER_ROUTER = "predictions-dead-letter-router";
    public static final String FEEDBACK_DEAD_LETTER_ROUTER = "feedback-dead-letter-router";
    public static final String FEEDBACK_JOIN = "feedback-join";

    // Drift.
    public static final String DRIFT_PRE_AGGREGATE = "drift-pre-aggregate";
    public static final String DRIFT_MERGE = "drift-merge";

    // Slice metrics.
    public static final String SLICE_METRICS_PREDICTIONS_IN = "slice-metrics-predictions-in";
    public static final String SLICE_METRICS_OUTCOMES_IN = "slice-metrics-outcomes-in";
    public static final String SLICE_METRICS_PRE_AGGREGATE = "slice-metrics-pre-aggregate";
    public static final String SLICE_METRICS_PRE_AGGREGATE_OUTCOMES =
            "slice-metrics-pre-aggregate-outcomes";
    public static final String SLICE_METRICS_MERGE = "slice-metrics-merge";

    // Slice discovery.
    public static final String SLICE_DISCOVERY_PRE_AGGREGATE = "slice-discovery-pre-aggregate";
    public static final String SLICE_DISCOVERY_MERGE = "slice-discovery-merge";

    // Alerts.
    public static final String ALERTS_METRICS_ROUTER = "alerts-metrics-router";
    public static final String ALERTS_DRIFT_ROUTER = "alerts-drift-router";
    public static final String ALERTS_DISCOVERY_ROUTER = "alerts-discovery-router";
    public static final String ALERTS_STATE = "alerts-state";

    // Curation and retraining triggers.
    public static final String CURATION_PREDICTIONS_IN = "curation-predictions-in";
    public static final String CURATION_OUTCOMES_IN = "curation-outcomes-in";
    public static final String CURATION_SELECT = "curation-select";
    public static final String CURATION_TAGS = "curation-tags";
    public static final String RETRAIN_ALERTS_ROUTER = "retrain-alerts-router";
    public static final String RETRAIN_DATASETS_ROUTER = "retrain-datasets-router";
    public static final String RETRAIN_TRIGGERS = "retrain-triggers";

    // Sinks (ids of Iceberg sinks are prefixes, see above).
    public static final String PREDICTIONS_TABLE = "predictions-table";
    public static final String OUTCOMES_TABLE = "outcomes-table";
    public static final String UNMATCHED_FEEDBACK_TABLE = "unmatched-feedback-table";
    public static final String OUTCOMES_TOPIC = "outcomes-topic";
    public static final String DEAD_LETTER_TOPIC = "dead-letter-topic";
    public static final String DRIFT_TABLE = "drift-table";
    public static final String DRIFT_TOPIC = "drift-topic";
    public static final String METRICS_TABLE = "metrics-table";
    public static final String METRICS_TOPIC = "metrics-topic";
    public static final String DISCOVERED_SLICES_TABLE = "discovered-slices-table";
    public static final String DISCOVERED_SLICES_TOPIC = "discovered-slices-topic";
    public static final String ALERTS_TABLE = "alerts-table";
    public static final String ALERTS_TOPIC = "alerts-topic";

    /** A prefix: each rule's table sink is {@code curated-table-<rule>}. */
    public static final String CURATED_TABLE = "curated-table";

    public static final String RETRAIN_TOPIC = "retrain-topic";

    /**
     * Iceberg table maintenance in the job, one stream per table: {@code <role>-table-maintenance}
     * with the role's underscores as dashes ({@code predictions-table-maintenance}, {@code
     * curated-wrong-br-table-maintenance}); roles as in {@code TableMaintenanceStreams.tables}.
     * Iceberg's maintenance operators take it as the suffix of their uids ("Trigger manager<id>",
     * "lock-remover-<id>", ...); each task's operators end in "<id>-<task>".
     */
    public static String tableMaintenance(String role) {
        return role.replace('_', '-') + "-table-maintenance";
    }

    private Uids() {}
}
