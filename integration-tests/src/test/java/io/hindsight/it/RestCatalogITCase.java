package io.hindsight.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feedback join end to end against a real Iceberg REST catalog: Iceberg's own {@code
 * RESTCatalogServer} (the server of Iceberg's REST fixture image, from {@code iceberg-open-api}'s
 * test fixtures) in its own JVM, backed by a Hadoop catalog in a temporary warehouse. The job's
 * spec names only {@code type: rest} and the server's {@code uri}; the tables are created, written
 * and committed through the REST protocol, and read back through it with Iceberg's {@link
 * RESTCatalog} client, never from the warehouse folder. Every other ITCase uses the Hadoop default.
 */
class RestCatalogITCase {

    private static final String PREDICTIONS_TOPIC = "payments.fraud-scores";
    private static final String FEEDBACK_TOPIC = "payments.chargebacks";
    private static final Duration LABEL_WINDOW = Duration.ofDays(60);

    /** One simulated week at 60 payments an hour: ~10 K predictions, ~1 K feedback. */
    private static final SimulationPlan PLAN =
            SimulationPlan.defaults(
                    20260109L, Instant.parse("2026-01-09T00:00:00Z"), Duration.ofDays(7), 60);

    @TempDir Path dir;

    @Test
    void theJoinWritesThroughARestCatalogAndItsRowsReadBackThroughIt() throws Exception {
        StandInSchemaRegistry registry = null;
        KafkaBrokerProcess broker = null;
        Process server = null;
        try {
            int port = DebianServer.freePort();
            URI uri = URI.create("http://127.0.0.1:" + port + "/");
            server = startRestCatalogServer(port, dir.resolve("rest-warehouse"));
            Process catalogProcess = server;
            Await.until(
                    "the REST catalog at " + uri,
                    Duration.ofSeconds(90),
                    () -> {
                        if (!catalogProcess.isAlive()) {
                            throw new IOException(
                                    "RESTCatalogServer exited:\n"
                                            + Files.readString(dir.resolve("rest-catalog.log")));
                        }
                        return DebianServer.HTTP
                                        .send(
                                                HttpRequest.newBuilder(uri.resolve("v1/config"))
                                                        .timeout(Duration.ofSeconds(5))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    });

            registry = new StandInSchemaRegistry().start();
            SchemaRegistryClient registryClient = RegistryConfig.of(registry.url()).create();
            broker = KafkaBrokerProcess.start(dir.resolve("kafka"));
            JobSpec spec =
                    SpecLoader.parse(
                            specYaml(broker.bootstrapServers(), registry.url(), uri), Map.of());
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
            FraudSimulator simulator = new FraudSimulator(PLAN, FraudSchemas.load(examples));
            new SimulationPublisher(
                            broker.bootstrapServers(),
                            PREDICTIONS_TOPIC,
                            FEEDBACK_TOPIC,
                            new ConfluentRecordEncoder(registryClient))
                    .publish(simulator, (sent, until) -> {});
            ReferenceJoin reference = new ReferenceJoin(simulator, LABEL_WINDOW);

            Configuration conf =
                    LocalFlink.configuration(dir.resolve("flink"), 2, Duration.ofSeconds(1));
            StreamExecutionEnvironment env = LocalFlink.environment(conf);
            FeedbackJoinJob.wire(env, spec, FeedbackJoinJob.catalog(spec));
            env.execute("hindsight: fraud over a REST catalog");

            try (RESTCatalog catalog = new RESTCatalog()) {
                catalog.initialize("rest", Map.of(CatalogProperties.URI, uri.toString()));
                assertThat(catalog.listTables(Namespace.of("hindsight")))
                        .extracting(TableIdentifier::name)
                        .contains(
                                "fraud_predictions", "fraud_outcomes", "fraud_unmatched_feedback");

                Map<String, String> outcomes = new TreeMap<>();
                for (Record r : rows(catalog, "fraud_outcomes")) {
                    if (Boolean.TRUE.equals(r.getField("is_final"))) {
                        String previous =
                                outcomes.put(
                                        (String) r.getField("prediction_id"),
                                        r.getField("status") + " " + r.getField("feedback_id"));
                        assertThat(previous).as("two final rows for %s", r).isNull();
                    }
                }
                Map<String, String> expected = new TreeMap<>();
                for (ReferenceJoin.Expected e : reference.outcomes.values()) {
                    expected.put(e.predictionId(), e.status() + " " + e.feedbackId());
                }
                assertThat(outcomes)
                        .as("final outcome (status, feedback) of every prediction, via REST")
                        .isEqualTo(expected);

                List<String> predictions = new ArrayList<>();
                for (Record r : rows(catalog, "fraud_predictions")) {
                    if (!Boolean.TRUE.equals(r.getField("duplicate"))) {
                        predictions.add((String) r.getField("prediction_id"));
                    }
                }
                assertThat(predictions).hasSameSizeAs(reference.predictionIds);
                assertThat(predictions)
                        .containsExactlyInAnyOrderElementsOf(reference.predictionIds);

                Map<String, Integer> kinds = new HashMap<>();
                for (Record r : rows(catalog, "fraud_unmatched_feedback")) {
                    kinds.merge(String.valueOf(r.getField("kind")), 1, Integer::sum);
                }
                assertThat(kinds.getOrDefault("ORPHAN", 0)).isEqualTo(reference.orphanFeedback);
                assertThat(kinds.getOrDefault("EXTRA", 0)).isEqualTo(reference.extraFeedback);
            }
        } finally {
            try {
                if (server != null) {
                    server.destroy();
                    if (!server.waitFor(10, TimeUnit.SECONDS)) {
                        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
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

    private static List<Record> rows(RESTCatalog catalog, String table) throws IOException {
        Table t = catalog.loadTable(TableIdentifier.of("hindsight", table));
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(t).build()) {
            records.forEach(rows::add);
        }
        return rows;
    }

    /**
     * {@code RESTCatalogServer.main} in its own JVM (this test's classpath), configured as
     * Iceberg's fixture image configures it: {@code CATALOG_*} environment variables become catalog
     * properties ({@code __} → {@code -}, {@code _} → {@code .}).
     */
    private Process startRestCatalogServer(int port, Path warehouse) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb =
                new ProcessBuilder(
                                java,
                                "-Xmx512m",
                                "-cp",
                                System.getProperty("java.class.path"),
                                "org.apache.iceberg.rest.RESTCatalogServer")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("rest-catalog.log").toFile());
        pb.environment().put("CATALOG_REST_PORT", Integer.toString(port));
        pb.environment().put("CATALOG_CATALOG__IMPL", "org.apache.iceberg.hadoop.HadoopCatalog");
        pb.environment().put("CATALOG_WAREHOUSE", warehouse.toUri().toString());
        return pb.start();
    }

    private static String specYaml(String bootstrap, String registryUrl, URI catalog) {
        return """
                version: 1
                application: fraud
                kafka:
                  bootstrap-servers: %s
                  group-id: hindsight-rest-catalog-it
                  schema-registry:
                    url: %s
                """
                        .formatted(bootstrap, registryUrl)
                + FraudSpecYaml.inputs(PREDICTIONS_TOPIC, FEEDBACK_TOPIC)
                + FraudSpecYaml.join("drain")
                + """
                iceberg:
                  catalog:
                    type: rest
                    uri: %s
                """
                        .formatted(catalog);
    }
}
