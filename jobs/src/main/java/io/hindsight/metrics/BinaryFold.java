package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;

/**
 * Binary classification: the confusion counts, log loss, Brier and calibration sums and the score
 * histograms of the labelled rows, and the sums of confidence-based estimation over every
 * prediction with a score in [0, 1].
 */
final class BinaryFold implements TaskFold {

    /** scikit-learn's historical {@code log_loss} clipping. */
    static final double EPS = 1e-15;

    long tp;
    long fp;
    long fn;
    long tn;
    double logLossSum;
    long logLossRows;

    /** Σ (score − label)² over the support rows. */
    double brierSum;

    // Confidence-based estimation over the cohort's predictions with a score in [0, 1]: counts,
    // Σ score and Σ score² of the predicted positives (score at or above the threshold) and
    // negatives, and every such score's logit bin.
    long estimatedPositives;
    long estimatedNegatives;
    double positiveScoreSum;
    double positiveScoreSquares;
    double negativeScoreSum;
    double negativeScoreSquares;
    SparseHistogram predictionScores = new SparseHistogram();

    SparseHistogram positiveScores = new SparseHistogram();
    SparseHistogram negativeScores = new SparseHistogram();
    long[] calibrationCount;
    double[] calibrationScore;
    double[] calibrationLabel;

    BinaryFold(int calibrationBins) {
        calibrationCount = new long[calibrationBins];
        calibrationScore = new double[calibrationBins];
        calibrationLabel = new double[calibrationBins];
    }

    @Override
    public void addPrediction(Prediction p, double threshold) {
        Double score = p.getScore();
        if (score == null || !(score >= 0 && score <= 1)) {
            return;
        }
        if (score >= threshold) {
            estimatedPositives++;
            positiveScoreSum += score;
            positiveScoreSquares += score * score;
        } else {
            estimatedNegatives++;
            negativeScoreSum += score;
            negativeScoreSquares += score * score;
        }
        predictionScores.add(Bins.scoreBin(score));
    }

    @Override
    public Row addOutcome(
            Outcome o, boolean labeled, boolean enters, SliceMetricsConfig config, double[] edges) {
        Double score = o.getScore();
        Double label = labeled ? o.getLabel() : Double.valueOf(0); // expired as a negative
        if (score == null || !(score >= 0 && score <= 1) || label == null || label.isNaN()) {
            return Row.UNUSABLE;
        }
        boolean actual = label >= 0.5;
        boolean predicted = score >= config.positiveThreshold();
        if (actual) {
            if (predicted) {
                tp++;
            } else {
                fn++;
            }
            positiveScores.add(Bins.scoreBin(score));
        } else {
            if (predicted) {
                fp++;
            } else {
                tn++;
            }
            negativeScores.add(Bins.scoreBin(score));
        }
        double error = score - (actual ? 1 : 0);
        brierSum += error * error;
        double p = Math.min(Math.max(score, EPS), 1 - EPS);
        logLossSum -= actual ? Math.log(p) : Math.log(1 - p);
        logLossRows++;
        int bin = Bins.calibrationBin(edges, score);
        calibrationCount[bin]++;
        calibrationScore[bin] += score;
        calibrationLabel[bin] += actual ? 1 : 0;
        return Row.SUPPORT;
    }

    @Override
    public void merge(TaskFold other) {
        BinaryFold o = (BinaryFold) other;
        if (o.calibrationCount.length != calibrationCount.length) {
            throw new IllegalArgumentException(
                    "calibration bins differ: "
                            + o.calibrationCount.length
                            + " and "
                            + calibrationCount.length);
        }
        tp += o.tp;
        fp += o.fp;
        fn += o.fn;
        tn += o.tn;
        logLossSum += o.logLossSum;
        logLossRows += o.logLossRows;
        brierSum += o.brierSum;
        estimatedPositives += o.estimatedPositives;
        estimatedNegatives += o.estimatedNegatives;
        positiveScoreSum += o.positiveScoreSum;
        positiveScoreSquares += o.positiveScoreSquares;
        negativeScoreSum += o.negativeScoreSum;
        negativeScoreSquares += o.negativeScoreSquares;
        positiveScores.merge(o.positiveScores);
        negativeScores.merge(o.negativeScores);
        predictionScores.merge(o.predictionScores);
        for (int i = 0; i < calibrationCount.length; i++) {
            calibrationCount[i] += o.calibrationCount[i];
            calibrationScore[i] += o.calibrationScore[i];
            calibrationLabel[i] += o.calibrationLabel[i];
        }
    }
}
