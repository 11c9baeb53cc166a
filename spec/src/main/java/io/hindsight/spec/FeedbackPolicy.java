package io.hindsight.spec;

/** How several feedback events for one prediction combine into its outcome. */
public enum FeedbackPolicy {
    /** The earliest feedback (by event time) decides; later ones are kept as superseded. */
    FIRST,
    /** Each new feedback replaces the previous one until the label window ends. */
    LAST,
    /** Every feedback event is kept; the outcome carries all of them (e.g. clicks). */
    ALL,
    MAX,
    MIN,
    MEAN,
    SUM,
    /** The label is the number of feedback events. */
    COUNT;

    /** Whether this policy computes a number from the feedback labels. */
    public boolean aggregatesLabels() {
        return this == MAX || this == MIN || this == MEAN || this == SUM;
    }
}
