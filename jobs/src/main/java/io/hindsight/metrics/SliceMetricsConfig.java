package io.hindsight.metrics;

import io.hindsight.spec.EstimationSpec;
import io.hindsight.spec.ExpiredAs;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.MetricName;
import io.hindsight.spec.MetricsSpec;
import io.hindsight.spec.MetricsTask;
import java.io.Serializable;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What the slice-metrics operators need from the spec, in milliseconds and plain collections.
 *
 * @param labelWindowMs the join's label window: a cohort is final this long after its end
 */
public record SliceMetricsConfig(
        String application,
        MetricsTask task,
        long windowMs,
        long labelWindowMs,
        List<List<String>> slices,
        Set<MetricName> metrics,
        double positiveThreshold,
        int k,
        ExpiredAs expiredAs,
        int calibrationBins,
        EstimationSpec estimation)
        implements Serializable {

    /** A configuration with the default {@link EstimationSpec}. */
    public SliceMetricsConfig(
            String application,
            MetricsTask task,
            long windowMs,
            long labelWindowMs,
            List<List<String>> slices,
            Set<MetricName> metrics,
            double positiveThreshold,
            int k,
            ExpiredAs expiredAs,
            int calibrationBins) {
        this(
                application,
                task,
                windowMs,
                labelWindowMs,
                slices,
                metrics,
                positiveThreshold,
                k,
                expiredAs,
                calibrationBins,
                EstimationSpec.DEFAULTS);
    }

    public SliceMetricsConfig {
        estimation = estimation == null ? EstimationSpec.DEFAULTS : estimation;
        if (windowMs <= 0) {
            throw new IllegalArgumentException("metrics window must be positive, got " + windowMs);
        }
        if (labelWindowMs <= 0) {
            throw new IllegalArgumentException(
                    "label window must be positive, got " + labelWindowMs);
        }
        if (calibrationBins < 1) {
            throw new IllegalArgumentException(
                    "calibration bins must be at least 1, got " + calibrationBins);
        }
        slices = List.copyOf(slices.stream().map(List::copyOf).toList());
        metrics = metrics.isEmpty() ? EnumSet.noneOf(MetricName.class) : EnumSet.copyOf(metrics);
    }

    /** The configuration of an enabled {@code metrics} section. */
    public static SliceMetricsConfig of(JobSpec spec) {
        MetricsSpec m = spec.metrics();
        if (m == null || !m.enabled()) {
            throw new IllegalArgumentException("metrics are disabled in the spec");
        }
        return new SliceMetricsConfig(
                spec.application(),
                m.task(),
                m.window().toMillis(),
                spec.join().labelWindow().toMillis(),
                m.slices(),
                m.metrics().isEmpty() ? Set.of() : EnumSet.copyOf(m.metrics()),
                m.positiveThreshold(),
                m.k(),
                m.expiredAs(),
                m.calibrationBins(),
                m.estimation());
    }

    boolean wants(MetricName metric) {
        return metrics.contains(metric);
    }

    /** Whether any CBPE column is asked for (binary classification only). */
    boolean estimates() {
        return task == MetricsTask.BINARY_CLASSIFICATION
                && metrics.stream().anyMatch(MetricsTask.ESTIMATION::contains);
    }

    /** Whether an EXPIRED outcome counts as a negative (binary: label 0; ranking: no click). */
    boolean expiredCountsAsNegative() {
        return expiredAs == ExpiredAs.NEGATIVE
                && (task == MetricsTask.BINARY_CLASSIFICATION || task == MetricsTask.RANKING);
    }

    /** The start of the cohort window holding an event time (windows aligned to the epoch). */
    long windowStart(long time) {
        return time - Math.floorMod(time, windowMs);
    }
}
