package io.hindsight.discovery;

import io.hindsight.metrics.Bins;
import io.hindsight.metrics.SparseHistogram;
import org.apache.commons.math3.distribution.HypergeometricDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The one-sided tests of "the slice is worse than the rest of its cohort", one per metric, on the
 * counts of two disjoint groups. Distributions from Apache Commons Math.
 */
final class SliceTests {

    /** Fisher's exact test replaces the z-test when an expected count of the 2×2 table is below. */
    static final double MIN_EXPECTED = 5;

    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1, 1e-9);

    private SliceTests() {}

    /** A test's outcome; {@code statistic} is NaN for Fisher's exact test. */
    record Result(
            String test,
            double sliceValue,
            double restValue,
            double effect,
            double statistic,
            double pValue) {}

    /**
     * Error rates x1/n1 (slice) against x2/n2 (rest): the pooled two-proportion z-test, upper tail;
     * Fisher's exact test (hypergeometric upper tail P(X ≥ x1)) when an expected cell count is
     * below {@link #MIN_EXPECTED}.
     */
    static Result errorRate(long x1, long n1, long x2, long n2) {
        double p1 = (double) x1 / n1;
        double p2 = (double) x2 / n2;
        long n = n1 + n2;
        long k = x1 + x2;
        // The smallest of the four expected counts of the 2×2 table.
        double minExpected = Math.min(k, n - k) * (double) Math.min(n1, n2) / n;
        if (minExpected < MIN_EXPECTED) {
            return new Result(
                    "fisher-exact", p1, p2, p1 - p2, Double.NaN, fisherUpper(x1, n1, k, n));
        }
        double pooled = (double) k / n;
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        double z = (p1 - p2) / se;
        return new Result("two-proportion-z", p1, p2, p1 - p2, z, upperNormal(z));
    }

    /** P(X ≥ x) for X hypergeometric: n1 draws from n rows of which k are errors. */
    static double fisherUpper(long x, long n1, long k, long n) {
        HypergeometricDistribution h =
                new HypergeometricDistribution(
                        null, Math.toIntExact(n), Math.toIntExact(k), Math.toIntExact(n1));
        return Math.min(1, Math.max(0, h.upperCumulativeProbability(Math.toIntExact(x))));
    }

    /**
     * AUC of the slice against the rest's: z = (AUC_rest − AUC_slice) / √(V_slice + V_rest), each V
     * the Hanley–McNeil (1982) variance of an AUC from its positives and negatives; upper tail.
     * Null when a group lacks a class.
     */
    static Result auc(
            SparseHistogram slicePos,
            SparseHistogram sliceNeg,
            SparseHistogram restPos,
            SparseHistogram restNeg) {
        Double a1 = Bins.auc(slicePos, sliceNeg);
        Double a2 = Bins.auc(restPos, restNeg);
        if (a1 == null || a2 == null) {
            return null;
        }
        double v =
                hanleyMcNeil(a1, slicePos.total(), sliceNeg.total())
                        + hanleyMcNeil(a2, restPos.total(), restNeg.total());
        double effect = a2 - a1;
        double z = v > 0 ? effect / Math.sqrt(v) : effect > 0 ? Double.POSITIVE_INFINITY : 0;
        return new Result("hanley-mcneil-z", a1, a2, effect, z, upperNormal(z));
    }

    /**
     * Hanley & McNeil's variance of an AUC A from n1 positives and n2 negatives: (A(1 − A) + (n1 −
     * 1)(Q1 − A²) + (n2 − 1)(Q2 − A²)) / (n1 n2), Q1 = A/(2 − A), Q2 = 2A²/(1 + A).
     */
    static double hanleyMcNeil(double a, long n1, long n2) {
        double q1 = a / (2 - a);
        double q2 = 2 * a * a / (1 + a);
        return (a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n2 - 1) * (q2 - a * a))
                / ((double) n1 * n2);
    }

    /**
     * Mean loss of the slice against the rest's from (n, Σx, Σx²) of each: Welch's t-test with the
     * Welch–Satterthwaite degrees of freedom, upper tail. Null when a group has fewer than 2 rows.
     */
    static Result welch(long n1, double sum1, double sumSq1, long n2, double sum2, double sumSq2) {
        if (n1 < 2 || n2 < 2) {
            return null;
        }
        double m1 = sum1 / n1;
        double m2 = sum2 / n2;
        double v1 = Math.max(0, (sumSq1 - n1 * m1 * m1) / (n1 - 1)) / n1;
        double v2 = Math.max(0, (sumSq2 - n2 * m2 * m2) / (n2 - 1)) / n2;
        double effect = m1 - m2;
        if (v1 + v2 == 0) {
            return new Result("welch-t", m1, m2, effect, Double.NaN, effect > 0 ? 0 : 1);
        }
        double t = effect / Math.sqrt(v1 + v2);
        double df = (v1 + v2) * (v1 + v2) / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1));
        double p = new TDistribution(null, df, 1e-9).cumulativeProbability(-t);
        return new Result("welch-t", m1, m2, effect, t, p);
    }

    /** P(Z ≥ z), computed as Φ(−z) so that small tails keep their digits. */
    static double upperNormal(double z) {
        return NORMAL.cumulativeProbability(-z);
    }
}
