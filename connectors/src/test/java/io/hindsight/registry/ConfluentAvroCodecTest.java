package io.hindsight.registry;

import static io.hindsight.registry.TestSchemas.FEEDBACK;
import static io.hindsight.registry.TestSchemas.PREDICTION_V1;
import static io.hindsight.registry.TestSchemas.PREDICTION_V2_COMPATIBLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConfluentAvroCodecTest {

    private StandInSchemaRegistry registry;
    private SchemaRegistryClient client;
    private ConfluentAvroEncoder encoder;

    @BeforeEach
    void start() throws Exception {
        registry = new StandInSchemaRegistry().start();
        client = RegistryConfig.of(registry.url()).create();
        encoder = ConfluentAvroEncoder.forTopicValue(client, "predictions");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void roundTripsNestedRecordsAndEveryUnionBranch() throws Exception {
        GenericRecord withNull = prediction("r-1", null, null);
        GenericRecord withLong = prediction("r-2", "spam", 1_700_000_000_000L);
        GenericRecord withClick =
                prediction(
                        "r-3",
                        "ham",
                        new GenericRecordBuilder(
                                        PREDICTION_V1
                                                .getField("outcome")
                                                .schema()
                                                .getTypes()
                                                .get(2))
                                .set("position", 3)
                                .build());
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(client);

        for (GenericRecord record : List.of(withNull, withLong, withClick)) {
            byte[] bytes = encoder.encode(record);
            assertThat(ConfluentWireFormat.schemaId(bytes))
                    .isEqualTo(client.latest("predictions-value").id());
            assertThat(decoder.decode(bytes))
                    .as("decoded %s", record.get("request_id"))
                    .isEqualTo(record);
        }
        GenericRecord decoded = decoder.decode(encoder.encode(withClick));
        assertThat(((GenericRecord) decoded.get("model")).get("version")).isEqualTo(7);
        assertThat(((GenericRecord) decoded.get("outcome")).get("position")).isEqualTo(3);
        assertThat(decoded.get("label")).isEqualTo(new Utf8("ham"));
    }

    @Test
    void encoderRegistersOnceAndDecoderFetchesEachSchemaOnce() throws Exception {
        ConfluentAvroDecoder decoder =
                new ConfluentAvroDecoder(RegistryConfig.of(registry.url()).create());
        for (int i = 0; i < 3; i++) {
            decoder.decode(encoder.encode(prediction("r-" + i, null, null)));
        }
        int id = client.latest("predictions-value").id();

        assertThat(encoder.subject()).isEqualTo("predictions-value");
        assertThat(registry.requestCount("POST", "/subjects/predictions-value/versions"))
                .isEqualTo(1);
        assertThat(registry.requestCount("GET", "/schemas/ids/" + id)).isEqualTo(1);
    }

    @Test
    void readerSchemaResolvesOlderWriters() throws Exception {
        byte[] v1Bytes = encoder.encode(prediction("r-1", null, null));
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(client, PREDICTION_V2_COMPATIBLE);

        GenericRecord decoded = decoder.decode(v1Bytes);

        assertThat(decoded.getSchema()).isEqualTo(PREDICTION_V2_COMPATIBLE);
        assertThat(decoded.get("channel")).hasToString("web");
        assertThat(decoded.get("request_id")).hasToString("r-1");
    }

    @Test
    void readerSchemaThatCannotReadTheWriterIsIncompatibleSchema() throws Exception {
        byte[] feedback =
                ConfluentAvroEncoder.forTopicValue(client, "feedback")
                        .encode(
                                new GenericRecordBuilder(FEEDBACK)
                                        .set("request_id", "r-1")
                                        .set("clicked", true)
                                        .build());
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(client, PREDICTION_V1);

        assertThatThrownBy(() -> decoder.decode(feedback))
                .asInstanceOf(type(DecodeException.class))
                .satisfies(
                        e -> {
                            assertThat(e.code()).isEqualTo(DecodeException.INCOMPATIBLE_SCHEMA);
                            assertThat(e.getMessage())
                                    .startsWith(
                                            "writer schema "
                                                    + ConfluentWireFormat.schemaId(feedback)
                                                    + " (test.hindsight.Feedback) cannot be read"
                                                    + " as test.hindsight.Prediction: ");
                        });
    }

    @Test
    void unknownSchemaIdIsReportedWithTheId() {
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(client);
        byte[] bytes = ConfluentWireFormat.frame(4242, new byte[] {2, 'a'});

        assertThatThrownBy(() -> decoder.decode(bytes))
                .asInstanceOf(type(DecodeException.class))
                .satisfies(
                        e -> {
                            assertThat(e.code()).isEqualTo(DecodeException.UNKNOWN_SCHEMA_ID);
                            assertThat(e)
                                    .hasMessage(
                                            "schema id 4242 is not in the schema registry (schema"
                                                    + " registry at "
                                                    + registry.url()
                                                    + " refused GET /schemas/ids/4242: HTTP 404,"
                                                    + " error_code 40403: Schema 4242 not found);"
                                                    + " was the record produced against another"
                                                    + " registry?");
                        });
    }

    @Test
    void garbageThatIsNotFramedIsNotConfluentFramed() {
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(client);
        byte[] json = "{\"request_id\": \"r-1\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> decoder.decode(json))
                .asInstanceOf(type(DecodeException.class))
                .satisfies(
                        e -> {
                            assertThat(e.code()).isEqualTo(DecodeException.NOT_CONFLUENT_FRAMED);
                            assertThat(e)
                                    .hasMessage(
                                            "unknown magic byte 0x7b (expected 0x00): the record"
                                                    + " is not in the Confluent wire format — is"
                                                    + " the topic JSON?");
                        });
        assertThatThrownBy(() -> decoder.decode(new byte[] {0, 0}))
                .asInstanceOf(type(DecodeException.class))
                .extracting(DecodeException::code)
                .isEqualTo(DecodeException.NOT_CONFLUENT_FRAMED);
    }

    @Test
    void garbagePayloadBehindAValidHeaderIsCorruptAvro() throws Exception {
        int id = client.register("feedback-value", FEEDBACK);
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(client);
        // 0x01 is the zig-zag varint -1: a negative string length.
        byte[] bytes = ConfluentWireFormat.frame(id, new byte[] {0x01, 0x7f, 0x7f});

        assertThatThrownBy(() -> decoder.decode(bytes))
                .asInstanceOf(type(DecodeException.class))
                .satisfies(
                        e -> {
                            assertThat(e.code()).isEqualTo(DecodeException.CORRUPT_AVRO);
                            assertThat(e.getMessage())
                                    .startsWith(
                                            "record does not decode with its writer schema "
                                                    + id
                                                    + ": ")
                                    .contains("negative");
                        });
    }

    @Test
    void truncatedPayloadIsCorruptAvro() throws Exception {
        byte[] whole = encoder.encode(prediction("r-1", "spam", 5L));
        byte[] truncated = Arrays.copyOf(whole, whole.length - 4);
        int id = ConfluentWireFormat.schemaId(whole);
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(client);

        assertThatThrownBy(() -> decoder.decode(truncated))
                .asInstanceOf(type(DecodeException.class))
                .satisfies(
                        e -> {
                            assertThat(e.code()).isEqualTo(DecodeException.CORRUPT_AVRO);
                            assertThat(e)
                                    .hasMessage(
                                            "record does not decode with its writer schema "
                                                    + id
                                                    + ": the Avro payload ("
                                                    + (truncated.length - 5)
                                                    + " bytes) ends before the record does;"
                                                    + " truncated record?");
                        });
        assertThat(decoder.decode(whole).get("request_id")).hasToString("r-1");
    }

    @Test
    void trailingBytesAreCorruptAvro() throws Exception {
        byte[] whole = encoder.encode(prediction("r-1", null, null));
        byte[] padded = Arrays.copyOf(whole, whole.length + 2);
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(client);

        assertThatThrownBy(() -> decoder.decode(padded))
                .asInstanceOf(type(DecodeException.class))
                .satisfies(
                        e -> {
                            assertThat(e.code()).isEqualTo(DecodeException.CORRUPT_AVRO);
                            assertThat(e.getMessage())
                                    .endsWith(
                                            ": 2 bytes left after the record; the payload was not"
                                                    + " written with this schema");
                        });
    }

    @Test
    void unreachableRegistryIsRegistryUnavailable() throws Exception {
        String deadUrl = "http://127.0.0.1:" + RestSchemaRegistryClientTest.freePort();
        ConfluentAvroDecoder decoder =
                new ConfluentAvroDecoder(RegistryConfig.of(deadUrl).create());

        assertThatThrownBy(() -> decoder.decode(ConfluentWireFormat.frame(1, new byte[] {0})))
                .asInstanceOf(type(DecodeException.class))
                .satisfies(
                        e -> {
                            assertThat(e.code()).isEqualTo(DecodeException.REGISTRY_UNAVAILABLE);
                            assertThat(e)
                                    .hasMessage(
                                            "cannot fetch writer schema 1: cannot reach the schema"
                                                    + " registry at "
                                                    + deadUrl
                                                    + " for GET /schemas/ids/1: connection refused"
                                                    + " or host unreachable; is the registry"
                                                    + " running and the url right?");
                        });
    }

    private static GenericRecord prediction(String requestId, String label, Object outcome) {
        Schema modelSchema = PREDICTION_V1.getField("model").schema();
        return new GenericRecordBuilder(PREDICTION_V1)
                .set("request_id", requestId)
                .set("score", 0.75)
                .set("label", label)
                .set(
                        "model",
                        new GenericRecordBuilder(modelSchema)
                                .set("name", "ranker")
                                .set("version", 7)
                                .build())
                .set("features", Map.of("age", 31.0, "tenure_days", 412.0))
                .set("tags", List.of("new_user", "mobile"))
                .set("outcome", outcome)
                .build();
    }
}
