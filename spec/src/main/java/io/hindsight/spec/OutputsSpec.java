package io.hindsight.spec;

import java.io.Serializable;

/** The Kafka topics Hindsight publishes to. */
public record OutputsSpec(
        String outcomesTopic,
        String deadLetterTopic,
        String driftTopic,
        String metricsTopic,
        String alertsTopic)
        implements Serializable {

    /** {@code hindsight.<application>.outcomes} etc. */
    public static OutputsSpec defaults(String application) {
        String prefix = "hindsight." + application + ".";
        return new OutputsSpec(
                prefix + "outcomes",
                prefix + "dead-letter",
                prefix + "drift",
                prefix + "metrics",
                prefix + "alerts");
    }
}
