package io.hindsight.drift;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The sampling-noise thresholds of the deciding drift statistics (JS, PSI, W1/σ) for a window of n
 * values against a reference of m values: the values that a window drawn from the reference's own
 * distribution exceeds, any of them, with probability at most α. Computed by Monte Carlo from the
 * reference (its quantiles at equally spaced ranks, or its category counts) with a fixed seed, each
 * replicate scored by the same formulas as a real window ({@link DriftStatistics}). No library
 * gives the null distribution of PSI, JS or W1 on weighted sketch items at a finite n, and the
 * asymptotic ones (χ² for PSI, Kolmogorov for KS) are far off at n = 50 over 10 bins.
 */
final class NullThresholds {

    /**
     * Windows larger than this are simulated at this size and the thresholds scaled by the
     * statistics' asymptotic rates: their noise thresholds are then already below the default
     * floors, and a replicate of a million draws would cost seconds per window.
     */
    static final int MAX_SIMULATED = 1000;

    /** Confidence over the Monte Carlo that the realized false-alarm rate is at most α. */
    static final double CONFIDENCE = 0.95;

    /**
     * Equally weighted points that stand for a numeric reference in the simulation: its quantiles
     * at ranks (j + ½) / POINTS. Their CDF is within 1/(2·POINTS) = 0.0002 of the sketch's, far
     * below a simulated window's own CDF noise (~1/√1000 = 0.03).
     */
    static final int POINTS = 2048;

    /** Noise thresholds; {@code wasserstein} is NaN when it does not apply. */
    record Thresholds(double jensenShannon, double psi, double wasserstein) {}

    private NullThresholds() {}

    /**
     * The thresholds of a numeric window of {@code n} values against reference sketch {@code r}.
     *
     * @param referenceStd the reference's σ (W1 is normalized by it); W1 is left out unless
     *     positive and finite
     */
    static Thresholds numeric(
            KllDoublesSketch r, double referenceStd, long n, double alpha, int samples, long seed) {
        // The reference's distribution as POINTS equally weighted quantiles: a draw is one uniform
        // index (no search), and W1 is a walk over POINTS steps, whatever the sketch's size.
        double[] ranks = new double[POINTS];
        for (int j = 0; j < POINTS; j++) {
            ranks[j] = (j + 0.5) / POINTS;
        }
        double[] items = r.getQuantiles(ranks, QuantileSearchCriteria.INCLUSIVE);
        long total = r.getN();
        double[] edges = DriftStatistics.binEdges(r);
        double[] rMass = DriftStatistics.binMasses(r, edges);
        double[] rCounts = new double[rMass.length];
        for (int b = 0; b < rMass.length; b++) {
            rCounts[b] = rMass[b] * total;
        }
        int[] binOf = new int[items.length];
        for (int j = 0; j < items.length; j++) {
            int bin = 0;
            while (bin < edges.length && edges[bin] < items[j]) {
                bin++;
            }
            binOf[j] = bin;
        }
        boolean w1 = referenceStd > 0 && Double.isFinite(referenceStd);
        int simulated = (int) Math.min(n, MAX_SIMULATED);
        SplittableRandom random = new SplittableRandom(seed);
        double[][] stats = new double[w1 ? 3 : 2][samples];
        int[] counts = new int[items.length];
        double[] binCounts = new double[rMass.length];
        double[] binShares = new double[rMass.length];
        for (int i = 0; i < samples; i++) {
            Arrays.fill(counts, 0);
            for (int k = 0; k < simulated; k++) {
                counts[random.nextInt(POINTS)]++;
            }
            Arrays.fill(binCounts, 0);
            for (int j = 0; j < items.length; j++) {
                binCounts[binOf[j]] += counts[j];
            }
            for (int b = 0; b < binCounts.length; b++) {
                binShares[b] = binCounts[b] / simulated;
            }
            stats[0][i] = DriftStatistics.jensenShannon(binShares, rMass);
            stats[1][i] = DriftStatistics.psi(binCounts, rCounts);
            if (w1) {
                // The window's values are reference points, so both CDFs step only there.
                double distance = 0;
                long below = 0;
                for (int j = 0; j + 1 < items.length; j++) {
                    below += counts[j];
                    double gap = items[j + 1] - items[j];
                    distance +=
                            Math.abs(below / (double) simulated - (j + 1) / (double) POINTS) * gap;
                }
                stats[2][i] = distance / referenceStd;
            }
        }
        double[] t = joint(stats, alpha);
        return scaled(t, n, simulated, total, w1);
    }

