package io.hindsight.alerts;

import io.hindsight.spec.AlertCondition;
import io.hindsight.spec.AlertRuleSpec;
import io.hindsight.spec.AlertSource;
import io.hindsight.spec.ConditionType;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.Severity;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One alert rule of the spec, resolved against the rest of the spec into what the operators need:
 * the measure to read, the condition in numbers, and how long a quiet subject is remembered.
 */
final class AlertRule implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A drift subject not reported for this many drift windows (plus the baseline) is gone. */
    static final int DRIFT_QUIET_WINDOWS = 7;

    final String name;
    final Measure measure;
    final Severity severity;

    /** Metrics: the slice's dimension names (empty = the population); drift: empty. */
    final Set<String> sliceDimensions;

    /** Drift: the feature; metrics: null. */
    final String feature;

    final ConditionType type;

    /** ABOVE/BELOW: the bound; DROP: the fraction the value may fall below its baseline. */
    final double threshold;

    /** DROP: the baseline's length in ms; 0 otherwise. */
    final long baselineMs;

    final long minSupport;

    /** Drift only, opt in: the p-value must also be below it; NaN when not set. */
    final double maxPValue;

    /** A subject with no row for this long (event time) is forgotten. */
    final long retentionMs;

    private AlertRule(
            String name,
            Measure measure,
            Severity severity,
            Set<String> sliceDimensions,
            String feature,
            ConditionType type,
            double threshold,
            long baselineMs,
            long minSupport,
            double maxPValue,
            long retentionMs) {
        this.name = name;
        this.measure = measure;
        this.severity = severity;
        this.sliceDimensions = sliceDimensions;
        this.feature = feature;
        this.type = type;
        this.threshold = threshold;
        this.baselineMs = baselineMs;
        this.minSupport = minSupport;
        this.maxPValue = maxPValue;
        this.retentionMs = retentionMs;
    }

    /**
     * Resolves one rule of a validated spec. Fails with the rule's name on what a validated spec
     * cannot hold (no condition, a drop without baseline, a rule on a disabled section).
     */
    static AlertRule of(AlertRuleSpec spec, JobSpec job) {
        String name = Objects.requireNonNull(spec.name(), "alert rule without a name");
        AlertCondition condition = spec.condition();
        if (condition == null) {
            throw new IllegalArgumentException(
                    String.format(
                            "alert rule '%s' has no condition — validate the spec first", name));
        }
        long baselineMs = 0;
        if (condition.type() == ConditionType.DROP) {
            if (condition.baseline() == null || condition.baseline().isZero()) {
                throw new IllegalArgumentException(
                        String.format("alert rule '%s': a drop needs a baseline", name));
            }
            baselineMs = condition.baseline().toMillis();
        }
        Severity severity = spec.severity() == null ? Severity.WARNING : spec.severity();
        if (spec.source() == AlertSource.METRICS) {
            if (!job.metrics().enabled() || job.metrics().window() == null) {
                throw new IllegalArgumentException(
                        String.format("alert rule '%s' watches metrics, which are disabled", name));
            }
            Measure measure =
                    Measure.of(
                            Objects.requireNonNull(spec.metric(), "metric of " + name),
                            job.metrics().task());
            // A cohort is revised until its label window ends; after that long without a row the
            // slice is gone (and the baseline it would need is older still).
            long retention =
                    job.join().labelWindow().toMillis()
                            + job.metrics().window().toMillis()
                            + baselineMs;
            return new AlertRule(
                    name,
                    measure,
                    severity,
                    new TreeSet<>(spec.slice()),
                    null,
                    condition.type(),
                    condition.threshold(),
                    baselineMs,
                    spec.minSupport(),
                    Double.NaN,
                    retention);
        }
        if (spec.source() == AlertSource.DISCOVERY) {
            return discovery(spec, job, condition, severity);
        }
        if (!job.drift().enabled() || job.drift().window() == null) {
            throw new IllegalArgumentException(
                    String.format("alert rule '%s' watches drift, which is disabled", name));
        }
        Measure measure =
                Measure.of(Objects.requireNonNull(spec.statistic(), "statistic of " + name));
        long retention = DRIFT_QUIET_WINDOWS * job.drift().window().toMillis() + baselineMs;
        return new AlertRule(
                name,
                measure,
                severity,
                Set.of(),
                Objects.requireNonNull(spec.feature(), "feature of " + name),
                condition.type(),
                condition.threshold(),
                baselineMs,
                spec.minSupport(),
                spec.maxPValue() == null ? Double.NaN : spec.maxPValue(),
                retention);
    }

    /**
     * A rule on discovered slices: its condition is on the effect, its {@code p-value} bounds the
     * q-value, {@code slice} (if given) the dimensions. A slice's cohorts are tested until their
     * label window ends, so a subject with no row for that long is gone.
     */
    private static AlertRule discovery(
            AlertRuleSpec spec, JobSpec job, AlertCondition condition, Severity severity) {
        if (!job.metrics().enabled() || !job.metrics().discovery().enabled()) {
            throw new IllegalArgumentException(
                    String.format(
                            "alert rule '%s' watches discovered slices, but slice discovery is"
                                    + " disabled",
                            spec.name()));
        }
        return new AlertRule(
                spec.name(),
                Measure.DISCOVERY_EFFECT,
                severity,
                new TreeSet<>(spec.slice()),
                null,
                condition.type(),
                condition.threshold(),
                0,
                spec.minSupport(),
                spec.maxPValue() == null ? Double.NaN : spec.maxPValue(),
                job.join().labelWindow().toMillis() + job.metrics().window().toMillis());
    }

    boolean isDiscovery() {
        return measure.source() == Measure.Source.DISCOVERY;
    }

    boolean isDrop() {
        return type == ConditionType.DROP;
    }

    boolean isDrift() {
        return measure.source() == Measure.Source.DRIFT;
    }

    boolean requiresPValue() {
        return !Double.isNaN(maxPValue);
    }

    /**
     * The number a value is compared with: the bound, or for a drop {@code b − d·|b|} (= {@code
     * b·(1 − d)} for a positive baseline {@code b}; the absolute value keeps "fell by d" true for a
     * negative baseline such as a bias).
     */
    double bound(double baseline) {
        return isDrop() ? baseline - threshold * Math.abs(baseline) : threshold;
    }

    /**
     * The bound of an observation: for an {@code above} rule, never below the row's sampling-noise
     * threshold of the statistic, so that a drift rule pages where the size-aware verdict flags,
     * not on a small window's noise.
     */
    double bound(double baseline, double noiseThreshold) {
        double bound = bound(baseline);
        return type == ConditionType.ABOVE && !Double.isNaN(noiseThreshold)
                ? Math.max(bound, noiseThreshold)
                : bound;
    }

    /** Whether the condition holds for a value compared with {@code bound}. */
    boolean holds(double value, double bound, double pValue) {
        boolean effect =
                switch (type) {
                    case ABOVE -> value > bound;
                    case BELOW, DROP -> value < bound;
                };
        return effect && (!requiresPValue() || pValue < maxPValue);
    }

    /** The condition as the alert states it, e.g. "below 0.85", "drop 20% against ...". */
    String conditionText(double baseline) {
        String text =
                switch (type) {
                    case ABOVE -> "above " + AlertText.number(threshold);
                    case BELOW -> "below " + AlertText.number(threshold);
                    case DROP ->
                            String.format(
                                    Locale.ROOT,
                                    "drop %s against the %s baseline %s",
                                    AlertText.percent(threshold),
                                    AlertText.duration(Duration.ofMillis(baselineMs)),
                                    AlertText.number(baseline));
                };
        return requiresPValue()
                ? text
                        + (isDiscovery() ? " with q-value below " : " with p-value below ")
                        + AlertText.number(maxPValue)
                : text;
    }

    /** The slice dimensions as the spec lists them (sorted; the order does not matter). */
    List<String> sliceDimensionList() {
        return List.copyOf(sliceDimensions);
    }
}
