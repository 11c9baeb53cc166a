package io.hindsight.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hindsight.ingest.CanonicalDeserializer;
import io.hindsight.registry.ConfluentAvroDecoder;
import io.hindsight.registry.ConfluentAvroEncoder;
import io.hindsight.registry.ConfluentWireFormat;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.registry.SchemaRegistryClient;
import io.hindsight.registry.SchemaRegistryException;
import io.hindsight.registry.StandInSchemaRegistry;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Prediction;
import io.hindsight.sim.ConfluentRecordEncoder;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hindsight's Confluent wire format against an independent implementation: Confluent's own
 * JavaScript client ({@code @confluentinc/schemaregistry} 1.10.1 from npm, on node), through one
 * schema registry.
 *
 * <p>The records are the fraud example's predictions (nested records, a {@code ["null", "int"]}
 * union, UTF-8 text) in two versions of the producer's schema: {@code
 * examples/fraud/prediction.avsc} and a v2 that adds an optional feature and an optional nested
 * record with an array of records, registered after v1 under the default BACKWARD compatibility.
 * Node registers both, encodes records of each, and decodes what Hindsight encoded.
 */
class ConfluentJsWireFormatITCase {

    private static final String TOPIC = "payments.fraud-scores";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration NODE_TIMEOUT = Duration.ofMinutes(2);

    private static StandInSchemaRegistry registry;
    private static SchemaRegistryClient client;
    private static NodeScripts node;
    private static Path work;
    private static Schema v1;
    private static Schema v2;

    @BeforeAll
    static void setUp() throws Exception {
        work = Path.of("target", "confluent-js").toAbsolutePath();
        node = NodeScripts.install("confluent-js", List.of("wire.js"), work);
        v1 = new Schema.Parser().parse(Files.readString(examples().resolve("prediction.avsc")));
        v2 = new Schema.Parser().parse(V2);
        registry = new StandInSchemaRegistry().start();
        client = RegistryConfig.of(registry.url()).create();
    }

    @AfterAll
    static void tearDown() {
        if (registry != null) {
            registry.close();
        }
    }

    /** v2: a new optional feature and a new optional nested record, both defaulting to null. */
    private static final String V2 =
            """
            {"type": "record", "name": "FraudScore", "namespace": "com.acme.payments", "fields": [
              {"name": "request", "type": {"type": "record", "name": "Request", "fields": [
                {"name": "id", "type": "string"},
                {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                {"name": "merchant_id", "type": "string"}]}},
              {"name": "model", "type": {"type": "record", "name": "ModelRef", "fields": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"}]}},
              {"name": "fraud_probability", "type": "double"},
              {"name": "features", "type": {"type": "record", "name": "Features", "fields": [
                {"name": "amount", "type": "double"},
                {"name": "account_age_days", "type": ["null", "int"], "default": null},
                {"name": "merchant_category", "type": "string"},
                {"name": "card_present", "type": "boolean"},
                {"name": "device_type", "type": ["null", "string"], "default": null}]}},
              {"name": "context", "type": {"type": "record", "name": "Context", "fields": [
                {"name": "country", "type": "string"},
                {"name": "channel", "type": "string"}]}},
              {"name": "explanation", "default": null, "type": ["null",
                {"type": "record", "name": "Explanation", "fields": [
                  {"name": "top_feature", "type": "string"},
                  {"name": "contributions", "type": {"type": "array", "items":
                    {"type": "record", "name": "Contribution", "fields": [
                      {"name": "feature", "type": "string"},
                      {"name": "weight", "type": "double"}]}}}]}]}
            ]}
            """;