    /**
     * The thresholds of a categorical window of {@code n} values against the reference's category
     * counts {@code referenceCounts} (named categories and {@code other}, in one fixed order).
     */
    static Thresholds categorical(
            long[] referenceCounts, long n, double alpha, int samples, long seed) {
        int c = referenceCounts.length;
        long[] cumulative = new long[c];
        long total = 0;
        double[] rCounts = new double[c];
        for (int j = 0; j < c; j++) {
            total += referenceCounts[j];
            cumulative[j] = total;
            rCounts[j] = referenceCounts[j];
        }
        double[] rShares = new double[c];
        for (int j = 0; j < c; j++) {
            rShares[j] = rCounts[j] / total;
        }
        int simulated = (int) Math.min(n, MAX_SIMULATED);
        SplittableRandom random = new SplittableRandom(seed);
        double[][] stats = new double[2][samples];
        double[] counts = new double[c];
        double[] shares = new double[c];
        for (int i = 0; i < samples; i++) {
            Arrays.fill(counts, 0);
            for (int k = 0; k < simulated; k++) {
                counts[itemAt(cumulative, random.nextLong(total))]++;
            }
            for (int j = 0; j < c; j++) {
                shares[j] = counts[j] / simulated;
            }
            stats[0][i] = DriftStatistics.jensenShannon(shares, rShares);
            stats[1][i] = DriftStatistics.psi(counts, rCounts);
        }
        double[] t = joint(stats, alpha);
        return scaled(t, n, simulated, total, false);
    }

    /**
     * How many replicates may lie above the thresholds: the largest c with P(Binomial(B, α) ≤ c) ≤
     * 1 − {@link #CONFIDENCE}, so that with that confidence the thresholds' true exceedance
     * probability is at most α; 0 when even c = 0 does not reach it (too few replicates: the
     * validator asks for B·α ≥ 3).
     */
    static int allowedAbove(int samples, double alpha) {
        BinomialDistribution binomial = new BinomialDistribution(null, samples, alpha);
        int c = 0;
        while (c + 1 < samples && binomial.cumulativeProbability(c + 1) <= 1 - CONFIDENCE) {
            c++;
        }
        return c;
    }

    /**
     * Joint thresholds over the statistics: each replicate's score is the highest of its ranks
     * among each statistic's values; the thresholds are the values at the rank that at most {@link
     * #allowedAbove} replicates' scores exceed. A replicate then exceeds some threshold exactly
     * when its score exceeds that rank, so the union of the statistics is calibrated, not each
     * alone.
     */
    static double[] joint(double[][] stats, double alpha) {
        int samples = stats[0].length;
        double[][] sorted = new double[stats.length][];
        for (int s = 0; s < stats.length; s++) {
            sorted[s] = stats[s].clone();
            Arrays.sort(sorted[s]);
        }
        int[] score = new int[samples];
        for (int i = 0; i < samples; i++) {
            int highest = 0;
            for (int s = 0; s < stats.length; s++) {
                highest = Math.max(highest, rankAtMost(sorted[s], stats[s][i]));
            }
            score[i] = highest;
        }
        Arrays.sort(score);
        int rank = score[samples - 1 - allowedAbove(samples, alpha)];
        double[] t = new double[stats.length];
        for (int s = 0; s < stats.length; s++) {
            t[s] = sorted[s][rank - 1];
        }
        return t;
    }

    /** Thresholds at {@code n} against {@code m} from those simulated at {@code simulated}. */
    private static Thresholds scaled(double[] t, long n, int simulated, long m, boolean w1) {
        double size = simulated / (double) n;
        double reference = 1 + n / (double) m;
        return new Thresholds(
                t[0] * Math.sqrt(size * reference),
                t[1] * size * reference,
                w1 ? t[2] * Math.sqrt(size * reference) : Double.NaN);
    }

    /** How many of the sorted values are at most {@code x} (1-based rank of x's last tie). */
    private static int rankAtMost(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The first index whose cumulative weight exceeds {@code u} (u in [0, total)). */
    private static int itemAt(long[] cumulative, long u) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
