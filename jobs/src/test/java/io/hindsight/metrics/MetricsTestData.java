package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.ExpiredAs;
import io.hindsight.spec.MetricName;
import io.hindsight.spec.MetricsTask;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/** Builders of predictions, outcome rows and configurations for the slice-metrics tests. */
final class MetricsTestData {

    static final long MIN = 60_000L;
    static final long HOUR = 60 * MIN;
    static final long DAY = 24 * HOUR;
    static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();

    private MetricsTestData() {}

    static SliceMetricsConfig config(
            MetricsTask task, ExpiredAs expiredAs, List<List<String>> slices) {
        return new SliceMetricsConfig(
                "app",
                task,
                DAY,
                3 * DAY,
                slices,
                EnumSet.copyOf(task.allowedMetrics()),
                0.5,
                3,
                expiredAs,
                10);
    }

    static Prediction.Builder prediction(String id, long time) {
        return Prediction.newBuilder()
                .setApplication("app")
                .setPredictionId(id)
                .setEventTime(Instant.ofEpochMilli(time))
                .setModelName("model")
                .setModelVersion("v1");
    }

    /** An outcome row carrying the prediction's fields. */
    static Outcome.Builder outcome(
            Prediction p,
            OutcomeStatus status,
            String policy,
            int revision,
            boolean isFinal,
            Double label,
            Long delayMs) {
        return Outcome.newBuilder()
                .setApplication(p.getApplication())
                .setPredictionId(p.getPredictionId())
                .setPredictionTime(p.getEventTime())
                .setModelName(p.getModelName())
                .setModelVersion(p.getModelVersion())
                .setScore(p.getScore())
                .setScores(p.getScores())
                .setPredictedClass(p.getPredictedClass())
                .setPredictedValue(p.getPredictedValue())
                .setRankedItems(p.getRankedItems())
                .setNumericFeatures(p.getNumericFeatures())
                .setCategoricalFeatures(p.getCategoricalFeatures())
                .setTags(p.getTags())
                .setStatus(status)
                .setPolicy(policy)
                .setRevision(revision)
                .setIsFinal(isFinal)
                .setFeedbackCount(status == OutcomeStatus.LABELED ? 1 : 0)
                .setLabel(label)
                .setLabelDelayMs(delayMs)
                .setResolvedTime(
                        Instant.ofEpochMilli(
                                p.getEventTime().toEpochMilli() + (delayMs == null ? 0 : delayMs)));
    }

    static Map<String, String> tags(String... kv) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static EnumSet<MetricName> all(MetricsTask task) {
        return EnumSet.copyOf(task.allowedMetrics());
    }
}
