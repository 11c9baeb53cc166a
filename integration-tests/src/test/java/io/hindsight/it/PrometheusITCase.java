package io.hindsight.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hindsight.embedded.KafkaBrokerProcess;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.registry.SchemaRegistryClient;
import io.hindsight.registry.StandInSchemaRegistry;
import io.hindsight.sim.ConfluentRecordEncoder;
import io.hindsight.sim.FraudSchemas;
import io.hindsight.sim.FraudSimulator;
import io.hindsight.sim.SimulationPlan;
import io.hindsight.sim.SimulationPublisher;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's {@code prometheus}) scrapes a running Hindsight job: the
 * streaming feedback join over the fraud simulator's topics on a local MiniCluster whose Prometheus
 * reporter (flink-metrics-prometheus, on the classpath as on the CLI's: an in-process MiniCluster
 * has no plugin manager) is turned on by {@link LocalFlink#withPrometheus}, as {@code
 * HINDSIGHT_PROMETHEUS_PORT} turns it on for {@code ./hindsight run}. Every value is read back
 * through Prometheus' query API, never from the reporter directly.
 */
class PrometheusITCase {

    private static final String PREDICTIONS_TOPIC = "payments.fraud-scores";
    private static final String FEEDBACK_TOPIC = "payments.chargebacks";
    private static final String JOIN = "flink_taskmanager_job_task_operator_hindsight_";

    /**
     * Two simulated weeks at 60 payments an hour (~10 K predictions, ~1 K feedback each), published
     * one after the other: the second while the job runs, so that the scrapes see the counters rise
     * (on an idle machine the job counts a whole week between two scrapes).
     */
    private static final List<SimulationPlan> PLANS =
            List.of(
                    SimulationPlan.defaults(
                            20260107L,
                            Instant.parse("2026-01-07T00:00:00Z"),
                            Duration.ofDays(7),
                            60),
                    SimulationPlan.defaults(
                            20260114L,
                            Instant.parse("2026-01-14T00:00:00Z"),
                            Duration.ofDays(7),
                            60));

    @TempDir static Path dir;

    private static StandInSchemaRegistry registry;
    private static KafkaBrokerProcess broker;

    /** Records sent to the two input topics, and how many of them were malformed. */
    private static long publishedRecords;

    private static long publishedMalformed;
    private static JobClient job;
    private static DebianServer prometheus;

    @BeforeAll
    static void startTheJobAndPrometheus() throws Exception {
        Path binary = DebianServer.installed("prometheus", Path.of("/usr/bin/prometheus"));
        registry = new StandInSchemaRegistry().start();
        SchemaRegistryClient registryClient = RegistryConfig.of(registry.url()).create();
        broker = KafkaBrokerProcess.start(dir.resolve("kafka"));
        JobSpec spec = SpecLoader.parse(specYaml(), Map.of());
        broker.createTopics(
                Map.of(
                        PREDICTIONS_TOPIC,
                        2,
                        FEEDBACK_TOPIC,
                        2,
                        spec.outputs().outcomesTopic(),
                        2,
                        spec.outputs().deadLetterTopic(),
                        2));
        Path examples =
                Path.of(System.getProperty("hindsight.home", "..")).resolve("examples/fraud");
        SimulationPublisher publisher = publisher(registryClient);
        publish(publisher, PLANS.get(0), examples);
        // Prometheus first, so that its scrapes see the counters rise (a rate needs two samples).
        int reporterPort = DebianServer.freePort();
        int port = DebianServer.freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(
                config,
                """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: hindsight
                    static_configs:
                      - targets: ['localhost:%d']
                """
                        .formatted(reporterPort));
        prometheus =
                DebianServer.start(
                        "prometheus",
                        List.of(
                                binary.toString(),
                                "--config.file=" + config,
                                "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                                "--web.listen-address=127.0.0.1:" + port),
                        dir.resolve("prometheus.log"),
                        URI.create("http://127.0.0.1:" + port + "/"));

        Configuration conf =
                LocalFlink.withPrometheus(
                        LocalFlink.configuration(dir.resolve("flink"), 2, Duration.ofSeconds(1)),
                        Integer.toString(reporterPort));
        StreamExecutionEnvironment env = LocalFlink.environment(conf);
        FeedbackJoinJob.wire(env, spec, FeedbackJoinJob.catalog(spec));
        job = env.executeAsync("hindsight: fraud");

        awaitEverythingCounted();
        publish(publisher, PLANS.get(1), examples);
        awaitEverythingCounted();
    }

    private static SimulationPublisher publisher(SchemaRegistryClient registryClient) {
        return new SimulationPublisher(
                broker.bootstrapServers(),
                PREDICTIONS_TOPIC,
                FEEDBACK_TOPIC,
                new ConfluentRecordEncoder(registryClient));
    }

    private static void publish(SimulationPublisher publisher, SimulationPlan plan, Path examples)
            throws Exception {
        SimulationPublisher.Summary sent =
                publisher.publish(
                        new FraudSimulator(plan, FraudSchemas.load(examples)), (n, until) -> {});
        publishedRecords += sent.totalRecords();
        publishedMalformed += sent.malformedRecords();
    }

    /**
     * Waits until the input published so far has been counted once: every record is a prediction, a
     * feedback or a dead letter (exact, from the publisher's own count of what it sent).
     */
    private static void awaitEverythingCounted() throws Exception {
        long expected = publishedRecords;
        Await.until(
                "Prometheus to show all " + expected + " published records counted by the job",
                Duration.ofMinutes(3),
                () ->
                        sum(JOIN + "predictionsIn")
                                        + sum(JOIN + "feedbackIn")
                                        + sum(JOIN + "deadLettered")
                                == expected);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (job != null) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        } finally {
            try {
                if (prometheus != null) {
                    prometheus.close();
                }
            } finally {
                try {
                    if (broker != null) {
                        broker.close();
                    }
                } finally {
                    if (registry != null) {
                        registry.close();
                    }
                }
            }
        }
    }

