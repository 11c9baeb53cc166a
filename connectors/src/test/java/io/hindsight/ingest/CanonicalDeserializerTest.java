package io.hindsight.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.registry.ConfluentAvroEncoder;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.registry.StandInSchemaRegistry;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.InputStream;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Decoding and mapping of the fraud example's own records, and every dead-letter reason. */
class CanonicalDeserializerTest {

    static final Path EXAMPLES = Path.of(System.getProperty("hindsight.home"), "examples", "fraud");
    static final long T = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();

    static Schema predictionSchema;
    static Schema feedbackSchema;
    static StandInSchemaRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        predictionSchema = new Schema.Parser().parse(EXAMPLES.resolve("prediction.avsc").toFile());
        feedbackSchema = new Schema.Parser().parse(EXAMPLES.resolve("feedback.avsc").toFile());
        registry = new StandInSchemaRegistry();
        registry.start();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static JobSpec spec(String format, String extraPredictionFeature) {
        String yaml =
                """
                version: 1
                application: fraud
                kafka:
                  bootstrap-servers: localhost:9092
                  schema-registry:
                    url: %s
                inputs:
                  predictions:
                    topic: preds
                    format: %s
                %s
                    fields:
                      join-key: request.id
                      event-time: request.ts
                      model-name: model.name
                      model-version: model.version
                      score: fraud_probability
                    features:
                      - {name: amount, path: features.amount, type: numeric}
                      - {name: account_age_days, path: features.account_age_days, type: numeric}
                      - {name: card_present, path: features.card_present, type: categorical}
                %s
                    tags:
                      country: context.country
                  feedback:
                    topic: fb
                    format: %s
                %s
                    event-time-format: epoch-millis
                    fields:
                      join-key: payment_request_id
                      event-time: reported_at
                      feedback-id: chargeback_id
                      label: is_fraud
                    attributes:
                      reason_code: reason_code
                join:
                  label-window: 60d
                """
                        .formatted(
                                registry.url(),
                                format,
                                schemaFile(format, "prediction.avsc"),
                                extraPredictionFeature,
                                format,
                                schemaFile(format, "feedback.avsc"));
        return SpecLoader.parse(yaml, Map.of());
    }

    /** The schema file line for Avro formats; JSON has none. */
    static String schemaFile(String format, String file) {
        return format.equals("json") ? "" : "    schema-file: " + EXAMPLES.resolve(file);
    }

    static GenericRecord payment(String id, long ts, Object probability) {
        GenericRecord r = new GenericData.Record(predictionSchema);
        GenericRecord request =
                new GenericData.Record(predictionSchema.getField("request").schema());
        request.put("id", id);
        request.put("ts", ts);
        request.put("merchant_id", "m-1");
        GenericRecord model = new GenericData.Record(predictionSchema.getField("model").schema());
        model.put("name", "fraud-scorer");
        model.put("version", "v7");
        GenericRecord features =
                new GenericData.Record(predictionSchema.getField("features").schema());
        features.put("amount", 120.5);
        features.put("account_age_days", null);
        features.put("merchant_category", "grocery");
        features.put("card_present", true);
        GenericRecord context =
                new GenericData.Record(predictionSchema.getField("context").schema());
        context.put("country", "BR");
        context.put("channel", "web");
        r.put("request", request);
        r.put("model", model);
        r.put("fraud_probability", probability);
        r.put("features", features);
        r.put("context", context);
        return r;
    }

    static GenericRecord chargeback(String id, String paymentId, long ts) {
        GenericRecord r = new GenericData.Record(feedbackSchema);
        r.put("chargeback_id", id);
        r.put("payment_request_id", paymentId);
        r.put("reported_at", ts);
        r.put("is_fraud", true);
        r.put("reason_code", "4837");
        return r;
    }