    /** What each encoded record is: its schema (0 = v1, 1 = v2) and the record. */
    private record Case(int version, GenericRecord record) {}

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(
                new Case(
                        0,
                        v1(
                                "p-1",
                                1767225600000L,
                                "m-1",
                                0.91,
                                125.5,
                                412,
                                "grocery",
                                true,
                                "BR",
                                "web")));
        // A null in the union, UTF-8 beyond ASCII, a zero score and a false boolean.
        cases.add(
                new Case(
                        0,
                        v1(
                                "p-2",
                                1767225601234L,
                                "loja-são-paulo-☕",
                                0.0,
                                0.0,
                                null,
                                "cafés",
                                false,
                                "BR",
                                "pos")));
        cases.add(
                new Case(
                        0,
                        v1(
                                "p-3",
                                4102444799999L,
                                "m-3",
                                1.0,
                                49999.99,
                                0,
                                "travel",
                                true,
                                "US",
                                "app")));
        // v2 with both new fields set, a nested record holding an array of records.
        GenericRecord p4 =
                v2(
                        "p-4",
                        1767312000000L,
                        "m-4",
                        0.37,
                        12.25,
                        3,
                        "electronics",
                        false,
                        "DE",
                        "web",
                        "ios");
        p4.put(
                "explanation",
                explanation("amount", Map.of("amount", 0.42, "account_age_days", -0.11)));
        cases.add(new Case(1, p4));
        // v2 as the old producer's record: the new fields null.
        cases.add(
                new Case(
                        1,
                        v2(
                                "p-5",
                                1767312000001L,
                                "m-5",
                                0.5,
                                1.0,
                                null,
                                "grocery",
                                true,
                                "JP",
                                "pos",
                                null)));
        // v2 with an empty array inside the nested record.
        GenericRecord p6 =
                v2(
                        "p-6",
                        1767312000002L,
                        "m-6",
                        0.02,
                        7.0,
                        1000,
                        "fuel",
                        true,
                        "US",
                        "pos",
                        "android");
        p6.put("explanation", explanation("none", Map.of()));
        cases.add(new Case(1, p6));
        return cases;
    }

    @Test
    void recordsEncodedByConfluentsClientDecodeInHindsightToTheExpectedCanonicalValues()
            throws Exception {
        List<Case> cases = cases();
        ObjectNode request = request();
        ArrayNode encode = (ArrayNode) request.get("encode");
        for (Case c : cases) {
            encode.addObject().put("schema", c.version()).set("record", plain(c.record()));
        }
        JsonNode result = run(request);

        List<Integer> ids =
                List.of(result.get("ids").get(0).asInt(), result.get("ids").get(1).asInt());
        assertThat(ids.get(1)).as("v2 registered as a new schema").isNotEqualTo(ids.get(0));
        assertThat(client.latest(TOPIC + "-value").schema()).isEqualTo(v2);

        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(client);
        ConfluentAvroEncoder hindsightEncoder = ConfluentAvroEncoder.forTopicValue(client, TOPIC);
        CanonicalDeserializer<Prediction> canonical =
                CanonicalDeserializer.predictions(spec(), RegistryConfig.of(registry.url()));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            byte[] bytes = HexFormat.of().parseHex(result.get("encoded").get(i).asText());
            String what = "record " + c.record().get("request") + " (v" + (c.version() + 1) + ")";

            assertThat(bytes[0]).as(what + ": magic byte").isZero();
            assertThat(ConfluentWireFormat.schemaId(bytes))
                    .as(what + ": schema id")
                    .isEqualTo(ids.get(c.version()));
            assertThat(bytes)
                    .as(what + ": byte for byte what Hindsight's encoder writes")
                    .isEqualTo(hindsightEncoder.encode(c.record()));

            GenericRecord decoded = decoder.decode(bytes);
            assertThat(decoded.getSchema())
                    .as(what + ": writer schema")
                    .isEqualTo(c.version() == 0 ? v1 : v2);
            assertThat(decoded).as(what).isEqualTo(c.record());

            Either<DeadLetter, Prediction> mapped =
                    canonical.apply(
                            new ConsumerRecord<>(
                                    TOPIC,
                                    0,
                                    i,
                                    eventTime(c),
                                    TimestampType.CREATE_TIME,
                                    -1,
                                    bytes.length,
                                    key(c),
                                    bytes,
                                    new RecordHeaders(),
                                    Optional.empty()));
            assertThat(mapped.isRight())
                    .as(what + ": mapped, not a dead letter: " + mapped)
                    .isTrue();
            assertThat(mapped.right())
                    .as(what + ": canonical prediction")
                    .isEqualTo(expectedPrediction(c.record()));
        }
    }

    @Test
    void recordsEncodedByHindsightDecodeInConfluentsClientToTheSameJson() throws Exception {
        List<Case> cases = cases();
        // The simulator's encoder, which the demo and every ITCase publish through.
        ConfluentRecordEncoder encoder = new ConfluentRecordEncoder(client);
        ObjectNode request = request();
        ArrayNode decode = (ArrayNode) request.get("decode");
        for (Case c : cases) {
            decode.add(HexFormat.of().formatHex(encoder.encode(TOPIC, c.record())));
        }
        JsonNode result = run(request);

        for (int i = 0; i < cases.size(); i++) {
            JsonNode expected = plain(cases.get(i).record());
            JsonNode actual = result.get("decoded").get(i);
            assertThat(actual.equals(NUMBERS_BY_VALUE, expected))
                    .as(
                            "record %d decoded by Confluent's client:%n  %s%nexpected%n  %s",
                            i, actual, expected)
                    .isTrue();
        }
    }

    @Test
    void registryRefusalsReachConfluentsClientAndHindsightsAlike() throws Exception {
        // v3: a new field without a default, which v3 readers cannot fill in for v2 records.
        ObjectNode v3 = (ObjectNode) MAPPER.readTree(v2.toString());
        ((ArrayNode) v3.get("fields"))
                .addObject()
                .put("name", "merchant_risk")
                .put("type", "double");
        Schema v3Schema = new Schema.Parser().parse(v3.toString());
        byte[] unknownId = ConfluentWireFormat.frame(999_999, new byte[] {2, 'x'});

        ObjectNode request = request();
        ((ArrayNode) request.get("decode")).add(HexFormat.of().formatHex(unknownId));
        request.putArray("tryRegister").add(v3.toString());
        JsonNode result = run(request);

        JsonNode incompatible = result.get("tried").get(0).get("error");
        assertThat(incompatible).as("v3 refused: " + result.get("tried")).isNotNull();
        SchemaRegistryException hindsightIncompatible =
                catchThrowableOfType(
                        SchemaRegistryException.class,
                        () -> client.register(TOPIC + "-value", v3Schema));
        assertThat(
                        List.of(
                                incompatible.get("status").asInt(),
                                incompatible.get("errorCode").asInt()))
                .as("incompatible schema: (HTTP status, error code) in both clients")
                .isEqualTo(List.of(409, 409))
                .isEqualTo(
                        List.of(
                                hindsightIncompatible.httpStatus(),
                                hindsightIncompatible.errorCode()));

        JsonNode notFound = result.get("decoded").get(0).get("error");
        assertThat(notFound).as("unknown id refused: " + result.get("decoded")).isNotNull();
        SchemaRegistryException hindsightNotFound =
                catchThrowableOfType(SchemaRegistryException.class, () -> client.getById(999_999));
        assertThat(List.of(notFound.get("status").asInt(), notFound.get("errorCode").asInt()))
                .as("unknown schema id: (HTTP status, error code) in both clients")
                .isEqualTo(List.of(404, 40403))
                .isEqualTo(List.of(hindsightNotFound.httpStatus(), hindsightNotFound.errorCode()));
    }

    private static ObjectNode request() {
        ObjectNode request = MAPPER.createObjectNode();
        request.put("registry", registry.url());
        request.put("topic", TOPIC);
        request.putArray("schemas").add(v1.toString()).add(v2.toString());
        request.putArray("encode");
        request.putArray("decode");
        return request;
    }

    private static JsonNode run(ObjectNode request) throws Exception {
        Path file = Files.createTempFile(work, "request-", ".json");
        try {
            Files.writeString(file, MAPPER.writeValueAsString(request));
            return MAPPER.readTree(node.node("wire.js", List.of(file.toString()), NODE_TIMEOUT));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A record as plain JSON: unions unwrapped, longs as numbers. What a JavaScript producer holds
     * (and what avsc, under Confluent's client, reads and writes).
     */
    private static JsonNode plain(GenericRecord record) throws Exception {
        return MAPPER.readTree(GenericData.get().toString(record));
    }

    /** Numbers equal by value: 1.0 from Java is 1 from JavaScript. */
    private static final Comparator<JsonNode> NUMBERS_BY_VALUE =
            (a, b) -> {
                if (a.isNumber() && b.isNumber()) {
                    return Double.compare(a.doubleValue(), b.doubleValue());
                }
                return a.equals(b) ? 0 : 1;
            };

    /** The spec's mapping of the example, done by hand: what Hindsight must make of a record. */
    private static Prediction expectedPrediction(GenericRecord r) {
        GenericRecord request = (GenericRecord) r.get("request");
        GenericRecord model = (GenericRecord) r.get("model");
        GenericRecord features = (GenericRecord) r.get("features");
        GenericRecord context = (GenericRecord) r.get("context");
        Map<String, Double> numeric = new LinkedHashMap<>();
        numeric.put("amount", (Double) features.get("amount"));
        if (features.get("account_age_days") != null) {
            numeric.put(
                    "account_age_days", ((Integer) features.get("account_age_days")).doubleValue());
        }
        Map<String, String> categorical = new LinkedHashMap<>();
        categorical.put("merchant_category", features.get("merchant_category").toString());
        categorical.put("card_present", features.get("card_present").toString());
        if (features.hasField("device_type") && features.get("device_type") != null) {
            categorical.put("device_type", features.get("device_type").toString());
        }
        if (r.hasField("explanation") && r.get("explanation") != null) {
            categorical.put(
                    "top_feature",
                    ((GenericRecord) r.get("explanation")).get("top_feature").toString());
        }
        return Prediction.newBuilder()
                .setApplication("fraud")
                .setPredictionId(request.get("id").toString())
                .setEventTime(Instant.ofEpochMilli((Long) request.get("ts")))
                .setModelName(model.get("name").toString())
                .setModelVersion(model.get("version").toString())
                .setScore((Double) r.get("fraud_probability"))
                .setNumericFeatures(numeric)
                .setCategoricalFeatures(categorical)
                .setTags(
                        Map.of(
                                "country",
                                context.get("country").toString(),
                                "channel",
                                context.get("channel").toString()))
                .build();
    }

    /** The fraud example's mapping, plus the two fields only v2 has. */
    private static JobSpec spec() {
        String yaml =
                """
                version: 1
                application: fraud
                kafka:
                  bootstrap-servers: 127.0.0.1:9
                  group-id: wire-format
                  schema-registry:
                    url: %s
                inputs:
                  predictions:
                    topic: %s
                    format: avro-confluent
                    fields:
                      join-key: request.id
                      event-time: request.ts
                      model-name: model.name
                      model-version: model.version
                      score: fraud_probability
                    features:
                      - {name: amount, path: features.amount, type: numeric}
                      - {name: account_age_days, path: features.account_age_days, type: numeric}
                      - {name: merchant_category, path: features.merchant_category, type: categorical}
                      - {name: card_present, path: features.card_present, type: categorical}
                      - {name: device_type, path: features.device_type, type: categorical}
                      - {name: top_feature, path: explanation.top_feature, type: categorical}
                    tags:
                      country: context.country
                      channel: context.channel
                  feedback:
                    topic: payments.chargebacks
                    format: avro-confluent
                    event-time-format: epoch-millis
                    fields:
                      join-key: payment_request_id
                      event-time: reported_at
                      feedback-id: chargeback_id
                      label: is_fraud
                join:
                  label-window: 60d
                """
                        .formatted(registry.url(), TOPIC);
        return SpecLoader.parse(yaml, Map.of());
    }

    /** The Kafka record's timestamp: the event time, as a producer that sets it writes. */
    private static long eventTime(Case c) {
        return (Long) ((GenericRecord) c.record().get("request")).get("ts");
    }

    private static byte[] key(Case c) {
        return ((GenericRecord) c.record().get("request"))
                .get("id")
                .toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static GenericRecord v1(
            String id,
            long ts,
            String merchant,
            double score,
            double amount,
            Integer ageDays,
            String category,
            boolean cardPresent,
            String country,
            String channel) {
        return record(
                v1,
                id,
                ts,
                merchant,
                score,
                amount,
                ageDays,
                category,
                cardPresent,
                country,
                channel);
    }

    private static GenericRecord v2(
            String id,
            long ts,
            String merchant,
            double score,
            double amount,
            Integer ageDays,
            String category,
            boolean cardPresent,
            String country,
            String channel,
            String device) {
        GenericRecord r =
                record(
                        v2,
                        id,
                        ts,
                        merchant,
                        score,
                        amount,
                        ageDays,
                        category,
                        cardPresent,
                        country,
                        channel);
        ((GenericRecord) r.get("features")).put("device_type", device);
        return r;
    }

    private static GenericRecord record(
            Schema schema,
            String id,
            long ts,
            String merchant,
            double score,
            double amount,
            Integer ageDays,
            String category,
            boolean cardPresent,
            String country,
            String channel) {
        Schema features = schema.getField("features").schema();
        return new GenericRecordBuilder(schema)
                .set(
                        "request",
                        new GenericRecordBuilder(schema.getField("request").schema())
                                .set("id", id)
                                .set("ts", ts)
                                .set("merchant_id", merchant)
                                .build())
                .set(
                        "model",
                        new GenericRecordBuilder(schema.getField("model").schema())
                                .set("name", "fraud")
                                .set("version", "v7")
                                .build())
                .set("fraud_probability", score)
                .set(
                        "features",
                        new GenericRecordBuilder(features)
                                .set("amount", amount)
                                .set("account_age_days", ageDays)
                                .set("merchant_category", category)
                                .set("card_present", cardPresent)
                                .build())
                .set(
                        "context",
                        new GenericRecordBuilder(schema.getField("context").schema())
                                .set("country", country)
                                .set("channel", channel)
                                .build())
                .build();
    }

    private static GenericRecord explanation(String top, Map<String, Double> weights) {
        Schema explanation = v2.getField("explanation").schema().getTypes().get(1);
        Schema contribution = explanation.getField("contributions").schema().getElementType();
        List<GenericRecord> contributions = new ArrayList<>();
        new java.util.TreeMap<>(weights)
                .forEach(
                        (feature, weight) ->
                                contributions.add(
                                        new GenericRecordBuilder(contribution)
                                                .set("feature", feature)
                                                .set("weight", weight)
                                                .build()));
        return new GenericRecordBuilder(explanation)
                .set("top_feature", top)
                .set("contributions", contributions)
                .build();
    }

    private static Path examples() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("examples/fraud"))) {
                return dir.resolve("examples/fraud");
            }
        }
        throw new IllegalStateException(
                "examples/fraud not found above " + Path.of("").toAbsolutePath());
    }
}
