package io.hindsight.metrics;

import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.MetricName;
import io.hindsight.spec.SpecNames;
import java.time.Instant;
import java.util.Map;

/**
 * A cohort-slice's {@link SliceMetric} row from its accumulator: the scikit-learn definitions
 * listed in metrics/README.md, for the metrics the spec asks for (the others stay null).
 */
public final class SliceMetricRows {

    private SliceMetricRows() {}

    public static SliceMetric row(
            SliceMetricsConfig config,
            String key,
            long windowStart,
            long windowEnd,
            CohortAccumulator a,
            int revision,
            boolean isFinal,
            long asOf) {
        return row(
                config,
                key,
                windowStart,
                windowEnd,
                a,
                revision,
                isFinal,
                asOf,
                new CalibrationReference());
    }

    /**
     * The row, with {@code reference} (the slice's recent final cohorts, see {@link
     * CalibrationReference}) deciding whether the performance estimate is trusted.
     */
    public static SliceMetric row(
            SliceMetricsConfig config,
            String key,
            long windowStart,
            long windowEnd,
            CohortAccumulator a,
            int revision,
            boolean isFinal,
            long asOf,
            CalibrationReference reference) {
        Map<String, String> dimensions = Slices.dimensions(key);
        SliceMetric.Builder row =
                SliceMetric.newBuilder()
                        .setApplication(config.application())
                        .setSlice(Slices.slice(dimensions))
                        .setDimensions(Map.copyOf(dimensions))
                        .setWindowStart(Instant.ofEpochMilli(windowStart))
                        .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                        .setTask(SpecNames.yamlName(config.task()))
                        .setRevision(revision)
                        .setIsFinal(isFinal)
                        .setAsOf(Instant.ofEpochMilli(asOf))
                        .setPredictions(a.predictions)
                        .setLabeled(a.labeled)
                        .setExpired(a.expired)
                        .setLabelCoverage(
                                a.predictions == 0 ? 0.0 : (double) a.labeled / a.predictions)
                        .setSupport(a.support);
        if (config.wants(MetricName.LABEL_DELAY)) {
            row.setLabelDelayP50S(seconds(Bins.delayQuantile(a.delays, 50)));
            row.setLabelDelayP90S(seconds(Bins.delayQuantile(a.delays, 90)));
        }
        if (config.wants(MetricName.LABEL_DELAY) || config.wants(MetricName.LABEL_DELAY_P99)) {
            row.setLabelDelayP99S(seconds(Bins.delayQuantile(a.delays, 99)));
        }
        switch (config.task()) {
            case BINARY_CLASSIFICATION -> {
                binary(config, a, row);
                if (config.estimates()) {
                    estimated(config, a, isFinal, reference, row);
                }
            }
            case MULTICLASS_CLASSIFICATION -> multiclass(config, a, row);
            case REGRESSION -> regression(config, a, row);
            case RANKING -> {
                if (config.wants(MetricName.CTR)) {
                    row.setCtr(ratio(a.ranking().clicked, a.support));
                }
                if (config.wants(MetricName.PRECISION_AT_K)) {
                    row.setPrecisionAtK(
                            ratio(a.ranking().hitsAtK, (double) config.k() * a.support));
                }
            }
            case LLM_FEEDBACK -> {
                if (config.wants(MetricName.THUMBS_UP_RATE)) {
                    row.setThumbsUpRate(ratio(a.llm().thumbsUp, a.support));
                }
                if (config.wants(MetricName.SCORE_MEAN)) {
                    row.setScoreMean(ratio(a.llm().labelSum, a.support));
                }
            }
        }
        return row.build();
    }

