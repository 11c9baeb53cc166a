package io.hindsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.hindsight.embedded.KafkaBrokerProcess;
import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergCatalogs;
import io.hindsight.iceberg.IcebergTables;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.rest.FlinkRestClient;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.catalog.Namespace;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command, and the job itself, run with sentinel secrets in every place a spec holds one (a
 * Kafka SASL JAAS line and truststore password, the registry's password and a password in its URL,
 * an Iceberg catalog credential, a password in a Flink cluster URL), against services that refuse,
 * stay silent or answer; then everything printed, everything logged (INFO and above, everywhere)
 * and everything the Flink REST API shows about the job is searched for the sentinel.
 */
class SecretsNeverShownTest {

    /** Every secret below contains it; so does any fragment long enough to matter. */
    static final String SENTINEL = "S3NT1NEL";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir static Path brokerDir;
    static KafkaBrokerProcess broker;

    @TempDir Path dir;

    private final Captured logs = new Captured();
    private final StringBuilder printed = new StringBuilder();
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final List<HttpServer> servers = new ArrayList<>();
    private Level rootLevel;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBrokerProcess.start(brokerDir.resolve("kafka"));
        broker.createTopics(Map.of("payments.fraud-scores", 2, "payments.chargebacks", 2));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void captureLogs() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        logs.start();
        LoggerConfig root = config.getRootLogger();
        rootLevel = root.getLevel();
        root.setLevel(Level.INFO);
        for (LoggerConfig logger : config.getLoggers().values()) {
            logger.addAppender(logs, Level.INFO, null);
            if (logger.getLevel().isMoreSpecificThan(Level.WARN)) {
                logger.setLevel(Level.INFO);
            }
        }
        context.updateLoggers();
    }

    @AfterEach
    void stopCapturing() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        for (LoggerConfig logger : config.getLoggers().values()) {
            logger.removeAppender(logs.getName());
        }
        config.getRootLogger().setLevel(rootLevel);
        context.updateLoggers();
        logs.stop();
        release.countDown();
        servers.forEach(s -> s.stop(0));
        handlers.shutdownNow();
    }

    static Map<String, String> env(String kafka, String registryUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
        env.put(
                "JAAS",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"svc\""
                        + " password=\"S3NT1NEL-jaas\";");
        env.put("TRUSTPW", "S3NT1NEL-truststore");
        env.put(
                "SCHEMA_REGISTRY_URL",
                registryUrl.replace("http://", "http://bob:S3NT1NEL-in-url@"));
        env.put("SCHEMA_REGISTRY_USER", "svc");
        env.put("SCHEMA_REGISTRY_PASSWORD", "S3NT1NEL-registry");
        env.put("CATCRED", "client:S3NT1NEL-catalog'x");
        return env;
    }

    /** The fraud example with secret Kafka properties and the given Iceberg catalog section. */
    Path spec(String name, String catalog) throws Exception {
        String yaml =
                Files.readString(HindsightTest.HOME.resolve("examples/fraud/spec.yaml"))
                                .replace(
                                        "    security.protocol: ${env:KAFKA_SECURITY_PROTOCOL:-PLAINTEXT}\n",
                                        "    security.protocol: PLAINTEXT\n"
                                                + "    sasl.jaas.config: ${env:JAAS}\n"
                                                + "    ssl.truststore.password: ${env:TRUSTPW}\n")
                        + "\niceberg:\n  catalog:\n"
                        + catalog;
        for (String schema : new String[] {"prediction.avsc", "feedback.avsc"}) {
            Path target = dir.resolve(schema);
            if (!Files.exists(target)) {
                Files.copy(HindsightTest.HOME.resolve("examples/fraud").resolve(schema), target);
            }
        }
        return Files.writeString(dir.resolve(name), yaml);
    }

    String hadoop(String extra) {
        return "    type: hadoop\n    warehouse: "
                + dir.resolve("warehouse").toUri()
                + "\n    credential: ${env:CATCRED}\n"
                + extra;
    }

    static String rest(String uri) {
        return "    type: rest\n    uri: " + uri + "\n    credential: ${env:CATCRED}\n";
    }

    int cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                new Hindsight(
                                new PrintStream(out, true, StandardCharsets.UTF_8),
                                new PrintStream(err, true, StandardCharsets.UTF_8),
                                env,
                                dir)
                        .run(args);
        String shown = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        // The arguments themselves are the caller's (a cluster URL with a password): not recorded.
        printed.append("$ hindsight ").append(args[0]).append('\n').append(shown);
        return code;
    }

    @Test
    void noCommandPrintsOrLogsASecret() throws Exception {
        String refused = "http://127.0.0.1:" + CommandLineTest.freePort();
        String silent = silentServer();
        String registry = notFoundServer();
        Map<String, String> reachable = env(broker.bootstrapServers(), registry);
        Path good = spec("good.yaml", hadoop(""));
        Path silentCatalog = spec("silent-catalog.yaml", rest(silent));
        // Flink's Iceberg catalog factory would reject this property; the SQL session registers the
        // catalog through Iceberg's own API (as the preflight check and the jobs do), which never
        // reads it, so the query runs, and still prints no secret.
        Path rejected = spec("rejected.yaml", hadoop("    cache.expiration-interval-ms: abc\n"));
        IcebergTables.ensure(
                IcebergCatalogs.localHadoop("hindsight", dir.resolve("warehouse")).loadCatalog(),
                Namespace.of("hindsight"),
                HindsightTable.PREDICTIONS,
                "fraud_predictions");
        Files.writeString(
                dir.resolve("bad.yaml"),
                Files.readString(good)
                        .replace(
                                "${env:SCHEMA_REGISTRY_URL:-http://localhost:8081}",
                                "https://bob:S3NT1NEL-literal@")
                        .replace(
                                "sasl.jaas.config: ${env:JAAS}",
                                "sasl.jaas.config: 'password=\"S3NT1NEL-literal\"'"));
        String cluster = "http://admin:S3NT1NEL-cluster@127.0.0.1:" + CommandLineTest.freePort();

        assertThat(cli(reachable, "validate", "good.yaml", "silent-catalog.yaml")).isZero();
        assertThat(cli(reachable, "validate", "bad.yaml")).isEqualTo(1);
        assertThat(
                        cli(
                                env("127.0.0.1:" + CommandLineTest.freePort(), registry),
                                "run",
                                "good.yaml",
                                "--check-timeout",
                                "2"))
                .isEqualTo(1);
        assertThat(cli(env(broker.bootstrapServers(), refused), "run", "good.yaml")).isEqualTo(1);
        assertThat(cli(reachable, "run", "silent-catalog.yaml", "--check-timeout", "2"))
                .isEqualTo(1);
        assertThat(
                        cli(
                                reachable,
                                "query",
                                "silent-catalog.yaml",
                                "SELECT 1",
                                "--check-timeout",
                                "2"))
                .isEqualTo(1);
        assertThat(cli(reachable, "query", "rejected.yaml", "SELECT 1")).isZero();
        assertThat(cli(reachable, "query", "good.yaml", "SELEC oops")).isEqualTo(1);
        assertThat(cli(reachable, "query", "good.yaml", "SHOW TABLES")).isZero();
        assertThat(
                        cli(
                                reachable,
                                "profile",
                                "silent-catalog.yaml",
                                "--from",
                                "2026-01-01T00:00:00Z",
                                "--to",
                                "2026-01-02T00:00:00Z",
                                "--out",
                                "p.json",
                                "--check-timeout",
                                "2"))
                .isEqualTo(1);
        assertThat(
                        cli(
                                reachable,
                                "profile",
                                "good.yaml",
                                "--from",
                                "2026-01-01T00:00:00Z",
                                "--to",
                                "2026-01-02T00:00:00Z",
                                "--out",
                                "p.json"))
                .isZero();
        assertThat(
                        cli(
                                reachable,
                                "submit",
                                "good.yaml",
                                "--cluster",
                                cluster,
                                "--jar",
                                "good.yaml"))
                .isEqualTo(1);
        assertThat(cli(reachable, "submit", "good.yaml", "--cluster", cluster + "/x y"))
                .isEqualTo(2);
        assertThat(cli(reachable, "stop", "0123456789abcdef0123456789abcdef", "--cluster", cluster))
                .isEqualTo(1);
        assertThat(cli(reachable, "demo", "--days", "abc")).isEqualTo(2);
        for (String command :
                new String[] {"validate", "demo", "run", "query", "profile", "submit", "stop"}) {
            assertThat(cli(reachable, command, "--help")).isZero();
        }

        // Each failure above went the way it should: one line and the log, not an early exit.
        assertThat(printed)
                .contains("bad.yaml: 2 errors")
                .contains("run: Kafka at 127.0.0.1:")
                .contains("run: cannot reach the schema registry at http://****@127.0.0.1:")
                .contains("run: Iceberg catalog 'hindsight' at " + silent + " did not answer")
                .contains("query: invalid SQL")
                .contains("fraud_predictions")
                .contains("submit: no Flink cluster answers at http://****@127.0.0.1:")
                .contains("stop: no Flink cluster answers at http://****@127.0.0.1:")
                .doesNotContain("\tat ");
        assertThat(printed.toString()).doesNotContain(SENTINEL);
        assertThat(logs.text()).isNotEmpty().doesNotContain(SENTINEL);
    }

    @Test
    void theJobShowsNoSecretOnTheRestApiOrInItsLogs(@InjectClusterClient ClusterClient<?> client)
            throws Exception {
        Map<String, String> env = env(broker.bootstrapServers(), notFoundServer());
        JobSpec spec = SpecLoader.load(spec("good.yaml", hadoop("")), env);
        StreamExecutionEnvironment flink =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalFlink.configuration(dir.resolve("flink"), 2, Duration.ofSeconds(1)));
        FeedbackJoinJob.wire(flink, spec, FeedbackJoinJob.catalog(spec));
        JobClient job = flink.executeAsync("hindsight: " + spec.application());
        String id = job.getJobID().toHexString();
        FlinkRestClient rest = new FlinkRestClient(client.getWebInterfaceURL());
        try {
            // Every task of every vertex running: the job is deployed with the spec's settings.
            CommonTestUtils.waitUntilCondition(
                    () -> {
                        JsonNode vertices = rest.job(id).path("vertices");
                        boolean all = vertices.size() > 0;
                        for (JsonNode vertex : vertices) {
                            all &=
                                    vertex.path("tasks").path("RUNNING").asInt()
                                            == vertex.path("parallelism").asInt();
                        }
                        return all;
                    });
            StringBuilder shown = new StringBuilder();
            for (String path :
                    List.of(
                            "/jobs/" + id,
                            "/jobs/" + id + "/config",
                            "/jobs/" + id + "/plan",
                            "/jobs/" + id + "/jobmanager/config",
                            "/jobs/" + id + "/jobmanager/environment",
                            "/jobs/" + id + "/exceptions",
                            "/jobs/" + id + "/checkpoints/config",
                            "/jobmanager/config",
                            "/taskmanagers")) {
                shown.append(path).append(": ").append(rest.get(path)).append('\n');
            }
            for (JsonNode vertex : rest.job(id).path("vertices")) {
                shown.append(rest.get("/jobs/" + id + "/vertices/" + vertex.path("id").asText()));
            }
            // The spec did reach the job: its topics and tables are there, its secrets are not.
            assertThat(shown).contains("payments.fraud-scores");
            assertThat(shown.toString()).doesNotContain(SENTINEL);
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
            CommonTestUtils.waitForJobStatus(job, List.of(JobStatus.CANCELED));
        }
        assertThat(logs.text()).contains("payments.fraud-scores").doesNotContain(SENTINEL);
    }

    /** A server that holds every request until the test ends. */
    String silentServer() throws Exception {
        return server(
                exchange -> {
                    try {
                        release.await(1, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    exchange.close();
                });
    }

    /** A schema registry that knows no subject yet: it answers, with 404. */
    String notFoundServer() throws Exception {
        return server(
                exchange -> {
                    byte[] body =
                            "{\"error_code\":40401,\"message\":\"Subject not found\"}"
                                    .getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(404, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
    }

    private String server(com.sun.net.httpserver.HttpHandler handler) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", handler);
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every log event of every logger, message and stack trace. */
    static final class Captured extends AbstractAppender {
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

        Captured() {
            super("sentinel-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder line =
                    new StringBuilder(event.getLoggerName())
                            .append(": ")
                            .append(event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
                StringWriter trace = new StringWriter();
                event.getThrown().printStackTrace(new PrintWriter(trace));
                line.append('\n').append(trace);
            }
            lines.add(line.toString());
        }

        String text() {
            return String.join("\n", lines);
        }
    }
}
