package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;

/** Regression: sums of the errors of the rows with a finite prediction and label. */
final class RegressionFold implements TaskFold {

    double absErrorSum;
    double squaredErrorSum;
    double errorSum;

    /** Σ |error| / |label| over the rows whose label is not 0 (MAPE leaves those out). */
    double percentErrorSum;

    long percentErrorRows;

    @Override
    public Row addOutcome(
            Outcome o,
            boolean labeled,
            boolean enters,
            SliceMetricsConfig config,
            double[] calibrationEdges) {
        Double predicted = o.getPredictedValue();
        Double label = o.getLabel();
        if (predicted == null || label == null || !Double.isFinite(predicted + label)) {
            return Row.UNUSABLE;
        }
        double error = predicted - label;
        absErrorSum += Math.abs(error);
        squaredErrorSum += error * error;
        errorSum += error;
        if (label != 0) {
            percentErrorSum += Math.abs(error) / Math.abs(label);
            percentErrorRows++;
        }
        return Row.SUPPORT;
    }

    @Override
    public void merge(TaskFold other) {
        RegressionFold o = (RegressionFold) other;
        absErrorSum += o.absErrorSum;
        squaredErrorSum += o.squaredErrorSum;
        errorSum += o.errorSum;
        percentErrorSum += o.percentErrorSum;
        percentErrorRows += o.percentErrorRows;
    }
}
