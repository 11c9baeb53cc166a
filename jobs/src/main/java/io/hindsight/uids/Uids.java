package io.hindsight.jobs;

/**
 * Stable operator ids of every stateful operator and sink, in one place: savepoints map state to
 * operators by these, so renaming one is a state migration (see state-migrations/). The ids of the
 * drift, slice-metrics and alert operators are in their pipelines ({@code DriftPipeline}, {@code
 * SliceMetricsPipeline}, {@code AlertPipeline}).
 */
public final class Uids {

    public static final String PREDICTIONS_SOURCE = "predictions-source";
    public static final String FEEDBACK_SOURCE = "feedback-source";
    public static final String PREDICTIONS_ROUTER = "predictions-dead-letter-router";
    public static final String FEEDBACK_ROUTER = "feedback-dead-letter-router";
    public static final String FEEDBACK_JOIN = "feedback-join";
    public static final String PREDICTIONS_TABLE = "predictions-table";
    public static final String OUTCOMES_TABLE = "outcomes-table";
    public static final String UNMATCHED_TABLE = "unmatched-feedback-table";
    public static final String OUTCOMES_TOPIC = "outcomes-topic";
    public static final String DEAD_LETTER_TOPIC = "dead-letter-topic";
    public static final String DRIFT_TABLE = "drift-table";
    public static final String DRIFT_TOPIC = "drift-topic";
    public static final String METRICS_TABLE = "metrics-table";
    public static final String METRICS_TOPIC = "metrics-topic";
    public static final String ALERTS_TABLE = "alerts-table";
    public static final String ALERTS_TOPIC = "alerts-topic";

    private Uids() {}
}
