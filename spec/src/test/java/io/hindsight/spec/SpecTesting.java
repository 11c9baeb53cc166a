package io.hindsight.spec;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

/** A minimal valid spec and helpers to break it in one place and read the errors. */
final class SpecTesting {

    /** Valid; line numbers matter to the pinned messages. */
    static final String BASE =
            """
            version: 1
            application: shop
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
                features:
                  - name: amount
                    type: numeric
                  - name: merchant
                    type: categorical
                tags:
                  country: context.country
                  channel: context.channel
              feedback:
                topic: feedback
                format: avro-confluent
                fields:
                  join-key: prediction_id
                  event-time: ts
                  label: is_fraud
            join:
              label-window: 60d
            drift: {}
            metrics:
              task: binary-classification
              slices: [[country], [channel, model_version]]
            alerts:
              - name: auc-low
                source: metrics
                metric: auc
                condition: {below: 0.8}
            """;

    private SpecTesting() {}

    /** BASE with each {@code old} (which must occur exactly once) replaced by its {@code new}. */
    static String edit(String... oldNew) {
        String yaml = BASE;
        for (int i = 0; i < oldNew.length; i += 2) {
            int at = yaml.indexOf(oldNew[i]);
            if (at < 0 || yaml.indexOf(oldNew[i], at + 1) >= 0) {
                throw new IllegalArgumentException("not exactly once in BASE: " + oldNew[i]);
            }
            yaml = yaml.replace(oldNew[i], oldNew[i + 1]);
        }
        return yaml;
    }

    /** The errors of an invalid spec, as the user sees them. */
    static List<String> errors(String yaml) {
        return errors(yaml, Map.of());
    }

    static List<String> errors(String yaml, Map<String, String> env) {
        List<String> out = new java.util.ArrayList<>();
        assertThatThrownBy(() -> SpecLoader.parse(yaml, env))
                .isInstanceOfSatisfying(
                        SpecException.class,
                        e -> e.errors().forEach(error -> out.add(error.toString())));
        return out;
    }
}
