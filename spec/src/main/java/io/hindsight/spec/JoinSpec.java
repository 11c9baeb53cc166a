package io.hindsight.spec;

import java.io.Serializable;
import java.time.Duration;

/**
 * The feedback join: how long a prediction waits for feedback (event time), how long early feedback
 * is held for its prediction, how long expired keys still recognise late feedback, the watermark's
 * bounds, how far apart in event time the two sources may read, and how feedback events combine.
 *
 * <p>{@code maxSourceDrift}: Flink watermark alignment of the predictions and feedback sources; a
 * source whose watermark runs more than this ahead of the other's is paused. Zero: off.
 */
public record JoinSpec(
        Duration labelWindow,
        Duration earlyFeedbackHold,
        Duration lateFeedbackRetention,
        Duration outOfOrderness,
        Duration idleness,
        FeedbackPolicy policy,
        EndOfInput endOfInput,
        Duration maxSourceDrift)
        implements Serializable {

    /** The join without source alignment. */
    public JoinSpec(
            Duration labelWindow,
            Duration earlyFeedbackHold,
            Duration lateFeedbackRetention,
            Duration outOfOrderness,
            Duration idleness,
            FeedbackPolicy policy,
            EndOfInput endOfInput) {
        this(
                labelWindow,
                earlyFeedbackHold,
                lateFeedbackRetention,
                outOfOrderness,
                idleness,
                policy,
                endOfInput,
                Duration.ZERO);
    }
}