    static byte[] plainAvro(GenericRecord r) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, enc);
        enc.flush();
        return out.toByteArray();
    }

    static ConsumerRecord<byte[], byte[]> kafka(String topic, byte[] value, long timestamp) {
        return new ConsumerRecord<>(
                topic,
                1,
                42L,
                timestamp,
                TimestampType.CREATE_TIME,
                3,
                value == null ? 0 : value.length,
                "k".getBytes(StandardCharsets.UTF_8),
                value,
                new RecordHeaders(),
                java.util.Optional.empty());
    }

    static DeadLetter dead(Either<DeadLetter, ?> e) {
        assertThat(e.isLeft()).as("expected a dead letter").isTrue();
        return e.left();
    }

    @Test
    void mapsConfluentFramedPredictionWithNestedFields() {
        JobSpec spec = spec("avro-confluent", "");
        var deserializer =
                CanonicalDeserializer.predictions(spec, RegistryConfig.of(registry.url()));
        byte[] bytes =
                ConfluentAvroEncoder.forTopicValue(
                                RegistryConfig.of(registry.url()).create(), "preds")
                        .encode(payment("pay-1", T, 0.87));

        Either<DeadLetter, Prediction> e = deserializer.apply(kafka("preds", bytes, T));

        assertThat(e.isRight()).isTrue();
        Prediction p = e.right();
        assertThat(p.getApplication()).isEqualTo("fraud");
        assertThat(p.getPredictionId()).isEqualTo("pay-1");
        assertThat(p.getEventTime()).isEqualTo(Instant.ofEpochMilli(T));
        assertThat(p.getModelName()).isEqualTo("fraud-scorer");
        assertThat(p.getModelVersion()).isEqualTo("v7");
        assertThat(p.getScore()).isEqualTo(0.87);
        assertThat(p.getNumericFeatures()).containsExactly(Map.entry("amount", 120.5));
        assertThat(p.getCategoricalFeatures()).containsExactly(Map.entry("card_present", "true"));
        assertThat(p.getTags()).containsExactly(Map.entry("country", "BR"));
    }

    @Test
    void mapsPlainAvroFeedbackWithBooleanLabel() throws Exception {
        JobSpec spec = spec("avro", "");
        var deserializer = CanonicalDeserializer.feedback(spec, null);
        Either<DeadLetter, Feedback> e =
                deserializer.apply(
                        kafka("fb", plainAvro(chargeback("cb-9", "pay-1", T + 5)), T + 5));
        assertThat(e.isRight()).isTrue();
        Feedback f = e.right();
        assertThat(f.getFeedbackId()).isEqualTo("cb-9");
        assertThat(f.getPredictionId()).isEqualTo("pay-1");
        assertThat(f.getLabel()).isEqualTo(1.0);
        assertThat(f.getEventTime()).isEqualTo(Instant.ofEpochMilli(T + 5));
        assertThat(f.getAttributes()).containsExactly(Map.entry("reason_code", "4837"));
    }

    @Test
    void garbageBytesAreDeadLetteredWithOriginalBytesAndOrigin() {
        var deserializer =
                CanonicalDeserializer.predictions(
                        spec("avro-confluent", ""), RegistryConfig.of(registry.url()));
        byte[] garbage = "{not avro".getBytes(StandardCharsets.UTF_8);
        DeadLetter d = dead(deserializer.apply(kafka("preds", garbage, T)));
        assertThat(d.getErrorCode()).isEqualTo("NOT_CONFLUENT_FRAMED");
        assertThat(d.getSourceTopic()).isEqualTo("preds");
        assertThat(d.getSourcePartition()).isEqualTo(1);
        assertThat(d.getSourceOffset()).isEqualTo(42L);
        assertThat(d.getStream()).isEqualTo(InputStream.PREDICTIONS);
        assertThat(d.getValue().array()).isEqualTo(garbage);
        assertThat(d.getSourceTimestamp()).isEqualTo(Instant.ofEpochMilli(T));
    }

    @Test
    void unknownSchemaIdIsDeadLettered() {
        var deserializer =
                CanonicalDeserializer.predictions(
                        spec("avro-confluent", ""), RegistryConfig.of(registry.url()));
        byte[] framed = {0, 0, 0, 0x7f, 0x7f, 2, 3};
        assertThat(dead(deserializer.apply(kafka("preds", framed, T))).getErrorCode())
                .isEqualTo("UNKNOWN_SCHEMA_ID");
    }

    @Test
    void emptyJoinKeyIsDeadLettered() throws Exception {
        var deserializer = CanonicalDeserializer.predictions(spec("avro", ""), null);
        DeadLetter d =
                dead(deserializer.apply(kafka("preds", plainAvro(payment("  ", T, 0.5)), T)));
        assertThat(d.getErrorCode()).isEqualTo("EMPTY_JOIN_KEY");
        assertThat(d.getReason()).isEqualTo("field 'request.id' (join key) is empty");
    }

    @Test
    void timestampFarInTheFutureIsDeadLettered() throws Exception {
        var deserializer = CanonicalDeserializer.predictions(spec("avro", ""), null);
        long future = Instant.parse("2099-01-01T00:00:00Z").toEpochMilli();
        DeadLetter d =
                dead(deserializer.apply(kafka("preds", plainAvro(payment("p", future, 0.5)), T)));
        assertThat(d.getErrorCode()).isEqualTo("TIMESTAMP_OUT_OF_RANGE");
        assertThat(d.getReason())
                .startsWith("event time 2099-01-01T00:00:00Z in field 'request.ts' is ")
                .endsWith(
                        " h ahead of the Kafka record timestamp 2026-03-01T12:00:00Z; at most PT24H"
                                + " ahead is accepted (inputs.max-event-time-lead)");
    }

    @Test
    void timestampFarInThePastIsDeadLettered() throws Exception {
        var deserializer = CanonicalDeserializer.feedback(spec("avro", ""), null);
        DeadLetter d =
                dead(deserializer.apply(kafka("fb", plainAvro(chargeback("c", "p", 0L)), T)));
        assertThat(d.getErrorCode()).isEqualTo("TIMESTAMP_OUT_OF_RANGE");
        assertThat(d.getStream()).isEqualTo(InputStream.FEEDBACK);
    }

    @Test
    void tombstoneIsDeadLettered() {
        var deserializer = CanonicalDeserializer.feedback(spec("avro", ""), null);
        DeadLetter d = dead(deserializer.apply(kafka("fb", null, T)));
        assertThat(d.getErrorCode()).isEqualTo("NO_VALUE");
        assertThat(d.getValue()).isNull();
    }

    @Test
    void wrongTypeForTheScoreIsDeadLettered() throws Exception {
        String json =
                """
                {"request": {"id": "p-1", "ts": %d}, "model": {"name": "m", "version": "v1"},
                 "fraud_probability": "high", "features": {}, "context": {"country": "DE"}}
                """
                        .formatted(T);
        Path schemaFree = Files.createTempFile("hindsight", ".json");
        try {
            var deserializer = CanonicalDeserializer.predictions(spec("json", ""), null);
            DeadLetter d =
                    dead(
                            deserializer.apply(
                                    kafka("preds", json.getBytes(StandardCharsets.UTF_8), T)));
            assertThat(d.getErrorCode()).isEqualTo("WRONG_TYPE");
            assertThat(d.getReason())
                    .isEqualTo(
                            "field 'fraud_probability' (score) holds the text 'high'; expected a"
                                    + " number or boolean");
        } finally {
            Files.deleteIfExists(schemaFree);
        }
    }

    @Test
    void jsonWithIsoTimestampAndBadFeatureTypeKeepsThePrediction() {
        String json =
                """
                {"request": {"id": "p-1", "ts": "2026-03-01T12:00:00Z"},
                 "model": {"name": "m", "version": "v1"}, "fraud_probability": 0.25,
                 "features": {"amount": "n/a", "account_age_days": 30, "card_present": false},
                 "context": {"country": "DE"}}
                """;
        var deserializer = CanonicalDeserializer.predictions(spec("json", ""), null);
        Either<DeadLetter, Prediction> e =
                deserializer.apply(kafka("preds", json.getBytes(StandardCharsets.UTF_8), T));
        assertThat(e.isRight()).isTrue();
        assertThat(e.right().getEventTime()).isEqualTo(Instant.ofEpochMilli(T));
        assertThat(e.right().getNumericFeatures())
                .containsExactly(Map.entry("account_age_days", 30.0));
        assertThat(e.right().getCategoricalFeatures())
                .containsExactly(Map.entry("card_present", "false"));
    }

    @Test
    void missingEventTimeIsDeadLettered() {
        String json =
                """
                {"request": {"id": "p-1"}, "model": {"name": "m", "version": "v1"},
                 "fraud_probability": 0.25}
                """;
        var deserializer = CanonicalDeserializer.predictions(spec("json", ""), null);
        DeadLetter d =
                dead(deserializer.apply(kafka("preds", json.getBytes(StandardCharsets.UTF_8), T)));
        assertThat(d.getErrorCode()).isEqualTo("MISSING_FIELD");
        assertThat(d.getReason()).isEqualTo("field 'request.ts' (event time) is missing or null");
    }

    @Test
    void notJsonIsDeadLettered() {
        var deserializer = CanonicalDeserializer.predictions(spec("json", ""), null);
        DeadLetter d =
                dead(deserializer.apply(kafka("preds", new byte[] {0, 1, 2, (byte) 0xff}, T)));
        assertThat(d.getErrorCode()).isEqualTo("CORRUPT_JSON");
    }

    @Test
    void textProjectionsBecomeNumericFeatures() {
        assertThat(
                        PredictionMapper.project(
                                "Hello, world!\nBye", io.hindsight.spec.TextProjection.TOKEN_COUNT))
                .isEqualTo(5.0);
        assertThat(PredictionMapper.project("héllo", io.hindsight.spec.TextProjection.LENGTH))
                .isEqualTo(5.0);
        assertThat(
                        PredictionMapper.project(
                                "a\nb\r\nc", io.hindsight.spec.TextProjection.LINE_COUNT))
                .isEqualTo(3.0);
    }

    @Test
    void contentIdIsStableForExactResends() {
        byte[] a = "same bytes".getBytes(StandardCharsets.UTF_8);
        assertThat(FeedbackMapper.contentId(a)).isEqualTo(FeedbackMapper.contentId(a.clone()));
        assertThat(FeedbackMapper.contentId(a))
                .isNotEqualTo(FeedbackMapper.contentId("other".getBytes(StandardCharsets.UTF_8)));
    }
}
