package io.hindsight.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stand-in's REST answers as a raw HTTP client sees them. */
class StandInSchemaRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private StandInSchemaRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = new StandInSchemaRegistry().start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void invalidSchemaIs422With42201() throws Exception {
        HttpResponse<String> response =
                post(
                        "/subjects/x-value/versions",
                        "{\"schema\": \"{\\\"type\\\": \\\"recrod\\\"}\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error_code").intValue()).isEqualTo(42201);
        assertThat(body.get("message").textValue()).startsWith("Invalid schema: ");
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValue("application/vnd.schemaregistry.v1+json");
    }

    @Test
    void nonAvroSchemaTypeIs42201() throws Exception {
        HttpResponse<String> response =
                post(
                        "/subjects/x-value/versions",
                        "{\"schemaType\": \"PROTOBUF\", \"schema\": \"syntax = \\\"proto3\\\";\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(JSON.readTree(response.body()).get("message").textValue())
                .isEqualTo("the stand-in registry serves Avro only, not PROTOBUF");
    }

    @Test
    void missingVersionIs40402AndMissingSubjectIs40401() throws Exception {
        RegistryConfig.of(registry.url()).create().register("x-value", TestSchemas.FEEDBACK);

        HttpResponse<String> version = get("/subjects/x-value/versions/7");
        HttpResponse<String> subject = get("/subjects/y-value/versions/1");

        assertThat(version.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(version.body()).get("error_code").intValue()).isEqualTo(40402);
        assertThat(subject.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(subject.body()).get("error_code").intValue()).isEqualTo(40401);
        assertThat(get("/subjects").body()).isEqualTo("[\"x-value\"]");
        assertThat(get("/subjects/x-value/versions").body()).isEqualTo("[1]");
    }

    @Test
    void schemaTextIsDeduplicatedAfterNormalisation() throws Exception {
        String compact =
                "{\"schema\": \"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\","
                        + "\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"int\\\"}]}\"}";
        String spaced =
                "{\"schema\": \"{ \\\"name\\\": \\\"R\\\", \\\"type\\\": \\\"record\\\","
                        + " \\\"fields\\\": [ {\\\"type\\\": \\\"int\\\", \\\"name\\\": \\\"a\\\"} ] }\"}";

        JsonNode first = JSON.readTree(post("/subjects/a-value/versions", compact).body());
        JsonNode second = JSON.readTree(post("/subjects/b-value/versions", spaced).body());

        assertThat(second.get("id").intValue()).isEqualTo(first.get("id").intValue());
    }

    @Test
    void forwardCompatibilityRefusesWhatOldReadersCannotRead() throws Exception {
        try (StandInSchemaRegistry forward =
                StandInSchemaRegistry.builder()
                        .compatibility(StandInSchemaRegistry.Compatibility.FORWARD)
                        .build()
                        .start()) {
            SchemaRegistryClient client = RegistryConfig.of(forward.url()).create();
            client.register("p-value", TestSchemas.PREDICTION_V2_INCOMPATIBLE);

            // Old readers (with "tenant", no default) cannot read data written without it.
            assertThat(client.isCompatible("p-value", TestSchemas.PREDICTION_V1)).isFalse();
            assertThat(
                            JSON.readTree(get(forward, "/config").body())
                                    .get("compatibilityLevel")
                                    .textValue())
                    .isEqualTo("FORWARD");
        }
    }

    @Test
    void unknownPathIs404() throws Exception {
        HttpResponse<String> response = get("/mode");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).get("message").textValue())
                .isEqualTo("HTTP 404 Not Found: GET /mode");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return get(registry, path);
    }

    private HttpResponse<String> get(StandInSchemaRegistry target, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(target.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(registry.url() + path))
                        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