    @Test
    void theJoinsSeriesAreScrapedWithConsistentValues() throws Exception {
        // Every prediction is either waiting or resolved (policy first resolves once, as labeled
        // or expired). Feedback is counted as it arrives but judged when the watermark passes it,
        // so the outcome counters may still be rising when the input is all counted: the balance is
        // awaited, and read in one query, which evaluates every series at the same instant.
        String balance =
                "sum(%1$spredictionsWaiting) + sum(%1$soutcomesLabeled) + sum(%1$soutcomesExpired)"
                                .formatted(JOIN)
                        + " - sum(%1$spredictionsIn) + sum(%1$spredictionsDuplicate)"
                                .formatted(JOIN);
        Await.until(
                "waiting + labeled + expired = predictions - duplicates, in one scrape",
                Duration.ofMinutes(2),
                () -> scalar(balance) == 0);

        long predictions = sum(JOIN + "predictionsIn");
        long duplicates = sum(JOIN + "predictionsDuplicate");
        long labeled = sum(JOIN + "outcomesLabeled");
        long expired = sum(JOIN + "outcomesExpired");

        assertThat(sum(JOIN + "deadLettered"))
                .as("dead-lettered = the malformed records the simulator sent")
                .isEqualTo(publishedMalformed);
        assertThat(series(JOIN + "deadLettered"))
                .as("one series per dead-letter router subtask")
                .isNotEmpty();

        // predictions waiting: one series per join subtask.
        assertThat(series(JOIN + "predictionsWaiting")).hasSize(2);
        assertThat(sum(JOIN + "predictionsWaiting")).isPositive();

        // Two simulated weeks are far inside the 60 d label window: nothing expires, so no feedback
        // can come late (late = after its prediction expired); the series exist all the same.
        assertThat(series(JOIN + "outcomesExpired")).hasSize(2);
        assertThat(expired).isZero();
        assertThat(series(JOIN + "feedbackLate")).hasSize(2);
        assertThat(sum(JOIN + "feedbackLate")).isZero();
        assertThat(series(JOIN + "feedbackOrphan")).hasSize(2);
        assertThat(sum(JOIN + "feedbackOrphan"))
                .as("the simulator sends orphan feedback")
                .isPositive();

        // Join rate: labeled outcomes per second, as the dashboard graphs it; the highest over the
        // run, since each week's input is consumed within seconds.
        double rate = scalar("max_over_time(sum(rate(" + JOIN + "outcomesLabeled[5s]))[10m:1s])");
        assertThat(rate).isPositive().isLessThanOrEqualTo(labeled);
        assertThat(labeled).isPositive().isLessThanOrEqualTo(predictions - duplicates);
    }

