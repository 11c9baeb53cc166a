package io.hindsight.spec;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * Slice metrics over cohort windows of prediction time. {@code slices} are lists of dimension names
 * (tags, categorical features, {@code model_version}); the whole population is always reported as
 * well. {@code estimation} applies to the {@code estimated-*} and {@code *-delta} metrics of binary
 * classification.
 */
public record MetricsSpec(
        boolean enabled,
        MetricsTask task,
        Duration window,
        List<List<String>> slices,
        List<MetricName> metrics,
        double positiveThreshold,
        int k,
        ExpiredAs expiredAs,
        int calibrationBins,
        EstimationSpec estimation)
        implements Serializable {

    /** A section with the default {@link EstimationSpec}. */
    public MetricsSpec(
            boolean enabled,
            MetricsTask task,
            Duration window,
            List<List<String>> slices,
            List<MetricName> metrics,
            double positiveThreshold,
            int k,
            ExpiredAs expiredAs,
            int calibrationBins) {
        this(
                enabled,
                task,
                window,
                slices,
                metrics,
                positiveThreshold,
                k,
                expiredAs,
                calibrationBins,
                EstimationSpec.DEFAULTS);
    }

    public MetricsSpec {
        estimation = estimation == null ? EstimationSpec.DEFAULTS : estimation;
        slices =
                slices == null
                        ? List.of()
                        : Collections2.list(slices.stream().map(Collections2::list).toList());
        metrics = Collections2.list(metrics);
    }

    /** This section with another cohort window, everything else as it is. */
    public MetricsSpec withWindow(Duration window) {
        return new MetricsSpec(
                enabled,
                task,
                window,
                slices,
                metrics,
                positiveThreshold,
                k,
                expiredAs,
                calibrationBins,
                estimation);
    }

    /** What a spec without a {@code metrics} section gets. */
    public static MetricsSpec disabled() {
        return new MetricsSpec(false, null, null, List.of(), List.of(), 0, 0, null, 0);
    }
}
