package io.hindsight.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.hindsight.cli.Hindsight.UserError;
import io.hindsight.rest.FlinkRestClient;
import io.hindsight.spec.IcebergSpec;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.KafkaSpec;
import io.hindsight.spec.SchemaRegistrySpec;
import io.hindsight.spec.TableNames;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each preflight check against a service that refuses, one that never answers (a real HTTP server
 * that holds the request) and one that rejects the credentials: a one-line error stating the
 * timeout, never a hang.
 */
class PreflightTest {

    static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private HttpServer server;

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.stop(0);
        }
        handlers.shutdownNow();
    }

    /** A server that holds every request until the test ends. */
    String silentServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers);
        server.createContext(
                "/",
                exchange -> {
                    try {
                        release.await(1, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    exchange.close();
                });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A server that answers every request with {@code status} and a registry error body. */
    String answeringServer(int status) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers);
        server.createContext(
                "/",
                exchange -> {
                    byte[] body =
                            ("{\"error_code\":" + status + "01,\"message\":\"no\"}")
                                    .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"r\"");
                    exchange.sendResponseHeaders(status, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static KafkaSpec registry(String url) {
        return new KafkaSpec(
                "127.0.0.1:1",
                "g",
                Map.of(),
                new SchemaRegistrySpec(url, "svc", "REGISTRY-PASSWORD", Map.of()));
    }

    static JobSpec restCatalog(String uri) {
        IcebergSpec iceberg =
                new IcebergSpec(
                        "hindsight",
                        Map.of("type", "rest", "uri", uri, "credential", "client:CATALOG-SECRET"),
                        "hindsight",
                        TableNames.defaults("fraud"));
        return new JobSpec(1, "fraud", null, null, null, iceberg, null, null, null, null);
    }

    @Test
    void kafkaThatDoesNotAnswer() throws Exception {
        int port = CommandLineTest.freePort();
        assertThatThrownBy(
                        () ->
                                Preflight.kafka(
                                        new KafkaSpec("127.0.0.1:" + port, "g", Map.of(), null),
                                        List.of("t"),
                                        TIMEOUT))
                .isInstanceOf(UserError.class)
                .hasMessage(
                        "Kafka at 127.0.0.1:"
                                + port
                                + " did not answer within 1 s — check kafka.bootstrap-servers and"
                                + " that the brokers are reachable from here");
    }

    @Test
    void kafkaSettingsThatTheClientRejects() {
        assertThatThrownBy(
                        () ->
                                Preflight.kafka(
                                        new KafkaSpec("no-port-here", "g", Map.of(), null),
                                        List.of("t"),
                                        TIMEOUT))
                .isInstanceOf(UserError.class)
                .hasMessageStartingWith("Kafka client settings rejected (ConfigException: ")
                .hasMessageEndingWith(") — check kafka.bootstrap-servers and kafka.properties");
    }

    @Test
    void registryThatRefusesTheConnection() throws Exception {
        String url = "http://127.0.0.1:" + CommandLineTest.freePort();
        assertThatThrownBy(() -> Preflight.registry(registry(url), "s-value", TIMEOUT))
                .isInstanceOf(UserError.class)
                .hasMessageStartingWith("cannot reach the schema registry at " + url + " for GET")
                .hasMessageEndingWith(
                        ": connection refused or host unreachable; is the registry running and"
                                + " the url right? (waited up to 1 s)");
    }

    @Test
    void registryThatHoldsTheRequest() throws Exception {
        String url = silentServer();
        assertThatThrownBy(() -> Preflight.registry(registry(url), "s-value", TIMEOUT))
                .isInstanceOf(UserError.class)
                .hasMessage(
                        "cannot reach the schema registry at "
                                + url
                                + " for GET /subjects/s-value/versions/latest: no answer in time"
                                + " (connect.timeout.ms / request.timeout.ms) (waited up to 1 s)");
    }

    @Test
    void registryThatRejectsTheCredentials() throws Exception {
        String url = answeringServer(401);
        // A server that answers: the timeout only bounds a slow first request of this JVM.
        assertThatThrownBy(
                        () -> Preflight.registry(registry(url), "s-value", Duration.ofSeconds(30)))
                .isInstanceOf(UserError.class)
                .hasMessage(
                        "schema registry at "
                                + url
                                + " refused the credentials (HTTP 401) — check"
                                + " kafka.schema-registry.username and password");
    }

    @Test
    void registryThatDoesNotKnowTheSubjectYetPasses() throws Exception {
        Preflight.registry(registry(answeringServer(404)), "s-value", Duration.ofSeconds(30));
    }

    @Test
    void restCatalogThatHoldsTheRequest() throws Exception {
        String url = silentServer();
        assertThatThrownBy(() -> Preflight.catalog(restCatalog(url), TIMEOUT))
                .isInstanceOf(UserError.class)
                .hasMessage(
                        "Iceberg catalog 'hindsight' at "
                                + url
                                + " did not answer within 1 s — check iceberg.catalog (uri,"
                                + " warehouse) and that it is reachable from here");
    }

    @Test
    void restCatalogThatRefusesTheConnection() throws Exception {
        String url = "http://127.0.0.1:" + CommandLineTest.freePort();
        // Iceberg's REST client retries a refused connection for a few seconds before failing.
        assertThatThrownBy(() -> Preflight.catalog(restCatalog(url), Duration.ofSeconds(60)))
                .isInstanceOf(UserError.class)
                .hasMessageStartingWith(
                        "Iceberg catalog 'hindsight' at " + url + " failed the check (")
                .hasMessageEndingWith(") — check iceberg.catalog")
                .hasMessageNotContaining("CATALOG-SECRET");
    }

    @Test
    void clusterThatHoldsTheRequest() throws Exception {
        String url = silentServer();
        assertThatThrownBy(() -> Preflight.cluster(new FlinkRestClient(url), TIMEOUT))
                .isInstanceOf(UserError.class)
                .hasMessage(
                        "no Flink cluster answers at "
                                + url
                                + " within 1 s (GET /config) — check --cluster and that the"
                                + " JobManager's REST port is reachable from here");
    }
}