    @Test
    void icebergCommitLagIsScrapedPerTable() throws Exception {
        String lag =
                "flink_taskmanager_job_task_operator_IcebergFilesCommitter_table_"
                        + "elapsedSecondsSinceLastSuccessfulCommit";
        Await.until(
                "a commit-lag series of the outcomes table",
                Duration.ofSeconds(60),
                () -> series(lag).stream().anyMatch(s -> s.label("table").contains("outcomes")));
        List<Sample> tables = series(lag);
        assertThat(tables).extracting(s -> s.label("table")).anyMatch(t -> t.contains("outcomes"));
        for (Sample s : tables) {
            // Checkpoints (and so commits) every second: a lag of a minute would be a stall.
            assertThat(s.value()).as(s.toString()).isBetween(0.0, 60.0);
        }
    }

    @Test
    void everyDashboardQueryReturnsSeries() throws Exception {
        JsonNode dashboard =
                new ObjectMapper()
                        .readTree(
                                Path.of(System.getProperty("hindsight.home", ".."))
                                        .resolve("k8s/grafana/hindsight-dashboard.json")
                                        .toFile());
        // The dashboard's job variable: label_values(<metric>, job_name). The reporter filters
        // label values like names, so the job "hindsight: fraud" is "hindsight:_fraud".
        JsonNode variable = dashboard.get("templating").get("list").get(1);
        Matcher labelValues =
                Pattern.compile("label_values\\((\\w+), job_name\\)")
                        .matcher(variable.get("query").asText());
        assertThat(labelValues.matches()).as(variable.get("query").asText()).isTrue();
        assertThat(query(labelValues.group(1)))
                .extracting(s -> s.label("job_name"))
                .containsExactly("hindsight:_fraud");
        int queries = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText().replace("$job", "hindsight:_fraud");
                Await.until(
                        "series for '" + expr + "' (panel '" + panel.get("title").asText() + "')",
                        Duration.ofSeconds(30),
                        () -> !query(expr).isEmpty());
                queries++;
            }
        }
        assertThat(queries).isGreaterThanOrEqualTo(15);
    }

    // ---------------------------------------------------------------------------------------

    /** One series of an instant query: its labels and value. */
    record Sample(Map<String, String> labels, double value) {
        String label(String name) {
            return labels.getOrDefault(name, "");
        }
    }

    private static List<Sample> series(String metric) throws IOException, InterruptedException {
        return query(metric);
    }

    private static long sum(String metric) throws IOException, InterruptedException {
        double total = 0;
        for (Sample s : query(metric)) {
            total += s.value();
        }
        return Math.round(total);
    }

    private static double scalar(String expr) throws IOException, InterruptedException {
        List<Sample> result = query(expr);
        assertThat(result).as(expr).hasSize(1);
        return result.get(0).value();
    }

    private static final Pattern NUMBER = Pattern.compile("[-+0-9.eE]+|NaN|[-+]?Inf");

    static List<Sample> query(String expr) throws IOException, InterruptedException {
        HttpResponse<String> response =
                prometheus.get(
                        "api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        JsonNode body = new ObjectMapper().readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IOException("query '" + expr + "' failed: " + response.body());
        }
        List<Sample> samples = new ArrayList<>();
        for (JsonNode r : body.path("data").path("result")) {
            Map<String, String> labels = new java.util.TreeMap<>();
            r.path("metric")
                    .fields()
                    .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            String value = r.path("value").get(1).asText();
            Matcher m = NUMBER.matcher(value);
            if (!m.matches()) {
                throw new IOException("not a number in '" + expr + "': " + value);
            }
            samples.add(new Sample(labels, Double.parseDouble(value.replace("Inf", "Infinity"))));
        }
        return samples;
    }

    private static String specYaml() {
        return """
                version: 1
                application: fraud
                kafka:
                  bootstrap-servers: %s
                  group-id: hindsight-prometheus-it
                  schema-registry:
                    url: %s
                """
                        .formatted(broker.bootstrapServers(), registry.url())
                + FraudSpecYaml.inputs(PREDICTIONS_TOPIC, FEEDBACK_TOPIC)
                + FraudSpecYaml.join("savepoint")
                + """
                iceberg:
                  catalog:
                    type: hadoop
                    warehouse: %s
                """
                        .formatted(dir.resolve("warehouse").toUri());
    }
}
