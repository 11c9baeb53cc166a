package io.hindsight.drift;

import io.hindsight.spec.DriftDecision;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.HypergeometricDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The rate rule of a categorical target: each category whose reference share is at most {@code
 * max-share} is tested on its own with Fisher's exact test of the window's count against the
 * reference's, Bonferroni-corrected over those categories. A rare category's shift (3 % → 5 %
 * positive predictions) barely moves JS or PSI over all categories, but is plain in its own rate.
 */
final class RateShift {

    /** The category reported: the shifted one with the smallest p-value, else the smallest one. */
    record Result(
            String category,
            double windowRate,
            double referenceRate,
            double pValue,
            boolean shifted) {}

    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    private RateShift() {}

    /**
     * Tests the low-rate categories of {@code w} against {@code r} at family-wise level {@code
     * alpha}.
     *
     * @return the result, or null when no category qualifies for the test
     */
    static Result test(
            CategoryCounts w, CategoryCounts r, double alpha, DriftDecision.RateShift rule) {
        long n = w.values();
        long m = r.values();
        TreeMap<String, Long> reference = r.sorted();
        int candidates = 0;
        for (long y : reference.values()) {
            if (y / (double) m <= rule.maxShare()) {
                candidates++;
            }
        }
        if (candidates == 0) {
            return null;
        }
        double level = alpha / candidates;
        Result best = null;
        for (Map.Entry<String, Long> e : reference.entrySet()) {
            long y = e.getValue();
            double referenceRate = y / (double) m;
            if (referenceRate > rule.maxShare()) {
                continue;
            }
            long x = w.count(e.getKey());
            if (Math.max(x, n * referenceRate) < rule.minCount()) {
                continue;
            }
            double windowRate = x / (double) n;
            double p = twoSidedP(x, n, y, m);
            boolean shifted =
                    p < level
                            && Math.abs(windowRate / referenceRate - 1) >= rule.minRelativeChange();
            Result result = new Result(e.getKey(), windowRate, referenceRate, p, shifted);
            if (best == null
                    || (shifted && !best.shifted())
                    || (shifted == best.shifted() && p < best.pValue())) {
                best = result;
            }
        }
        return best;
    }

    /**
     * Two-sided p-value of {@code x} of {@code n} against {@code y} of {@code m} under equal rates:
     * Fisher's exact test (the hypergeometric law of x given x + y), doubled smaller tail; beyond
     * the int range of commons-math3's hypergeometric law, the pooled two-proportion z-test.
     */
    static double twoSidedP(long x, long n, long y, long m) {
        if (n + m <= Integer.MAX_VALUE) {
            HypergeometricDistribution h =
                    new HypergeometricDistribution(null, (int) (n + m), (int) (x + y), (int) n);
            double lower = h.cumulativeProbability((int) x);
            double upper = h.upperCumulativeProbability((int) x);
            return Math.min(1, 2 * Math.min(lower, upper));
        }
        double pooled = (x + y) / (double) (n + m);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n + 1.0 / m));
        if (se == 0) {
            return 1;
        }
        double z = Math.abs(x / (double) n - y / (double) m) / se;
        return Math.min(1, 2 * NORMAL.cumulativeProbability(-z));
    }
}
