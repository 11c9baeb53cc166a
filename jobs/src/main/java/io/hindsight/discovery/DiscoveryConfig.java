package io.hindsight.discovery;

import io.hindsight.spec.DiscoverySpec;
import io.hindsight.spec.ExpiredAs;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.MetricsSpec;
import io.hindsight.spec.MetricsTask;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What slice discovery needs from the spec, in milliseconds and plain collections.
 *
 * @param windowMs the cohort window (metrics.window)
 * @param labelWindowMs the join's label window: a cohort is final this long after its end
 * @param dimensions the discovery dimensions, in the spec's order
 * @param maxDimensions slices combine up to this many dimensions
 * @param q the false discovery rate controlled per cohort revision (Benjamini–Hochberg)
 * @param minSupport labelled rows a slice, and its rest, need to be tested
 * @param maxValues values kept per dimension and cohort; the others fold into "other"
 * @param expiredNegative an EXPIRED outcome counts as label 0 (binary, expired-as: negative)
 */
public record DiscoveryConfig(
        String application,
        MetricsTask task,
        long windowMs,
        long labelWindowMs,
        List<String> dimensions,
        int maxDimensions,
        double q,
        long minSupport,
        int maxValues,
        List<DiscoveryMetric> metrics,
        double positiveThreshold,
        boolean expiredNegative)
        implements Serializable {

    public DiscoveryConfig {
        if (windowMs <= 0 || labelWindowMs <= 0) {
            throw new IllegalArgumentException(
                    "windows must be positive, got " + windowMs + " and " + labelWindowMs);
        }
        if (dimensions.isEmpty() || maxDimensions < 1 || maxValues < 1 || minSupport < 1) {
            throw new IllegalArgumentException(
                    "discovery needs dimensions, max-dimensions, max-values and min-support >= 1");
        }
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("q must lie in (0, 1), got " + q);
        }
        for (DiscoveryMetric m : metrics) {
            if (!m.fits(task)) {
                throw new IllegalArgumentException(m.specName() + " does not fit task " + task);
            }
        }
        dimensions = List.copyOf(dimensions);
        metrics = List.copyOf(metrics.isEmpty() ? DiscoveryMetric.defaults(task) : metrics);
    }

    /** The configuration of an enabled {@code metrics.discovery} section. */
    public static DiscoveryConfig of(JobSpec spec) {
        MetricsSpec m = spec.metrics();
        DiscoverySpec d = m.discovery();
        if (!m.enabled() || !d.enabled()) {
            throw new IllegalArgumentException(
                    "slice discovery is disabled in the spec of '"
                            + spec.application()
                            + "'; attach it only when enabled");
        }
        List<DiscoveryMetric> metrics = new ArrayList<>();
        for (String name : d.metrics()) {
            metrics.add(DiscoveryMetric.of(name));
        }
        return new DiscoveryConfig(
                spec.application(),
                m.task(),
                m.window().toMillis(),
                spec.join().labelWindow().toMillis(),
                d.dimensions(),
                d.maxDimensions(),
                d.q(),
                d.minSupport(),
                d.maxValues(),
                metrics,
                m.positiveThreshold(),
                m.expiredAs() == ExpiredAs.NEGATIVE);
    }

    /** The start of the cohort window holding an event time (windows aligned to the epoch). */
    long windowStart(long time) {
        return time - Math.floorMod(time, windowMs);
    }

    boolean tests(DiscoveryMetric metric) {
        return metrics.contains(metric);
    }

    /**
     * Every combination of 1 to {@code maxDimensions} dimensions, as ascending index arrays: first
     * all singles, then all pairs, ... each in lexicographic order.
     */
    List<int[]> combinations() {
        List<int[]> out = new ArrayList<>();
        int d = dimensions.size();
        for (int size = 1; size <= Math.min(maxDimensions, d); size++) {
            int[] c = new int[size];
            for (int i = 0; i < size; i++) {
                c[i] = i;
            }
            while (true) {
                out.add(c.clone());
                int i = size - 1;
                while (i >= 0 && c[i] == d - size + i) {
                    i--;
                }
                if (i < 0) {
                    break;
                }
                c[i]++;
                for (int j = i + 1; j < size; j++) {
                    c[j] = c[j - 1] + 1;
                }
            }
        }
        return out;
    }
}
