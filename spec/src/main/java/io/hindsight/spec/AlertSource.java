package io.hindsight.spec;

/** What an alert rule watches. */
public enum AlertSource {
    METRICS,
    DRIFT
}
