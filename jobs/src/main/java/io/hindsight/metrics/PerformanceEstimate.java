package io.hindsight.metrics;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Confidence-based performance estimation (CBPE) of a calibrated binary classifier, from the scores
 * alone: if each prediction's label is positive with probability equal to its score, independently,
 * the expected confusion matrix is the sum of the scores (and of one minus them) on each side of
 * the threshold, and the metrics are the ones of that expected matrix, as NannyML's CBPE defines
 * them.
 *
 * <p>The sampling error is the half-width {@code z · σ} of a normal interval at the configured
 * confidence, σ the standard deviation of the realized metric under that same assumption: exact for
 * accuracy and precision (sums of independent Bernoulli indicators over a fixed set of rows), by
 * the delta method for recall and F1, and by Hanley and McNeil (1982) for ROC AUC with the expected
 * class counts. Formulas: metrics/README.md, "Estimated performance".
 *
 * <p>Written out here because no library at hand estimates performance from scores (NannyML is a
 * Python batch library).
 */
final class PerformanceEstimate {

    final double tp;
    final double fp;
    final double tn;
    final double fn;
    final double accuracy;
    final double precision;
    final double recall;
    final double f1;
    final double accuracyError;
    final double precisionError;
    final double recallError;
    final double f1Error;

    /** Null when either expected class holds less than one prediction. */
    final Double auc;

    final Double aucError;

    private PerformanceEstimate(CohortAccumulator a, double z) {
        BinaryFold b = a.binary();
        long n1 = b.estimatedPositives;
        long n0 = b.estimatedNegatives;
        double s1 = b.positiveScoreSum;
        double s0 = b.negativeScoreSum;
        // Σ p(1 − p): the variance of the number of positive labels on each side.
        double v1 = Math.max(0, s1 - b.positiveScoreSquares);
        double v0 = Math.max(0, s0 - b.negativeScoreSquares);
        double n = n0 + n1;
        tp = s1;
        fp = n1 - s1;
        fn = s0;
        tn = n0 - s0;
        accuracy = (tp + tn) / n;
        accuracyError = z * Math.sqrt(v1 + v0) / n;
        precision = n1 == 0 ? 0 : s1 / n1;
        precisionError = n1 == 0 ? 0 : z * Math.sqrt(v1) / n1;
        double positives = s1 + s0;
        recall = positives == 0 ? 0 : s1 / positives;
        recallError =
                positives == 0
                        ? 0
                        : z * Math.sqrt(s0 * s0 * v1 + s1 * s1 * v0) / (positives * positives);
        double d = n1 + s1 + s0; // 2 TP + FP + FN
        f1 = d == 0 ? 0 : 2 * s1 / d;
        f1Error =
                d == 0 ? 0 : z * 2 * Math.sqrt((n1 + s0) * (n1 + s0) * v1 + s1 * s1 * v0) / (d * d);
        double[] weights = aucAndWeights(b.predictionScores);
        auc = weights == null ? null : weights[0];
        aucError = weights == null ? null : z * hanleyMcNeil(weights[0], weights[1], weights[2]);
    }

    /** The estimate of a binary cohort; null when it holds no scored prediction. */
    static PerformanceEstimate of(CohortAccumulator a, double confidence) {
        BinaryFold b = a.binary();
        if (b.estimatedPositives + b.estimatedNegatives == 0) {
            return null;
        }
        return new PerformanceEstimate(a, z(confidence));
    }

    /** The two-sided normal quantile of a confidence level, e.g. 1.96 for 0.95. */
    static double z(double confidence) {
        return new NormalDistribution(null, 0, 1)
                .inverseCumulativeProbability((1 + confidence) / 2);
    }

    /**
     * The expected ROC AUC of predictions whose scores are snapped to their logit bins (each bin at
     * the score of its centre), with its expected positives and negatives: {@code [auc, Σ p, Σ (1 −
     * p)]}, or null when either is below 1. Each prediction is a positive of weight p and a
     * negative of weight 1 − p; a pair of two predictions counts p_i (1 − p_j) when i ranks above j
     * and half that when they share a bin; a prediction is never paired with itself (its label
     * cannot be both).
     */
    static double[] aucAndWeights(SparseHistogram scores) {
        double w1 = 0;
        double w0 = 0;
        double self = 0;
        double ordered = 0;
        for (int i = 0; i < scores.occupied(); i++) {
            double c = scores.count(i);
            double p = Bins.scoreValue(scores.bin(i));
            double pos = c * p;
            double neg = c * (1 - p);
            ordered += pos * (w0 + neg / 2);
            w1 += pos;
            w0 += neg;
            self += c * p * (1 - p);
        }
        if (w1 < 1 || w0 < 1) {
            return null;
        }
        double pairs = w1 * w0 - self;
        return new double[] {(ordered - self / 2) / pairs, w1, w0};
    }

    /**
     * Hanley and McNeil's standard error of an AUC over {@code p} positives, {@code n} negatives.
     */
    static double hanleyMcNeil(double auc, double p, double n) {
        double q1 = auc / (2 - auc);
        double q2 = 2 * auc * auc / (1 + auc);
        double variance =
                (auc * (1 - auc) + (p - 1) * (q1 - auc * auc) + (n - 1) * (q2 - auc * auc))
                        / (p * n);
        return Math.sqrt(Math.max(0, variance));
    }
}
