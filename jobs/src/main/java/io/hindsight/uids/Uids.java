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

    // Alerts.
    public static final String ALERTS_METRICS_ROUTER = "alerts-metrics-router";
    public static final String ALERTS_DRIFT_ROUTER = "alerts-drift-router";
    public static final String ALERTS_STATE = "alerts-state";

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
    public static final String ALERTS_TABLE = "alerts-table";
    public static final String ALERTS_TOPIC = "alerts-topic";

    // Iceberg table maintenance in the job, one stream per table. Iceberg's maintenance operators
    // take these as the suffix of their uids ("Trigger manager<id>", "lock-remover-<id>", ...);
    // each task's operators end in "<id>-<task>".
    public static final String PREDICTIONS_TABLE_MAINTENANCE = "predictions-table-maintenance";
    public static final String OUTCOMES_TABLE_MAINTENANCE = "outcomes-table-maintenance";
    public static final String UNMATCHED_FEEDBACK_TABLE_MAINTENANCE =
            "unmatched-feedback-table-maintenance";
    public static final String DRIFT_TABLE_MAINTENANCE = "drift-table-maintenance";
    public static final String METRICS_TABLE_MAINTENANCE = "metrics-table-maintenance";
    public static final String ALERTS_TABLE_MAINTENANCE = "alerts-table-maintenance";

    private Uids() {}
}
