package io.hindsight.alerts;

import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What one rule sees in one row: the value of its measure for one subject in one window. A Flink
 * POJO (public no-arg constructor, public fields), so it crosses the keyBy without Kryo.
 */
public final class RuleObservation {

    public static final TypeInformation<RuleObservation> TYPE_INFO =
            TypeInformation.of(RuleObservation.class);

    /** {@code application \0 rule \0 subject}: the alert state's key. */
    public String key;

    public String application;
    public String rule;

    /** Metrics: the slice ({@code *}, {@code country=BR}); drift: the feature. */
    public String subject;

    public long windowStart;
    public long windowEnd;

    /** The row's revision (drift rows: 1). */
    public int revision;

    /** Event time the row reflects: a slice metric's {@code as_of}, a drift row's window end. */
    public long eventTime;

    /** The measure's value; NaN when the row has none. */
    public double value;

    /** The drift test's p-value; NaN when absent or not a drift row. */
    public double pValue;

    /** The count compared with the rule's {@code min-support}. */
    public long support;

    /**
     * Drift rows: the row's sampling-noise threshold of the rule's statistic ({@code
     * DriftResult.noise_thresholds}), which raises an {@code above} bound on a small window; NaN
     * when the row has none or the rule is not on an effect size.
     */
    public double noiseThreshold = Double.NaN;

    public RuleObservation() {}

    static String key(String application, String rule, String subject) {
        return application + '\u0000' + rule + '\u0000' + subject;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RuleObservation other)) {
            return false;
        }
        return Objects.equals(key, other.key)
                && Objects.equals(application, other.application)
                && Objects.equals(rule, other.rule)
                && Objects.equals(subject, other.subject)
                && windowStart == other.windowStart
                && windowEnd == other.windowEnd
                && revision == other.revision
                && eventTime == other.eventTime
                && Double.compare(value, other.value) == 0
                && Double.compare(pValue, other.pValue) == 0
                && support == other.support;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, windowStart, revision);
    }

    @Override
    public String toString() {
        return String.format(
                "RuleObservation{%s/%s/%s window=[%d,%d) rev=%d t=%d value=%s p=%s support=%d}",
                application,
                rule,
                subject,
                windowStart,
                windowEnd,
                revision,
                eventTime,
                value,
                pValue,
                support);
    }
}
