package io.hindsight.it;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;

/**
 * The exact statistics {@link MonitoringITCase} checks Hindsight's drift and slice-metric rows
 * against, computed from every value by sorting and counting: written apart from the job's
 * sketches, histograms and accumulators, as obviously correct and slow as possible.
 */
final class ExactStatistics {

    private ExactStatistics() {}

    /** The mean, correctly rounded: the sum is exact in {@link BigDecimal}. */
    static double mean(double[] values) {
        BigDecimal sum = BigDecimal.ZERO;
        for (double v : values) {
            sum = sum.add(new BigDecimal(v));
        }
        return sum.divide(BigDecimal.valueOf(values.length), MathContext.DECIMAL128).doubleValue();
    }

    /**
     * The normalized ranks a value may stand for in sorted values: {@code [#(< v) / n, #(≤ v) /
     * n]}. A quantile estimate for rank q has rank error ≤ ε when q lies within ε of this interval
     * (ties make it wider than a point).
     */
    static double rankDistance(double[] sorted, double v, double q) {
        int below = lowerBound(sorted, v);
        int atOrBelow = upperBound(sorted, v);
        double lo = (double) below / sorted.length;
        double hi = (double) atOrBelow / sorted.length;
        if (q < lo) {
            return lo - q;
        }
        return q > hi ? q - hi : 0;
    }

