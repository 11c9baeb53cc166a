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

    /** Replicates whose W1 walks run side by side. */
    private static final int LANES = 4;

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
        int simulated = (int) Math.min(n, MAX_SIMULATED);
        double[][] stats = numericReplicates(r, referenceStd, simulated, samples, seed);
        return scaled(joint(stats, alpha), n, simulated, r.getN(), stats.length == 3);
    }

    /**
     * The statistics (JS, PSI and, when it applies, W1/σ) of {@code samples} windows of {@code
     * simulated} values drawn from the reference, one row per statistic.
     */
    static double[][] numericReplicates(
            KllDoublesSketch r, double referenceStd, int simulated, int samples, long seed) {
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
        // W1 between a replicate and the points is Σ_j |F_window(j) − F_points(j)| · gap_j over the
        // steps j → j+1 of the points. A step without a gap adds +0.0, which leaves the sum as it
        // is, so only the steps with a gap are walked (a discrete feature has few); a draw of point
        // p counts from the first such step at or after p on. Each term is the same expression, in
        // the same order, as the walk over every step: the thresholds are the same to the bit.
        int[] stepOf = new int[POINTS];
        double[] gaps = new double[POINTS];
        double[] stepRanks = new double[POINTS];
        int steps = 0;
        for (int j = 0; j + 1 < items.length; j++) {
            double gap = items[j + 1] - items[j];
            if (gap != 0) {
                gaps[steps] = gap;
                stepRanks[steps] = (j + 1) / (double) POINTS;
                steps++;
            }
        }
        for (int p = items.length - 1, step = steps; p >= 0; p--) {
            if (p + 1 < items.length && items[p + 1] - items[p] != 0) {
                step--;
            }
            stepOf[p] = step;
        }
        double[] shareOf = new double[simulated + 1];
        for (int c = 0; c <= simulated; c++) {
            shareOf[c] = c / (double) simulated;
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[][] stats = new double[w1 ? 3 : 2][samples];
        // Replicates are drawn one after another, as the seed's stream gives them, and their W1
        // walks run LANES at a time: each replicate's sum still adds its own terms in order, while
        // the processor overlaps the lanes' additions, which a single chain of sums would wait on.
        int[][] stepCounts = new int[LANES][steps + 1];
        // Bins are few: consecutive draws count into two tallies in turn (summed afterwards), so
        // that an increment rarely waits on the previous one's store to the same counter.
        int[] binCounts = new int[rMass.length];
        int[] binCounts1 = new int[rMass.length];
        double[] binDoubles = new double[rMass.length];
        double[] binShares = new double[rMass.length];
        for (int first = 0; first < samples; first += LANES) {
            int lanes = Math.min(LANES, samples - first);
            for (int lane = 0; lane < lanes; lane++) {
                int[] counted = stepCounts[lane];
                Arrays.fill(counted, 0);
                Arrays.fill(binCounts, 0);
                Arrays.fill(binCounts1, 0);
                int k = 0;
                for (; k + 1 < simulated; k += 2) {
                    int p = random.nextInt(POINTS);
                    binCounts[binOf[p]]++;
                    counted[stepOf[p]]++;
                    int q = random.nextInt(POINTS);
                    binCounts1[binOf[q]]++;
                    counted[stepOf[q]]++;
                }
                if (k < simulated) {
                    int p = random.nextInt(POINTS);
                    binCounts[binOf[p]]++;
                    counted[stepOf[p]]++;
                }
                for (int b = 0; b < binCounts.length; b++) {
                    binDoubles[b] = binCounts[b] + binCounts1[b];
                    binShares[b] = binDoubles[b] / simulated;
                }
                stats[0][first + lane] = DriftStatistics.jensenShannon(binShares, rMass);
                stats[1][first + lane] = DriftStatistics.psi(binDoubles, rCounts);
            }
            if (w1 && lanes == LANES) {
                int[] c0 = stepCounts[0];
                int[] c1 = stepCounts[1];
                int[] c2 = stepCounts[2];
                int[] c3 = stepCounts[3];
                double d0 = 0;
                double d1 = 0;
                double d2 = 0;
                double d3 = 0;
                int b0 = 0;
                int b1 = 0;
                int b2 = 0;
                int b3 = 0;
                for (int step = 0; step < steps; step++) {
                    double rank = stepRanks[step];
                    double gap = gaps[step];
                    b0 += c0[step];
                    b1 += c1[step];
                    b2 += c2[step];
                    b3 += c3[step];
                    d0 += Math.abs(shareOf[b0] - rank) * gap;
                    d1 += Math.abs(shareOf[b1] - rank) * gap;
                    d2 += Math.abs(shareOf[b2] - rank) * gap;
                    d3 += Math.abs(shareOf[b3] - rank) * gap;
                }
                stats[2][first] = d0 / referenceStd;
                stats[2][first + 1] = d1 / referenceStd;
                stats[2][first + 2] = d2 / referenceStd;
                stats[2][first + 3] = d3 / referenceStd;
            } else if (w1) {
                for (int lane = 0; lane < lanes; lane++) {
                    int[] counted = stepCounts[lane];
                    double distance = 0;
                    int below = 0;
                    for (int step = 0; step < steps; step++) {
                        below += counted[step];
                        distance += Math.abs(shareOf[below] - stepRanks[step]) * gaps[step];
                    }
                    stats[2][first + lane] = distance / referenceStd;
                }
            }
        }
        return stats;
    }

    /**
     * The thresholds of a categorical window of {@code n} values against the reference's category
     * counts {@code referenceCounts} (named categories and {@code other}, in one fixed order).
     */
    static Thresholds categorical(
            long[] referenceCounts, long n, double alpha, int samples, long seed) {
        int simulated = (int) Math.min(n, MAX_SIMULATED);
        double[][] stats = categoricalReplicates(referenceCounts, simulated, samples, seed);
        return scaled(
                joint(stats, alpha), n, simulated, Arrays.stream(referenceCounts).sum(), false);
    }

    /**
     * The statistics (JS, PSI) of {@code samples} windows of {@code simulated} values drawn from
     * the reference's category counts, one row per statistic.
     */
    static double[][] categoricalReplicates(
            long[] referenceCounts, int simulated, int samples, long seed) {
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
        Categories categories = new Categories(cumulative);
        SplittableRandom random = new SplittableRandom(seed);
        double[][] stats = new double[2][samples];
        // Consecutive draws count into four tallies in turn, summed per category afterwards: the
        // same counts, while a feature of few categories no longer makes each increment wait on
        // the previous one's store to the same counter.
        int[] drawn0 = new int[c];
        int[] drawn1 = new int[c];
        int[] drawn2 = new int[c];
        int[] drawn3 = new int[c];
        double[] counts = new double[c];
        double[] shares = new double[c];
        for (int i = 0; i < samples; i++) {
            Arrays.fill(drawn0, 0);
            Arrays.fill(drawn1, 0);
            Arrays.fill(drawn2, 0);
            Arrays.fill(drawn3, 0);
            int k = 0;
            for (; k + 3 < simulated; k += 4) {
                drawn0[categories.at(random.nextLong(total))]++;
                drawn1[categories.at(random.nextLong(total))]++;
                drawn2[categories.at(random.nextLong(total))]++;
                drawn3[categories.at(random.nextLong(total))]++;
            }
            for (; k < simulated; k++) {
                drawn0[categories.at(random.nextLong(total))]++;
            }
            for (int j = 0; j < c; j++) {
                counts[j] = drawn0[j] + drawn1[j] + drawn2[j] + drawn3[j];
                shares[j] = counts[j] / simulated;
            }
            stats[0][i] = DriftStatistics.jensenShannon(shares, rShares);
            stats[1][i] = DriftStatistics.psi(counts, rCounts);
        }
        return stats;
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

    /**
     * The category of a draw u in [0, total): the first index whose cumulative weight exceeds u. A
     * guide table by u's leading bits gives, for each range of u, the category of the range's first
     * value; the answer is found from there by a short forward scan (usually none), in place of a
     * binary search whose branches a random u makes the processor mispredict.
     */
    static final class Categories {

        /**
         * Guide entries per category, at least: a draw then crosses into the next category from its
         * entry's with probability about 1/32 (a forward step, and a mispredicted branch).
         */
        private static final int GUIDE_PER_CATEGORY = 32;

        /** At most 2¹² guide entries (16 KB, within a core's first-level cache). */
        private static final int MAX_GUIDE_BITS = 12;

        private final long[] cumulative;
        private final int shift;
        private final int[] guide;

        Categories(long[] cumulative) {
            this.cumulative = cumulative;
            long total = cumulative[cumulative.length - 1];
            int wanted =
                    Math.min(
                            MAX_GUIDE_BITS,
                            64 - Long.numberOfLeadingZeros(GUIDE_PER_CATEGORY * cumulative.length));
            int bits = 64 - Long.numberOfLeadingZeros(Math.max(total - 1, 1));
            this.shift = Math.max(0, bits - wanted);
            this.guide = new int[(int) (Math.max(total - 1, 0) >>> shift) + 1];
            for (int g = 0; g < guide.length; g++) {
                guide[g] = search(cumulative, (long) g << shift);
            }
        }

        int at(long u) {
            int i = guide[(int) (u >>> shift)];
            while (cumulative[i] <= u) {
                i++;
            }
            return i;
        }

        /** The first index whose cumulative weight exceeds {@code u}, by binary search. */
        static int search(long[] cumulative, long u) {
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
}
