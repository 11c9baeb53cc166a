package io.hindsight.iceberg;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.UnmatchedFeedback;
import io.hindsight.schemas.UnmatchedKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Fully and minimally populated records of each Hindsight table, for tests. */
final class TestingRecords {

    static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123Z");

    private TestingRecords() {}

    static Prediction fullPrediction() {
        return Prediction.newBuilder()
                .setApplication("churn")
                .setPredictionId("p-1")
                .setEventTime(T0)
                .setModelName("churn-gbt")
                .setModelVersion("v7")
                .setScore(0.83)
                .setScores(Map.of("stay", 0.17, "leave", 0.83))
                .setPredictedClass("leave")
                .setPredictedValue(12.5)
                .setRankedItems(List.of("b", "a", "c"))
                .setOutputText("likely to churn")
                .setNumericFeatures(Map.of("tenure_days", 41.0))
                .setCategoricalFeatures(Map.of("plan", "basic"))
                .setTags(Map.of("country", "DE", "channel", "web"))
                .setDuplicate(true)
                .build();
    }

    static Prediction minimalPrediction() {
        return Prediction.newBuilder()
                .setApplication("churn")
                .setPredictionId("p-2")
                .setEventTime(T0)
                .setModelName("churn-gbt")
                .setModelVersion("v7")
                .build();
    }

    static Outcome fullOutcome() {
        return Outcome.newBuilder()
                .setApplication("churn")
                .setPredictionId("p-1")
                .setPredictionTime(T0)
                .setModelName("churn-gbt")
                .setModelVersion("v7")
                .setScore(0.83)
                .setScores(Map.of("stay", 0.17, "leave", 0.83))
                .setPredictedClass("leave")
                .setPredictedValue(12.5)
                .setRankedItems(List.of("b", "a"))
                .setOutputText("likely to churn")
                .setNumericFeatures(Map.of("tenure_days", 41.0, "spend", 9.99))
                .setCategoricalFeatures(Map.of("plan", "basic"))
                .setTags(Map.of("country", "DE"))
                .setStatus(OutcomeStatus.LABELED)
                .setPolicy("last")
                .setRevision(2)
                .setIsFinal(true)
                .setFeedbackCount(3)
                .setFeedbackId("f-9")
                .setFeedbackTime(T0.plusSeconds(3600))
                .setLabel(1.0)
                .setLabelClass("leave")
                .setLabelDelayMs(3_600_000L)
                .setResolvedTime(T0.plusSeconds(7200))
                .build();
    }

    static Outcome minimalOutcome() {
        return Outcome.newBuilder()
                .setApplication("churn")
                .setPredictionId("p-2")
                .setPredictionTime(T0)
                .setModelName("churn-gbt")
                .setModelVersion("v7")
                .setStatus(OutcomeStatus.EXPIRED)
                .setPolicy("first")
                .setRevision(1)
                .setIsFinal(true)
                .setFeedbackCount(0)
                .setResolvedTime(T0.plusSeconds(86_400))
                .build();
    }

    static UnmatchedFeedback fullUnmatched() {
        return UnmatchedFeedback.newBuilder()
                .setApplication("churn")
                .setFeedbackId("f-1")
                .setPredictionId("p-1")
                .setEventTime(T0)
                .setLabel(0.0)
                .setLabelClass("stay")
                .setAttributes(Map.of("source", "crm"))
                .setKind(UnmatchedKind.LATE)
                .setPredictionTime(T0.minusSeconds(60))
                .setReason("label window ended before the feedback arrived")
                .setResolvedTime(T0.plusMillis(1))
                .build();
    }

    static UnmatchedFeedback minimalUnmatched() {
        return UnmatchedFeedback.newBuilder()
                .setApplication("churn")
                .setFeedbackId("f-2")
                .setPredictionId("p-404")
                .setEventTime(T0)
                .setKind(UnmatchedKind.ORPHAN)
                .setReason("no prediction arrived within the hold time")
                .setResolvedTime(T0)
                .build();
    }
}
