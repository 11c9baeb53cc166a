package io.hindsight.spec;

import java.io.Serializable;
import java.time.Duration;

/**
 * The two input topics. An event time more than {@code maxEventTimeLag} before, or more than {@code
 * maxEventTimeLead} after, its Kafka record timestamp is absurd and goes to dead letters.
 */
public record InputsSpec(
        PredictionInput predictions,
        FeedbackInput feedback,
        Duration maxEventTimeLag,
        Duration maxEventTimeLead)
        implements Serializable {}
