package io.hindsight.registry;

import static io.hindsight.registry.TestSchemas.FEEDBACK;
import static io.hindsight.registry.TestSchemas.PREDICTION_V1;
import static io.hindsight.registry.TestSchemas.PREDICTION_V2_COMPATIBLE;
import static io.hindsight.registry.TestSchemas.PREDICTION_V2_INCOMPATIBLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {

    private StandInSchemaRegistry registry;
    private SchemaRegistryClient client;

    @BeforeEach
    void startRegistry() throws Exception {
        registry = new StandInSchemaRegistry().start();
        client = RegistryConfig.of(registry.url()).create();
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    @Test
    void registersFetchesByIdAndReadsLatest() {
        int id = client.register("predictions-value", PREDICTION_V1);

        SchemaRegistryClient fresh = RegistryConfig.of(registry.url()).create();
        assertThat(fresh.getById(id)).isEqualTo(PREDICTION_V1);
        assertThat(fresh.latest("predictions-value"))
                .isEqualTo(new RegisteredSchema("predictions-value", id, 1, PREDICTION_V1));
        assertThat(fresh.lookup("predictions-value", PREDICTION_V1)).isEqualTo(id);
    }

    @Test
    void evolvesASubjectVersionByVersion() {
        int v1 = client.register("predictions-value", PREDICTION_V1);
        int v2 = client.register("predictions-value", PREDICTION_V2_COMPATIBLE);

        assertThat(v2).isNotEqualTo(v1);
        assertThat(client.latest("predictions-value"))
                .isEqualTo(
                        new RegisteredSchema("predictions-value", v2, 2, PREDICTION_V2_COMPATIBLE));
        assertThat(client.register("predictions-value", PREDICTION_V1))
                .as("re-registering an old version returns its id")
                .isEqualTo(v1);
    }

    @Test
    void identicalSchemaUnderTwoSubjectsSharesOneId() {
        int first = client.register("a-value", FEEDBACK);
        int second = client.register("b-value", FEEDBACK);

        assertThat(second).isEqualTo(first);
        assertThat(client.latest("b-value").version()).isEqualTo(1);
    }

    @Test
    void subjectsWithSlashesAndSpacesAreEncoded() {
        int id = client.register("team a/predictions-value", FEEDBACK);

        assertThat(client.latest("team a/predictions-value").id()).isEqualTo(id);
        assertThat(registry.requestCount("POST", "/subjects/team%20a%2Fpredictions-value/versions"))
                .isEqualTo(1);
    }

    @Test
    void compatibilityIsCheckedAgainstTheLatestVersion() {
        assertThat(client.isCompatible("predictions-value", PREDICTION_V1))
                .as("a subject without versions accepts anything")
                .isTrue();
        client.register("predictions-value", PREDICTION_V1);

        assertThat(client.isCompatible("predictions-value", PREDICTION_V2_COMPATIBLE)).isTrue();
        assertThat(client.isCompatible("predictions-value", PREDICTION_V2_INCOMPATIBLE)).isFalse();
    }

    @Test
    void registeringAnIncompatibleSchemaIsRefusedWith409() {
        client.register("predictions-value", PREDICTION_V1);

        assertThatThrownBy(() -> client.register("predictions-value", PREDICTION_V2_INCOMPATIBLE))
                .asInstanceOf(type(SchemaRegistryException.class))
                .satisfies(
                        e -> {
                            assertThat(e.httpStatus()).isEqualTo(409);
                            assertThat(e.errorCode()).isEqualTo(409);
                            assertThat(e.getMessage())
                                    .startsWith(
                                            "schema registry at "
                                                    + registry.url()
                                                    + " refused POST"
                                                    + " /subjects/predictions-value/versions: HTTP"
                                                    + " 409, error_code 409: Schema being"
                                                    + " registered is incompatible")
                                    .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
                                    .contains("tenant");
                        });
        assertThat(client.latest("predictions-value").version()).isEqualTo(1);
    }

    @Test
    void unknownIdSurfacesErrorCode40403() {
        assertThatThrownBy(() -> client.getById(999))
                .asInstanceOf(type(SchemaRegistryException.class))
                .satisfies(
                        e -> {
                            assertThat(e.httpStatus()).isEqualTo(404);
                            assertThat(e.errorCode())
                                    .isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
                            assertThat(e.isConnectionFailure()).isFalse();
                            assertThat(e)
                                    .hasMessage(
                                            "schema registry at "
                                                    + registry.url()
                                                    + " refused GET /schemas/ids/999: HTTP 404,"
                                                    + " error_code 40403: Schema 999 not found");
                        });
    }

    @Test
    void unknownSubjectSurfacesErrorCode40401() {
        assertThatThrownBy(() -> client.latest("nobody-value"))
                .asInstanceOf(type(SchemaRegistryException.class))
                .extracting(SchemaRegistryException::errorCode)
                .isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND);
    }

    @Test
    void lookupOfAnUnregisteredSchemaSurfacesErrorCode40403() {
        client.register("predictions-value", PREDICTION_V1);

        assertThatThrownBy(() -> client.lookup("predictions-value", FEEDBACK))
                .asInstanceOf(type(SchemaRegistryException.class))
                .extracting(SchemaRegistryException::errorCode)
                .isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
    }

    @Test
    void idsAndRegistrationsAreCachedButLatestIsNot() {
        int id = client.register("predictions-value", PREDICTION_V1);
        client.register("predictions-value", PREDICTION_V1);
        client.lookup("predictions-value", PREDICTION_V1);
        client.getById(id);

        assertThat(registry.requestCount("POST", "/subjects/predictions-value/versions"))
                .isEqualTo(1);
        assertThat(registry.requestCount("POST", "/subjects/predictions-value")).isZero();
        assertThat(registry.requestCount("GET", "/schemas/ids/" + id)).isZero();

        SchemaRegistryClient reader = RegistryConfig.of(registry.url()).create();
        reader.getById(id);
        reader.getById(id);
        reader.lookup("predictions-value", PREDICTION_V1);
        reader.lookup("predictions-value", PREDICTION_V1);
        reader.latest("predictions-value");
        reader.latest("predictions-value");

        assertThat(registry.requestCount("GET", "/schemas/ids/" + id)).isEqualTo(1);
        assertThat(registry.requestCount("POST", "/subjects/predictions-value")).isEqualTo(1);
        assertThat(registry.requestCount("GET", "/subjects/predictions-value/versions/latest"))
                .isEqualTo(2);
        assertThat(registry.requestCount()).isEqualTo(5);
    }

    @Test
    void basicAuthIsSentAndChecked() throws Exception {
        try (StandInSchemaRegistry secured =
                StandInSchemaRegistry.builder().basicAuth("hindsight", "s3cret").build().start()) {
            SchemaRegistryClient allowed =
                    new RegistryConfig(secured.url(), "hindsight", "s3cret", Map.of()).create();
            int id = allowed.register("predictions-value", FEEDBACK);
            assertThat(allowed.getById(id)).isEqualTo(FEEDBACK);

            SchemaRegistryClient refused =
                    new RegistryConfig(secured.url(), "hindsight", "wrong", Map.of()).create();
            assertThatThrownBy(() -> refused.latest("predictions-value"))
                    .asInstanceOf(type(SchemaRegistryException.class))
                    .satisfies(
                            e -> {
                                assertThat(e.httpStatus()).isEqualTo(401);
                                assertThat(e)
                                        .hasMessage(
                                                "schema registry at "
                                                        + secured.url()
                                                        + " refused GET"
                                                        + " /subjects/predictions-value/versions/latest:"
                                                        + " HTTP 401, error_code 401: Unauthorized"
                                                        + " (check the registry username/password)");
                            });

            SchemaRegistryClient anonymous = RegistryConfig.of(secured.url()).create();
            assertThatThrownBy(() -> anonymous.getById(id))
                    .asInstanceOf(type(SchemaRegistryException.class))
                    .extracting(SchemaRegistryException::httpStatus)
                    .isEqualTo(401);
        }
    }

    @Test
    void connectionRefusedNamesTheUrl() throws Exception {
        String deadUrl = "http://127.0.0.1:" + freePort();
        SchemaRegistryClient unreachable = RegistryConfig.of(deadUrl).create();

        assertThatThrownBy(() -> unreachable.getById(1))
                .asInstanceOf(type(SchemaRegistryException.class))
                .satisfies(
                        e -> {
                            assertThat(e.isConnectionFailure()).isTrue();
                            assertThat(e.httpStatus()).isEqualTo(SchemaRegistryException.NONE);
                            assertThat(e)
                                    .hasMessage(
                                            "cannot reach the schema registry at "
                                                    + deadUrl
                                                    + " for GET /schemas/ids/1: connection"
                                                    + " refused or host unreachable; is the"
                                                    + " registry running and the url right?");
                        });
    }

    @Test
    void failsOverToTheNextUrl() throws Exception {
        String deadUrl = "http://127.0.0.1:" + freePort();
        SchemaRegistryClient failingOver =
                RegistryConfig.of(deadUrl + ", " + registry.url() + "/").create();

        int id = failingOver.register("predictions-value", FEEDBACK);
        RegisteredSchema latest = failingOver.latest("predictions-value");

        assertThat(latest.id()).isEqualTo(id);
        assertThat(registry.requestCount()).isEqualTo(2);
    }

    @Test
    void whenNoUrlAnswersEveryFailureIsListed() throws Exception {
        String first = "http://127.0.0.1:" + freePort();
        String second = "http://127.0.0.1:" + freePort();
        SchemaRegistryClient unreachable = RegistryConfig.of(first + "," + second).create();

        assertThatThrownBy(() -> unreachable.latest("x-value"))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessage(
                        "cannot reach any schema registry of ["
                                + first
                                + ", "
                                + second
                                + "] for GET /subjects/x-value/versions/latest: "
                                + first
                                + ": connection refused or host unreachable; is the registry"
                                + " running and the url right?; "
                                + second
                                + ": connection refused or host unreachable; is the registry"
                                + " running and the url right?");
    }

    @Test
    void configTravelsSerializedToOperators() throws Exception {
        SchemaRegistryClientFactory factory =
                new RegistryConfig(
                        registry.url(),
                        null,
                        null,
                        Map.of(RegistryConfig.REQUEST_TIMEOUT_MS, "5000"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(factory);
        }
        SchemaRegistryClientFactory shipped;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            shipped = (SchemaRegistryClientFactory) in.readObject();
        }

        assertThat(shipped).isEqualTo(factory);
        int id = shipped.create().register("predictions-value", FEEDBACK);
        assertThat(client.getById(id)).isEqualTo(FEEDBACK);
    }

    /** A port nothing listens on: bound once to find it free, then released. */
    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
