package io.hindsight.spec;

import java.io.Serializable;
import java.time.Duration;

/**
 * The feedback join: how long a prediction waits for feedback (event time), how long early feedback
 * is held for its prediction, how long expired keys still recognise late feedback, the watermark's
 * bounds and how feedback events combine.
 */
public record JoinSpec(
        Duration labelWindow,
        Duration earlyFeedbackHold,
        Duration lateFeedbackRetention,
        Duration outOfOrderness,
        Duration idleness,
        FeedbackPolicy policy,
        EndOfInput endOfInput)
        implements Serializable {}
