package io.hindsight.metrics;

/**
 * The fixed binnings of the accumulators and what is read back from them: scores in logit bins (for
 * AUC), label delays in relative-error buckets (for quantiles), and calibration bins.
 */
public final class Bins {

    /** Score bins: equal width 1/128 in logit space over [-16, 16]; the end bins take the tails. */
    static final int SCORE_BINS = 4096;

    static final double LOGIT_LIMIT = 16;
    static final double BINS_PER_LOGIT = SCORE_BINS / (2 * LOGIT_LIMIT);

    /** Relative accuracy of a delay quantile. */
    static final double DELAY_ACCURACY = 0.01;

    /** Bucket growth: bucket i covers (GAMMA^(i-2), GAMMA^(i-1)] ms, so 1 ms is in bucket 1. */
    static final double GAMMA = (1 + DELAY_ACCURACY) / (1 - DELAY_ACCURACY);

    private static final double LOG_GAMMA = Math.log(GAMMA);

    private Bins() {}

    /** The logit bin of a score in [0, 1]. */
    public static int scoreBin(double score) {
        double logit = Math.log(score) - Math.log1p(-score);
        double position = Math.floor((logit + LOGIT_LIMIT) * BINS_PER_LOGIT);
        if (!(position > 0)) { // also -Infinity for a score of 0
            return 0;
        }
        return position >= SCORE_BINS - 1 ? SCORE_BINS - 1 : (int) position;
    }

    /** The score at the centre of a logit bin (in logit space). */
    static double scoreValue(int bin) {
        double logit = (bin + 0.5) / BINS_PER_LOGIT - LOGIT_LIMIT;
        return 1 / (1 + Math.exp(-logit));
    }

    /** The bucket of a delay in ms: 0 for 0, ±(1 + ceil(log_gamma |delay|)) otherwise. */
    static int delayBin(long delayMs) {
        if (delayMs == 0) {
            return 0;
        }
        double magnitude = Math.abs((double) delayMs);
        int bucket = 1 + (int) Math.ceil(Math.log(magnitude) / LOG_GAMMA);
        return delayMs > 0 ? bucket : -bucket;
    }

    /**
     * The value a delay bucket stands for: within {@link #DELAY_ACCURACY} of each of its delays.
     */
    static double delayValue(int bin) {
        if (bin == 0) {
            return 0;
        }
        double upper = Math.pow(GAMMA, Math.abs(bin) - 1);
        double value = 2 * upper / (GAMMA + 1);
        return bin > 0 ? value : -value;
    }

    /**
     * The inner edges of {@code n} equal-width calibration bins over [0, 1], computed as {@code
     * numpy.linspace(0, 1, n + 1)[1:-1]} computes them ({@code i * (1.0 / n)}).
     */
    static double[] calibrationEdges(int n) {
        double step = 1.0 / n;
        double[] edges = new double[n - 1];
        for (int i = 1; i < n; i++) {
            edges[i - 1] = i * step;
        }
        return edges;
    }

    /**
     * The calibration bin of a score as scikit-learn's {@code calibration_curve} assigns it: {@code
     * searchsorted(edges, score, side='left')}, the number of inner edges strictly below the score.
     */
    static int calibrationBin(double[] edges, double score) {
        int lo = 0;
        int hi = edges.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (edges[mid] < score) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * ROC AUC from the score histograms of the positives and the negatives: a pair counts 1 when
     * the positive's bin is higher, ½ when they share a bin (the rank-sum AUC of the scores snapped
     * to their bins). Null when either class is empty.
     */
    public static Double auc(SparseHistogram positives, SparseHistogram negatives) {
        double p = positives.total();
        double n = negatives.total();
        if (p == 0 || n == 0) {
            return null;
        }
        double ordered = 0;
        double negativesBelow = 0;
        int i = 0;
        int j = 0;
        int ps = positives.occupied();
        int ns = negatives.occupied();
        while (i < ps || j < ns) {
            int bin =
                    j == ns || (i < ps && positives.bin(i) < negatives.bin(j))
                            ? positives.bin(i)
                            : negatives.bin(j);
            double pos = i < ps && positives.bin(i) == bin ? positives.count(i++) : 0;
            double neg = j < ns && negatives.bin(j) == bin ? negatives.count(j++) : 0;
            ordered += pos * (negativesBelow + neg / 2);
            negativesBelow += neg;
        }
        return ordered / (p * n);
    }

    /**
     * The bound on |histogram AUC − exact AUC|: ½ Σ_b pos_b · neg_b / (P · N), the share of pairs
     * that share a bin, counted ½ whatever their true order.
     */
    static double aucErrorBound(SparseHistogram positives, SparseHistogram negatives) {
        double p = positives.total();
        double n = negatives.total();
        if (p == 0 || n == 0) {
            return 0;
        }
        double shared = 0;
        for (int i = 0; i < positives.occupied(); i++) {
            shared += positives.count(i) * (double) negatives.get(positives.bin(i));
        }
        return shared / 2 / (p * n);
    }

    /**
     * The {@code percent}-th percentile of the delays, in ms: the representative of the bucket
     * holding the ⌈n·percent/100⌉-th smallest delay ({@code
     * numpy.quantile(method='inverted_cdf')}), the rank computed in integers. Null when there is
     * none.
     */
    static Double delayQuantile(SparseHistogram delays, int percent) {
        long n = delays.total();
        if (n == 0) {
            return null;
        }
        long rank = Math.max(1, (n * percent + 99) / 100);
        long seen = 0;
        for (int i = 0; i < delays.occupied(); i++) {
            seen += delays.count(i);
            if (seen >= rank) {
                return delayValue(delays.bin(i));
            }
        }
        throw new IllegalStateException("rank " + rank + " beyond " + n + " delays");
    }
}
