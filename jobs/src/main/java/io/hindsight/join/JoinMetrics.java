package io.hindsight.join;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/** The join's counters and the predictions-waiting gauge, under the metric group "hindsight". */
final class JoinMetrics {
    final Counter predictions;
    final Counter duplicatePredictions;
    final Counter feedback;
    final Counter duplicateFeedback;
    final Counter labeled;
    final Counter expired;
    final Counter late;
    final Counter orphan;
    final Counter extra;

    JoinMetrics(MetricGroup parent, Gauge<Long> waiting) {
        MetricGroup g = parent.addGroup("hindsight");
        predictions = g.counter("predictionsIn");
        duplicatePredictions = g.counter("predictionsDuplicate");
        feedback = g.counter("feedbackIn");
        duplicateFeedback = g.counter("feedbackDuplicate");
        labeled = g.counter("outcomesLabeled");
        expired = g.counter("outcomesExpired");
        late = g.counter("feedbackLate");
        orphan = g.counter("feedbackOrphan");
        extra = g.counter("feedbackExtra");
        g.gauge("predictionsWaiting", waiting);
    }
}
