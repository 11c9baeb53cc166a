package io.hindsight.it;

/**
 * Sections of the integration tests' job specs that every test shares: the fraud example's mapping
 * of the producers' records (as examples/fraud/spec.yaml has it) and the join settings.
 */
final class FraudSpecYaml {

    private FraudSpecYaml() {}

    /** The {@code inputs} section for the two topics, Confluent-framed Avro from the start. */
    static String inputs(String predictionsTopic, String feedbackTopic) {
        return """
                inputs:
                  predictions:
                    topic: %s
                    format: avro-confluent
                    starting-offsets: earliest
                    fields:
                      join-key: request.id
                      event-time: request.ts
                      model-name: model.name
                      model-version: model.version
                      score: fraud_probability
                    features:
                      - {name: amount, path: features.amount, type: numeric, min: 0, max: 50000}
                      - {name: account_age_days, path: features.account_age_days, type: numeric, min: 0}
                      - {name: merchant_category, path: features.merchant_category, type: categorical}
                      - {name: card_present, path: features.card_present, type: categorical}
                    tags:
                      country: context.country
                      channel: context.channel
                  feedback:
                    topic: %s
                    format: avro-confluent
                    starting-offsets: earliest
                    event-time-format: epoch-millis
                    fields:
                      join-key: payment_request_id
                      event-time: reported_at
                      feedback-id: chargeback_id
                      label: is_fraud
                    attributes:
                      reason_code: reason_code
                """
                .formatted(predictionsTopic, feedbackTopic);
    }

    /** The {@code join} section: the fraud example's policy and windows. */
    static String join(String endOfInput) {
        return """
                join:
                  label-window: 60d
                  early-feedback-hold: 1h
                  late-feedback-retention: 14d
                  out-of-orderness: 5m
                  # Far above anything a busy 2-core machine stalls for: a backlog must never be
                  # mistaken for a quiet topic in these tests (see the jobs README on idleness).
                  idleness: 10m
                  policy: first
                  end-of-input: %s
                """
                .formatted(endOfInput);
    }
}
