package io.hindsight.join;

import io.hindsight.spec.FeedbackPolicy;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * The timing and policy of one application's feedback join, in milliseconds of event time.
 *
 * @param application the spec's {@code application}: every prediction the join reads carries it
 *     (the ingest mappers set it from the same spec), so state stores predictions without it
 * @param labelWindowMs how long a prediction waits for feedback after its own event time
 * @param earlyFeedbackHoldMs how long feedback without a prediction is held before it is orphan
 * @param lateFeedbackRetentionMs how long after the window ends a closed prediction is remembered,
 *     so that feedback arriving then is reported as late rather than orphan
 * @param policy how several feedback events combine
 */
public record JoinRules(
        String application,
        long labelWindowMs,
        long earlyFeedbackHoldMs,
        long lateFeedbackRetentionMs,
        FeedbackPolicy policy)
        implements Serializable {

    public JoinRules {
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(policy, "policy");
        if (labelWindowMs <= 0) {
            throw new IllegalArgumentException("label window must be positive: " + labelWindowMs);
        }
        if (earlyFeedbackHoldMs < 0 || lateFeedbackRetentionMs < 0) {
            throw new IllegalArgumentException("hold and retention must not be negative");
        }
    }

    public static JoinRules of(
            String application,
            Duration labelWindow,
            Duration earlyFeedbackHold,
            Duration lateFeedbackRetention,
            FeedbackPolicy policy) {
        return new JoinRules(
                application,
                labelWindow.toMillis(),
                earlyFeedbackHold.toMillis(),
                lateFeedbackRetention.toMillis(),
                policy);
    }
}