    /** The smallest value whose inclusive normalized rank is at least q (KLL's INCLUSIVE rule). */
    static double quantile(double[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /**
     * PSI of a window against a reference, as the jobs README defines it, on exact values: bins at
     * the reference's deciles (duplicates removed) as {@code (-∞, e₁], (e₁, e₂], …, (e₉, ∞)}, both
     * sides smoothed add-½, {@code Σ (pᵢ − qᵢ) ln(pᵢ / qᵢ)}.
     */
    static double psi(double[] window, double[] reference) {
        double[] w = window.clone();
        double[] r = reference.clone();
        Arrays.sort(w);
        Arrays.sort(r);
        double[] edges = deciles(r);
        int bins = edges.length + 1;
        double[] cw = binCounts(w, edges);
        double[] cr = binCounts(r, edges);
        double psi = 0;
        for (int i = 0; i < bins; i++) {
            double p = (cw[i] + 0.5) / (w.length + 0.5 * bins);
            double q = (cr[i] + 0.5) / (r.length + 0.5 * bins);
            psi += (p - q) * Math.log(p / q);
        }
        return psi;
    }

    /**
     * Jensen–Shannon distance, base 2, of the unsmoothed bin masses over the reference's deciles
     * (the bins of {@link #psi}): {@code √(½ KL(p‖m) + ½ KL(q‖m))}, {@code m = (p + q) / 2}.
     */
    static double jensenShannon(double[] window, double[] reference) {
        double[] w = window.clone();
        double[] r = reference.clone();
        Arrays.sort(w);
        Arrays.sort(r);
        double[] edges = deciles(r);
        double[] cw = binCounts(w, edges);
        double[] cr = binCounts(r, edges);
        double divergence = 0;
        for (int i = 0; i < cw.length; i++) {
            double p = cw[i] / w.length;
            double q = cr[i] / r.length;
            double m = (p + q) / 2;
            if (p > 0) {
                divergence += 0.5 * p * Math.log(p / m) / Math.log(2);
            }
            if (q > 0) {
                divergence += 0.5 * q * Math.log(q / m) / Math.log(2);
            }
        }
        return Math.sqrt(Math.max(0, divergence));
    }

    /**
     * Wasserstein-1 distance of the two empirical distributions, {@code ∫ |F_W − F_R| dx} between
     * consecutive values of either, divided by the reference's population standard deviation.
     */
    static double normalizedWasserstein(double[] window, double[] reference) {
        double[] w = window.clone();
        double[] r = reference.clone();
        Arrays.sort(w);
        Arrays.sort(r);
        double[] points = new double[w.length + r.length];
        System.arraycopy(w, 0, points, 0, w.length);
        System.arraycopy(r, 0, points, w.length, r.length);
        Arrays.sort(points);
        double integral = 0;
        for (int i = 0; i + 1 < points.length; i++) {
            double x = points[i];
            double fw = (double) upperBound(w, x) / w.length;
            double fr = (double) upperBound(r, x) / r.length;
            integral += Math.abs(fw - fr) * (points[i + 1] - x);
        }
        double mean = 0;
        for (double x : r) {
            mean += x;
        }
        mean /= r.length;
        double squares = 0;
        for (double x : r) {
            squares += (x - mean) * (x - mean);
        }
        return integral / Math.sqrt(squares / r.length);
    }

    private static double[] deciles(double[] sorted) {
        return Arrays.stream(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9})
                .map(q -> quantile(sorted, q))
                .distinct()
                .toArray();
    }

    /** Counts per bin {@code (-∞, e₁], (e₁, e₂], …, (eₙ, ∞)} of sorted values. */
    private static double[] binCounts(double[] sorted, double[] edges) {
        double[] counts = new double[edges.length + 1];
        int previous = 0;
        for (int i = 0; i < edges.length; i++) {
            int upTo = upperBound(sorted, edges[i]);
            counts[i] = upTo - previous;
            previous = upTo;
        }
        counts[edges.length] = sorted.length - previous;
        return counts;
    }

    /**
     * ROC AUC by the Mann–Whitney rank sum: mid-ranks over all scores, so a tied (positive,
     * negative) pair counts ½, as scikit-learn's {@code roc_auc_score} counts it.
     */
    static double auc(double[] positives, double[] negatives) {
        int n = positives.length + negatives.length;
        double[][] all = new double[n][];
        for (int i = 0; i < positives.length; i++) {
            all[i] = new double[] {positives[i], 1};
        }
        for (int i = 0; i < negatives.length; i++) {
            all[positives.length + i] = new double[] {negatives[i], 0};
        }
        Arrays.sort(all, (a, b) -> Double.compare(a[0], b[0]));
        double positiveRankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j < n && all[j][0] == all[i][0]) {
                j++;
            }
            double midRank = (i + 1 + j) / 2.0; // ranks i+1 .. j
            for (int t = i; t < j; t++) {
                if (all[t][1] == 1) {
                    positiveRankSum += midRank;
                }
            }
            i = j;
        }
        double p = positives.length;
        return (positiveRankSum - p * (p + 1) / 2) / (p * negatives.length);
    }

    /**
     * A bound on the difference between the AUC of scores snapped to Hindsight's logit bins (width
     * 1/128 over [−16, 16], the tails in the end bins) and the exact AUC: only a (positive,
     * negative) pair in one bin can differ, by at most ½, and two scores in one bin have clamped
     * logits less than 1/128 apart. Counting every pair that close (a superset of the same-bin
     * pairs, whatever the exact bin edges) gives {@code ½ · #close pairs / (P · N)} ≥ the jobs
     * README's {@code ½ · Σ_b pos_b · neg_b / (P · N)}.
     */
    static double aucBinBound(double[] positives, double[] negatives) {
        double width = (1.0 / 128) * (1 + 1e-9);
        double[] neg = Arrays.stream(negatives).map(ExactStatistics::clampedLogit).toArray();
        Arrays.sort(neg);
        long close = 0;
        for (double s : positives) {
            double l = clampedLogit(s);
            // strictly inside (l - width, l + width)
            close += lowerBound(neg, l + width) - upperBound(neg, l - width);
        }
        return 0.5 * close / ((double) positives.length * negatives.length);
    }

    private static double clampedLogit(double score) {
        double logit = Math.log(score) - Math.log1p(-score);
        return Math.max(-16, Math.min(16, logit));
    }

    /** Index of the first value ≥ v. */
    static int lowerBound(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Index of the first value > v. */
    static int upperBound(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
