package io.hindsight.join;

import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.UnmatchedFeedback;
import io.hindsight.schemas.UnmatchedKind;
import io.hindsight.spec.FeedbackPolicy;
import java.time.Instant;

/**
 * The rows the feedback join emits, built from a prediction, its feedback and its {@link
 * JoinState}: outcome rows and unmatched-feedback rows. Which row is emitted when is the join's
 * business ({@link FeedbackJoinFunction}); what a row holds is decided here alone.
 */
final class JoinRows {

    private final FeedbackPolicy policy;
    private final String policyName;

    JoinRows(FeedbackPolicy policy) {
        this.policy = policy;
        this.policyName = policy.name().toLowerCase();
    }

    /** The unmatched-feedback row of {@code f}, resolved at {@code resolvedAt}. */
    UnmatchedFeedback unmatched(
            Feedback f, UnmatchedKind kind, JoinState s, String reason, long resolvedAt) {
        // Only late and extra feedback name their prediction's time: for the others, whether the
        // prediction was already there depends on arrival order, and rows must not.
        boolean known = kind == UnmatchedKind.LATE || kind == UnmatchedKind.EXTRA;
        return UnmatchedFeedback.newBuilder()
                .setApplication(f.getApplication())
                .setFeedbackId(f.getFeedbackId())
                .setPredictionId(f.getPredictionId())
                .setEventTime(f.getEventTime())
                .setLabel(f.getLabel())
                .setLabelClass(f.getLabelClass())
                .setAttributes(f.getAttributes())
                .setKind(kind)
                .setPredictionTime(known ? Instant.ofEpochMilli(s.predictionTime) : null)
                .setReason(reason)
                .setResolvedTime(Instant.ofEpochMilli(resolvedAt))
                .build();
    }

    /** The outcome row of prediction {@code p} as of {@code now}. */
    Outcome outcome(
            Prediction p,
            Feedback f,
            OutcomeStatus status,
            int revision,
            boolean isFinal,
            int feedbackCount,
            Double label,
            long now,
            JoinState s) {
        long predictionTime = p.getEventTime().toEpochMilli();
        boolean aggregate =
                policy == FeedbackPolicy.SUM
                        || policy == FeedbackPolicy.MEAN
                        || policy == FeedbackPolicy.COUNT;
        // The all-arguments constructor rather than Outcome.newBuilder(): one row per resolved
        // prediction, and the builder's per-field validation and set-flags cost ~5 % of the join
        // (profiled). Every non-null field of the schema is given a non-null value here.
        return new Outcome(
                p.getApplication(),
                p.getPredictionId(),
                p.getEventTime(),
                p.getModelName(),
                p.getModelVersion(),
                p.getScore(),
                p.getScores(),
                p.getPredictedClass(),
                p.getPredictedValue(),
                p.getRankedItems(),
                p.getOutputText(),
                p.getNumericFeatures(),
                p.getCategoricalFeatures(),
                p.getTags(),
                status,
                policyName,
                revision,
                isFinal,
                feedbackCount,
                f == null || aggregate ? null : f.getFeedbackId(),
                f == null ? null : f.getEventTime(),
                label,
                f == null ? null : f.getLabelClass(),
                s.firstFeedbackTime == Long.MIN_VALUE ? null : s.firstFeedbackTime - predictionTime,
                Instant.ofEpochMilli(now));
    }
}
