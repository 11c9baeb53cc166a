package io.hindsight.spec;

/** The test an alert rule applies to a value. */
public enum ConditionType {
    /** Fires when the value is above the threshold. */
    ABOVE,
    /** Fires when the value is below the threshold. */
    BELOW,
    /** Fires when the value fell by more than the threshold (a fraction) below its baseline. */
    DROP
}
