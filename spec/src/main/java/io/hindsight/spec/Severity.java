package io.hindsight.spec;

/** The severity an alert is published with. */
public enum Severity {
    CRITICAL,
    WARNING,
    INFO
}
