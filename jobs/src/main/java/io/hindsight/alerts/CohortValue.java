package io.hindsight.alerts;

/**
 * The latest revision of one window's value, kept for the drop baseline of later windows. A Flink
 * POJO, the value of {@link AlertStateFunction#HISTORY} keyed by window start.
 */
public final class CohortValue {

    public long windowEnd;
    public int revision;

    /** NaN when the revision has no value. */
    public double value;

    public long support;

    public CohortValue() {}

    CohortValue(long windowEnd, int revision, double value, long support) {
        this.windowEnd = windowEnd;
        this.revision = revision;
        this.value = value;
        this.support = support;
    }
}
