package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;

/** LLM feedback: thumbs up (a label of at least 0.5) and the sum of the ratings. */
final class LlmFold implements TaskFold {

    long thumbsUp;
    double labelSum;

    @Override
    public Row addOutcome(
            Outcome o,
            boolean labeled,
            boolean enters,
            SliceMetricsConfig config,
            double[] calibrationEdges) {
        Double label = o.getLabel();
        if (label == null || !Double.isFinite(label)) {
            return Row.UNUSABLE;
        }
        labelSum += label;
        if (label >= 0.5) {
            thumbsUp++;
        }
        return Row.SUPPORT;
    }

    @Override
    public void merge(TaskFold other) {
        LlmFold o = (LlmFold) other;
        thumbsUp += o.thumbsUp;
        labelSum += o.labelSum;
    }
}
