package io.hindsight.alerts;

/**
 * The alert state of one (application, rule, subject): whether it fires and which cohort window it
 * was last judged on. A Flink POJO, kept in RocksDB by {@link AlertStateFunction}.
 */
public final class AlertSubjectState {

    /** No window judged yet. */
    public static final long NONE = Long.MIN_VALUE;

    public boolean firing;

    /** Event time of the FIRING change; {@link #NONE} while not firing. */
    public long firingSince = NONE;

    /** The judged window: the newest window a row was judged on. */
    public long windowStart = NONE;

    public long windowEnd = NONE;
    public int revision;

    /** The number the judged row was compared with (for a drop it moves with the baseline). */
    public double bound = Double.NaN;

    /** The judged row's condition text, for the RESOLVED of an expiry. */
    public String condition;

    /**
     * The rule's severity, source and measure as published, kept so that a rule removed from the
     * spec (after an upgrade from a savepoint) still resolves with them.
     */
    public String severity;

    public String source;
    public String measure;

    /** The latest event time of any row of the subject. */
    public long lastEventTime = NONE;

    /** The registered expiry timer; {@link #NONE} when none. */
    public long expiryTimer = NONE;

    public AlertSubjectState() {}

    boolean judged() {
        return windowStart != NONE;
    }
}