    private static void binary(
            SliceMetricsConfig config, CohortAccumulator a, SliceMetric.Builder row) {
        BinaryFold b = a.binary();
        if (config.wants(MetricName.SCORE_MEAN)) {
            row.setScoreMean(ratio(a.scoreSum, a.scoreCount));
        }
        if (config.wants(MetricName.PREDICTED_POSITIVE_RATE) && a.complete) {
            row.setPredictedPositiveRate(
                    ratio(b.estimatedPositives, b.estimatedPositives + b.estimatedNegatives));
        }
        if (a.support == 0) {
            return; // no labelled rows: every label-based metric is undefined
        }
        if (config.wants(MetricName.CONFUSION_MATRIX)) {
            row.setTp(b.tp).setFp(b.fp).setTn(b.tn).setFn(b.fn);
        }
        if (config.wants(MetricName.FALSE_POSITIVE_RATE)) {
            row.setFalsePositiveRate(ratio(b.fp, b.fp + b.tn));
        }
        if (config.wants(MetricName.BASE_RATE)) {
            row.setBaseRate((double) (b.tp + b.fn) / a.support);
        }
        if (config.wants(MetricName.BRIER_SCORE) && a.complete) {
            row.setBrierScore(b.brierSum / a.support);
        }
        if (config.wants(MetricName.ACCURACY)) {
            row.setAccuracy((double) (b.tp + b.tn) / a.support);
        }
        if (config.wants(MetricName.PRECISION)) {
            row.setPrecision(zeroDivision(b.tp, b.tp + b.fp));
        }
        if (config.wants(MetricName.RECALL)) {
            row.setRecall(zeroDivision(b.tp, b.tp + b.fn));
        }
        if (config.wants(MetricName.F1)) {
            row.setF1(zeroDivision(2 * b.tp, 2 * b.tp + b.fp + b.fn));
        }
        if (config.wants(MetricName.AUC)) {
            row.setAuc(Bins.auc(b.positiveScores, b.negativeScores));
        }
        if (config.wants(MetricName.LOG_LOSS)) {
            row.setLogLoss(ratio(b.logLossSum, b.logLossRows));
        }
        if (config.wants(MetricName.CALIBRATION_ERROR)) {
            double ece = 0;
            for (int i = 0; i < b.calibrationCount.length; i++) {
                long n = b.calibrationCount[i];
                if (n > 0) {
                    ece +=
                            (double) n
                                    / a.support
                                    * Math.abs(
                                            b.calibrationLabel[i] / n - b.calibrationScore[i] / n);
                }
            }
            row.setCalibrationError(ece);
        }
    }

    private static void multiclass(
            SliceMetricsConfig config, CohortAccumulator a, SliceMetric.Builder row) {
        MulticlassFold m = a.multiclass();
        if (a.support == 0) {
            return;
        }
        if (config.wants(MetricName.ACCURACY)) {
            row.setAccuracy((double) m.correct / a.support);
        }
        if (config.wants(MetricName.LOG_LOSS)) {
            row.setLogLoss(ratio(m.logLossSum, m.logLossRows));
        }
        if (config.wants(MetricName.BRIER_SCORE) && a.complete) {
            row.setBrierScore(ratio(m.brierSum, m.scoredRows));
        }
        if (m.classOverflow) {
            return; // some classes were not tracked: macro averages would be wrong
        }
        double precision = 0;
        double recall = 0;
        double f1 = 0;
        double falsePositiveRate = 0;
        int labels = 0;
        double aucSum = 0;
        int aucClasses = 0;
        for (MulticlassFold.ClassStats c : m.classes.values()) {
            if (c.actual > 0 || c.predicted > 0) {
                labels++;
                precision += zeroDivision(c.truePositives, c.predicted);
                recall += zeroDivision(c.truePositives, c.actual);
                f1 += zeroDivision(2 * c.truePositives, c.actual + c.predicted);
                long fp = c.predicted - c.truePositives;
                falsePositiveRate += zeroDivision(fp, a.support - c.actual);
            }
            long positives = c.positives.total();
            if (positives > 0 && positives < m.scoredRows) {
                SparseHistogram negatives = new SparseHistogram();
                negatives.merge(c.scored);
                negatives.add(Bins.scoreBin(0), m.scoredRows - c.scored.total());
                for (int i = 0; i < c.positives.occupied(); i++) {
                    negatives.add(c.positives.bin(i), -c.positives.count(i));
                }
                aucSum += Bins.auc(c.positives, negatives);
                aucClasses++;
            }
        }
        if (config.wants(MetricName.PRECISION)) {
            row.setPrecision(precision / labels);
        }
        if (config.wants(MetricName.RECALL)) {
            row.setRecall(recall / labels);
        }
        if (config.wants(MetricName.F1)) {
            row.setF1(f1 / labels);
        }
        if (config.wants(MetricName.FALSE_POSITIVE_RATE)) {
            row.setFalsePositiveRate(falsePositiveRate / labels);
        }
        if (config.wants(MetricName.AUC) && aucClasses > 0) {
            row.setAuc(aucSum / aucClasses);
        }
    }

