package io.hindsight.spec;

/** What an alert rule watches. */
public enum AlertSource {
    METRICS,
    DRIFT,
    /** Discovered slices ({@code metrics.discovery}): the condition is on the effect. */
    DISCOVERY
}
