package io.hindsight.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one Flink REST client, against a local HTTP server that answers as Flink's REST API does: the
 * JSON of a good answer, and the messages the command line and the cluster launcher show for a
 * refused connection, an error answer and an address that is not one.
 */
class FlinkRestClientTest {

    private HttpServer server;
    private String url;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/taskmanagers",
                e ->
                        answer(
                                e,
                                200,
                                "{\"taskmanagers\": [{\"id\": \"tm-1\"}, {\"id\": \"tm-2\"}]}"));
        server.createContext(
                "/jobs/abc",
                e ->
                        answer(
                                e,
                                404,
                                "{\"errors\": [\"org.apache.flink.runtime.rest.NotFoundException:"
                                        + " Job abc not found\\n\\tat org.apache.flink..."
                                        + "\"]}"));
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void answer(HttpExchange e, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        e.getResponseHeaders().add("Content-Type", "application/json");
        e.sendResponseHeaders(status, body.length);
        e.getResponseBody().write(body);
        e.close();
    }

    @Test
    void readsTheJsonOfAnAnswer() throws IOException {
        FlinkRestClient rest =
                new FlinkRestClient(url, Duration.ofSeconds(5), Duration.ofSeconds(10));
        assertThat(rest.get("/taskmanagers").path("taskmanagers"))
                .extracting(tm -> tm.path("id").asText())
                .containsExactly("tm-1", "tm-2");
    }

    @Test
    void anErrorAnswerShowsTheFirstLineOfFlinksError() {
        FlinkRestClient rest = new FlinkRestClient(url);
        assertThatThrownBy(() -> rest.jobState("abc"))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "GET /jobs/abc failed (HTTP 404):"
                                + " org.apache.flink.runtime.rest.NotFoundException: Job abc not"
                                + " found");
    }

    @Test
    void aRefusedConnectionNamesTheAddressAndTheCall() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String nobody = "http://127.0.0.1:" + port;
        assertThatThrownBy(() -> new FlinkRestClient(nobody).get("/config"))
                .isInstanceOf(IOException.class)
                .hasMessage("no Flink cluster answers at " + nobody + " (GET /config)");
    }

    @Test
    void anAddressThatIsNotHttpIsRefusedWithItsUserInfoMasked() {
        assertThatThrownBy(() -> new FlinkRestClient("ftp://admin:hunter2@flink:8081"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a Flink REST address: '")
                .hasMessageEndingWith(
                        "' — expected http:// or https:// and a host, e.g. http://localhost:8081")
                .hasMessageNotContaining("hunter2");
        assertThat(FlinkRestClient.isHttpUrl("https://flink.example.com:8081")).isTrue();
        assertThat(FlinkRestClient.isHttpUrl("localhost:8081")).isFalse();
    }
}