    /**
     * The CBPE columns, the trust verdict from the reference, and on the final revision the
     * differences realized − estimated (the realized columns must already be set). Nothing for a
     * cohort restored from layout-1 state, whose estimation sums miss the rows it held then.
     */
    private static void estimated(
            SliceMetricsConfig config,
            CohortAccumulator a,
            boolean isFinal,
            CalibrationReference reference,
            SliceMetric.Builder row) {
        BinaryFold b = a.binary();
        PerformanceEstimate e =
                a.complete ? PerformanceEstimate.of(a, config.estimation().confidence()) : null;
        if (e == null) {
            return;
        }
        if (config.wants(MetricName.ESTIMATED_ACCURACY)) {
            row.setEstimatedTp(e.tp).setEstimatedFp(e.fp).setEstimatedTn(e.tn).setEstimatedFn(e.fn);
            row.setEstimatedAccuracy(e.accuracy).setEstimatedAccuracyError(e.accuracyError);
        }
        if (config.wants(MetricName.ESTIMATED_PRECISION)) {
            row.setEstimatedPrecision(e.precision).setEstimatedPrecisionError(e.precisionError);
        }
        if (config.wants(MetricName.ESTIMATED_RECALL)) {
            row.setEstimatedRecall(e.recall).setEstimatedRecallError(e.recallError);
        }
        if (config.wants(MetricName.ESTIMATED_F1)) {
            row.setEstimatedF1(e.f1).setEstimatedF1Error(e.f1Error);
        }
        if (config.wants(MetricName.ESTIMATED_AUC)) {
            row.setEstimatedAuc(e.auc).setEstimatedAucError(e.aucError);
        }
        int bins = config.calibrationBins();
        long referenceRows = reference.rows(bins);
        Double referenceError = reference.calibrationError(bins);
        row.setEstimationReferenceRows(referenceRows);
        row.setEstimationReferenceCalibrationError(referenceError);
        row.setEstimateTrusted(
                referenceError != null
                        && referenceRows >= config.estimation().minReferenceRows()
                        && referenceError <= config.estimation().calibrationBound());
        if (!isFinal || a.support == 0) {
            return;
        }
        if (config.wants(MetricName.ACCURACY_DELTA)) {
            row.setAccuracyDelta((double) (b.tp + b.tn) / a.support - e.accuracy);
        }
        if (config.wants(MetricName.PRECISION_DELTA)) {
            row.setPrecisionDelta(zeroDivision(b.tp, b.tp + b.fp) - e.precision);
        }
        if (config.wants(MetricName.RECALL_DELTA)) {
            row.setRecallDelta(zeroDivision(b.tp, b.tp + b.fn) - e.recall);
        }
        if (config.wants(MetricName.F1_DELTA)) {
            row.setF1Delta(zeroDivision(2 * b.tp, 2 * b.tp + b.fp + b.fn) - e.f1);
        }
        Double realizedAuc = Bins.auc(b.positiveScores, b.negativeScores);
        if (config.wants(MetricName.AUC_DELTA) && realizedAuc != null && e.auc != null) {
            row.setAucDelta(realizedAuc - e.auc);
        }
    }

    private static void regression(
            SliceMetricsConfig config, CohortAccumulator a, SliceMetric.Builder row) {
        RegressionFold r = a.regression();
        if (a.support == 0) {
            return;
        }
        if (config.wants(MetricName.MAE)) {
            row.setMae(r.absErrorSum / a.support);
        }
        if (config.wants(MetricName.RMSE)) {
            row.setRmse(Math.sqrt(r.squaredErrorSum / a.support));
        }
        if (config.wants(MetricName.BIAS)) {
            row.setBias(r.errorSum / a.support);
        }
        if (config.wants(MetricName.MAPE)) {
            row.setMape(ratio(r.percentErrorSum, r.percentErrorRows));
        }
    }

    /** scikit-learn's {@code zero_division=0}: 0 when the denominator is 0. */
    private static double zeroDivision(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / denominator;
    }

    /** Null when there is nothing to average. */
    private static Double ratio(double numerator, double denominator) {
        return denominator == 0 ? null : numerator / denominator;
    }

    private static Double seconds(Double ms) {
        return ms == null ? null : ms / 1000;
    }
}
