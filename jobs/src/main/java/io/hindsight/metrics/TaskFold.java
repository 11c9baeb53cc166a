package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.MetricsTask;

/**
 * One task family's part of a {@link CohortAccumulator}: the sums, counts and histograms its
 * label-based metrics are built from. The accumulator keeps what every task needs (volume, label
 * coverage, delays) and hands each counting outcome row to its task's fold.
 */
sealed interface TaskFold permits BinaryFold, MulticlassFold, RegressionFold, RankingFold, LlmFold {

    /** What an outcome row was to the task's metrics. */
    enum Row {
        /** It counts: one more row of support. */
        SUPPORT,
        /** It was folded but adds no support (a later click of a ranking prediction). */
        FOLDED,
        /** It lacks what the task needs (a score, a label, the ranked items). */
        UNUSABLE
    }

    static TaskFold create(MetricsTask task, int calibrationBins) {
        return switch (task) {
            case BINARY_CLASSIFICATION -> new BinaryFold(calibrationBins);
            case MULTICLASS_CLASSIFICATION -> new MulticlassFold();
            case REGRESSION -> new RegressionFold();
            case RANKING -> new RankingFold();
            case LLM_FEEDBACK -> new LlmFold();
        };
    }

    /**
     * A prediction of the cohort (not a duplicate); {@code threshold} is the score at or above
     * which a binary classifier predicts positive. Only binary classification folds predictions.
     */
    default void addPrediction(Prediction p, double threshold) {}

    /**
     * A final outcome row that counts: LABELED ({@code labeled}), or EXPIRED counted as a negative.
     * {@code enters} is false for a later row of a prediction under policy {@code all}.
     */
    Row addOutcome(
            Outcome o,
            boolean labeled,
            boolean enters,
            SliceMetricsConfig config,
            double[] calibrationEdges);

    /** Adds another fold of the same task into this one. */
    void merge(TaskFold other);
}
