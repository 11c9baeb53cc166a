package io.hindsight.drift;

import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** A drift spec and predictions for the drift tests. */
final class DriftTesting {

    static final long HOUR = 3_600_000L;

    /** A window start: 2026-03-02T00:00Z, a multiple of the hour. */
    static final long T0 = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();

    private DriftTesting() {}

    /**
     * A spec watching amount (numeric, range 0–1000), channel (categorical) and note (text, length)
     * plus the model outputs score, scores and predicted_class, in hourly windows.
     *
     * @param reference the YAML of {@code drift.reference}, e.g. {@code {type: rolling, windows:
     *     2}}
     * @param extraDrift further YAML lines of the drift section (indented by 2), or ""
     */
    static JobSpec spec(String reference, String extraDrift) {
        String yaml =
                """
                version: 1
                application: fraud
                kafka:
                  bootstrap-servers: localhost:9092
                  schema-registry:
                    url: http://registry:8081
                inputs:
                  predictions:
                    topic: predictions
                    format: avro-confluent
                    fields:
                      join-key: request.id
                      event-time: request.ts
                      model-name: model.name
                      model-version: model.version
                      score: score
                      scores: scores
                      predicted-class: predicted_class
                    features:
                      - {name: amount, type: numeric, min: 0, max: 1000}
                      - {name: channel, type: categorical}
                      - {name: note, type: text, projections: [length]}
                  feedback:
                    topic: feedback
                    format: avro-confluent
                    fields:
                      join-key: prediction_id
                      event-time: ts
                      label: is_fraud
                join:
                  label-window: 60d
                drift:
                  window: 1h
                  reference: %s
                %s
                """
                        .formatted(reference, extraDrift);
        return SpecLoader.parse(yaml, Map.of());
    }

    static JobSpec rolling(int windows) {
        return spec("{type: rolling, windows: " + windows + "}", "");
    }

    /** A prediction at {@code time} with every watched value (amount may be null: missing). */
    static Prediction prediction(
            String id, long time, Double amount, String channel, double score) {
        Map<String, Double> numeric = new HashMap<>();
        if (amount != null) {
            numeric.put("amount", amount);
        }
        numeric.put("note.length", 10.0 + (id.hashCode() & 7));
        Map<String, String> categorical = new HashMap<>();
        if (channel != null) {
            categorical.put("channel", channel);
        }
        return Prediction.newBuilder()
                .setApplication("fraud")
                .setPredictionId(id)
                .setEventTime(Instant.ofEpochMilli(time))
                .setModelName("fraud-scorer")
                .setModelVersion("v7")
                .setScore(score)
                .setScores(Map.of("fraud", score, "legit", 1 - score))
                .setPredictedClass(score > 0.5 ? "fraud" : "legit")
                .setNumericFeatures(numeric)
                .setCategoricalFeatures(categorical)
                .build();
    }
}
