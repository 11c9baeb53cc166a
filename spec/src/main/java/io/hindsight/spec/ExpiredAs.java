package io.hindsight.spec;

/** How a prediction whose label window ended without feedback counts in label-based metrics. */
public enum ExpiredAs {
    /** No feedback means the negative outcome (no chargeback, no click). */
    NEGATIVE,
    /** Left out of label-based metrics; it still counts in volume and label coverage. */
    EXCLUDED
}
