package io.hindsight.spec;

import java.util.EnumSet;
import java.util.Set;

/** The kind of model being monitored; it decides which metrics and feedback policies apply. */
public enum MetricsTask {
    BINARY_CLASSIFICATION(
            EnumSet.of(
                    MetricName.ACCURACY,
                    MetricName.PRECISION,
                    MetricName.RECALL,
                    MetricName.F1,
                    MetricName.AUC,
                    MetricName.LOG_LOSS,
                    MetricName.CALIBRATION_ERROR,
                    MetricName.SCORE_MEAN,
                    MetricName.CONFUSION_MATRIX,
                    MetricName.FALSE_POSITIVE_RATE,
                    MetricName.BRIER_SCORE,
                    MetricName.BASE_RATE,
                    MetricName.PREDICTED_POSITIVE_RATE,
                    MetricName.ESTIMATED_ACCURACY,
                    MetricName.ESTIMATED_PRECISION,
                    MetricName.ESTIMATED_RECALL,
                    MetricName.ESTIMATED_F1,
                    MetricName.ESTIMATED_AUC,
                    MetricName.ACCURACY_DELTA,
                    MetricName.PRECISION_DELTA,
                    MetricName.RECALL_DELTA,
                    MetricName.F1_DELTA,
                    MetricName.AUC_DELTA),
            EnumSet.of(
                    FeedbackPolicy.FIRST,
                    FeedbackPolicy.LAST,
                    FeedbackPolicy.MAX,
                    FeedbackPolicy.MIN)),
    MULTICLASS_CLASSIFICATION(
            EnumSet.of(
                    MetricName.ACCURACY,
                    MetricName.PRECISION,
                    MetricName.RECALL,
                    MetricName.F1,
                    MetricName.AUC,
                    MetricName.LOG_LOSS,
                    MetricName.FALSE_POSITIVE_RATE,
                    MetricName.BRIER_SCORE),
            EnumSet.of(FeedbackPolicy.FIRST, FeedbackPolicy.LAST)),
    REGRESSION(
            EnumSet.of(MetricName.MAE, MetricName.RMSE, MetricName.MAPE, MetricName.BIAS),
            EnumSet.complementOf(EnumSet.of(FeedbackPolicy.ALL))),
    RANKING(
            EnumSet.of(MetricName.CTR, MetricName.PRECISION_AT_K),
            EnumSet.of(FeedbackPolicy.FIRST, FeedbackPolicy.LAST, FeedbackPolicy.ALL)),
    LLM_FEEDBACK(
            EnumSet.of(MetricName.THUMBS_UP_RATE, MetricName.SCORE_MEAN),
            EnumSet.of(
                    FeedbackPolicy.FIRST,
                    FeedbackPolicy.LAST,
                    FeedbackPolicy.MAX,
                    FeedbackPolicy.MIN,
                    FeedbackPolicy.MEAN));

    /** Metrics every task reports: they need no particular prediction or label. */
    public static final Set<MetricName> COMMON =
            EnumSet.of(
                    MetricName.COUNT,
                    MetricName.LABEL_COVERAGE,
                    MetricName.LABEL_DELAY,
                    MetricName.LABEL_DELAY_P99);

    /** Metrics that need class scores under multiclass classification. */
    public static final Set<MetricName> NEED_CLASS_SCORES =
            EnumSet.of(MetricName.AUC, MetricName.LOG_LOSS, MetricName.BRIER_SCORE);

    /** The metrics of confidence-based performance estimation (binary classification). */
    public static final Set<MetricName> ESTIMATION =
            EnumSet.of(
                    MetricName.ESTIMATED_ACCURACY,
                    MetricName.ESTIMATED_PRECISION,
                    MetricName.ESTIMATED_RECALL,
                    MetricName.ESTIMATED_F1,
                    MetricName.ESTIMATED_AUC,
                    MetricName.ACCURACY_DELTA,
                    MetricName.PRECISION_DELTA,
                    MetricName.RECALL_DELTA,
                    MetricName.F1_DELTA,
                    MetricName.AUC_DELTA);

    private final Set<MetricName> specific;
    private final Set<FeedbackPolicy> policies;

    MetricsTask(Set<MetricName> specific, Set<FeedbackPolicy> policies) {
        this.specific = specific;
        this.policies = policies;
    }

    /** The metrics valid for this task, in declaration order. */
    public Set<MetricName> allowedMetrics() {
        EnumSet<MetricName> all = EnumSet.copyOf(specific);
        all.addAll(COMMON);
        return all;
    }

    /** The feedback policies that give this task the one label per prediction it needs. */
    public Set<FeedbackPolicy> allowedPolicies() {
        return EnumSet.copyOf(policies);
    }
}
