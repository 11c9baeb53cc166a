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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another engine reads every Hindsight table: after a drained run of the whole job (join, drift,
 * slice metrics, alerts) over a simulated week ending now, Spark SQL 4.0 with Iceberg's Spark
 * runtime, in its own JVM (the {@code spark-reader} module's classpath), counts every table and
 * answers the README's questions; each answer equals Flink SQL's over the same tables.
 */
class SparkReadsTablesITCase {

    private static final String PREDICTIONS_TOPIC = "payments.fraud-scores";
    private static final String FEEDBACK_TOPIC = "payments.chargebacks";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final List<String> TABLES =
            List.of(
                    "fraud_predictions",
                    "fraud_outcomes",
                    "fraud_unmatched_feedback",
                    "fraud_drift",
                    "fraud_metrics",
                    "fraud_alerts");

    /** The README's questions, in SQL that both engines accept as written. */
    private static final List<String> README_QUERIES =
            List.of(
                    """
                    SELECT p.model_version,
                           count(*) AS payments,
                           sum(CASE WHEN o.label = 1 THEN 1 ELSE 0 END) AS chargebacks,
                           avg(CASE WHEN o.prediction_id IS NULL THEN 0.0 ELSE 1.0 END) AS resolved,
                           sum(CASE WHEN o.label = 1 AND p.score >= 0.5 THEN 1.0 ELSE 0.0 END)
                             / nullif(sum(CASE WHEN o.label = 1 THEN 1.0 ELSE 0.0 END), 0) AS recall_at_05
                    FROM fraud_predictions p
                    LEFT JOIN fraud_outcomes o ON o.prediction_id = p.prediction_id AND o.is_final
                    WHERE NOT p.duplicate
                      AND p.numeric_features['account_age_days'] < 30
                      AND p.event_time >= CURRENT_TIMESTAMP - INTERVAL '7' DAY
                    GROUP BY p.model_version""",
                    """
                    SELECT window_start, slice, revision, is_final, predictions, label_coverage, recall, auc
                    FROM (SELECT *, ROW_NUMBER() OVER (
                                   PARTITION BY slice, window_start ORDER BY revision DESC) AS latest
                          FROM fraud_metrics)
                    WHERE latest = 1 AND dimensions['model_version'] = 'v7'
                    ORDER BY window_start DESC, auc""",
                    """
                    SELECT window_start, feature, round(psi, 3) AS psi, round(jensen_shannon, 3) AS js
                    FROM fraud_drift
                    WHERE window_start >= CURRENT_TIMESTAMP - INTERVAL '3' DAY
                    ORDER BY window_start, psi DESC""",
                    """
                    SELECT a.rule, a.subject, a.`value`, a.threshold, a.event_time, a.message
                    FROM fraud_alerts a
                    JOIN (SELECT rule, subject, max(event_time) AS last FROM fraud_alerts GROUP BY rule, subject) l
                      ON a.rule = l.rule AND a.subject = l.subject AND a.event_time = l.last
                    WHERE a.state = 'FIRING'""",
                    "SELECT count(*) FILTER (WHERE NOT duplicate) FROM fraud_predictions",
                    "SELECT count(DISTINCT prediction_id) FROM fraud_outcomes WHERE is_final",
                    "SELECT kind, count(*) FROM fraud_unmatched_feedback GROUP BY kind");

    @TempDir Path dir;

    @Test
    void sparkSqlReadsEveryTableAndAnswersTheReadmeQueriesAsFlinkDoes() throws Exception {
        Path warehouse = dir.resolve("warehouse");
        runTheJob(warehouse);

        List<String> queries = new ArrayList<>();
        for (String t : TABLES) {
            queries.add("SELECT count(*) FROM " + t);
        }
        queries.addAll(README_QUERIES);
        // "Now" is one instant for both engines: each would otherwise read its own clock, and a
        // prediction stamped between the two readings would fall inside the week for one only.
        long now = System.currentTimeMillis();
        List<String> sparkQueries = new ArrayList<>();
        List<String> flinkQueries = new ArrayList<>();
        for (String q : queries) {
            sparkQueries.add(q.replace("CURRENT_TIMESTAMP", "timestamp_millis(" + now + ")"));
            flinkQueries.add(q.replace("CURRENT_TIMESTAMP", "TO_TIMESTAMP_LTZ(" + now + ", 3)"));
        }
        List<List<String>> spark = spark(warehouse, sparkQueries);
        IcebergSql flink = new IcebergSql(warehouse);

        for (int i = 0; i < TABLES.size(); i++) {
            long flinkCount = flink.number(flinkQueries.get(i));
            assertThat(flinkCount).as(TABLES.get(i)).isPositive();
            assertThat(spark.get(i)).as(TABLES.get(i)).containsExactly(flinkCount + "");
        }
        for (int i = TABLES.size(); i < queries.size(); i++) {
            List<String> expected = new ArrayList<>();
            for (Row r : flink.query(flinkQueries.get(i))) {
                expected.add(canonical(r));
            }
            List<String> actual = new ArrayList<>(spark.get(i));
            // Compared as sets of rows: ties of an ORDER BY may come in either order.
            expected.sort(null);
            actual.sort(null);
            assertThat(actual).as(queries.get(i)).isEqualTo(expected);
            if (!queries.get(i).contains("dimensions['model_version']")) {
                assertThat(actual).as("an answer with rows: " + queries.get(i)).isNotEmpty();
            }
        }
    }

    /** A Flink row as the canonical text {@link #canonical(JsonNode)} gives a Spark row. */
    private static String canonical(Row r) {
        List<String> values = new ArrayList<>();
        for (int f = 0; f < r.getArity(); f++) {
            values.add(canonicalValue(r.getField(f)));
        }
        return String.join(" | ", values);
    }

    private static String canonicalValue(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Number n) {
            return number(n.doubleValue());
        }
        if (v instanceof Instant t) {
            return t.truncatedTo(ChronoUnit.MILLIS).toString();
        }
        if (v instanceof LocalDateTime t) {
            return t.toInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS).toString();
        }
        if (v instanceof Object[] a) {
            return Arrays.toString(a);
        }
        return v.toString();
    }

    /** Spark's JSON row, column by column (its JSON leaves null fields out). */
    private static String canonical(JsonNode row, List<String> columns) {
        List<String> values = new ArrayList<>();
        for (String c : columns) {
            JsonNode v = row.get(c);
            if (v == null || v.isNull()) {
                values.add("null");
            } else if (v.isNumber()) {
                values.add(number(v.asDouble()));
            } else if (v.isBoolean()) {
                values.add(Boolean.toString(v.asBoolean()));
            } else if (v.isTextual() && v.asText().matches("\\d{4}-\\d\\d-\\d\\dT.*")) {
                values.add(
                        java.time.OffsetDateTime.parse(v.asText())
                                .toInstant()
                                .truncatedTo(ChronoUnit.MILLIS)
                                .toString());
            } else {
                values.add(v.asText());
            }
        }
        return String.join(" | ", values);
    }

    /**
     * Numbers to 6 decimal places: Flink SQL divides DECIMALs to a scale of 6 (the README's {@code
     * recall_at_05} is 0.428571 in Flink, 0.428571429 in Spark), and both engines sum doubles in
     * their own order.
     */
    private static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(java.util.Locale.ROOT, "%.6f", d);
    }

    /** Runs Spark SQL in its own JVM; each query's rows as canonical text. */
    private List<List<String>> spark(Path warehouse, List<String> queries) throws Exception {
        Path home = Path.of(System.getProperty("hindsight.home", ".."));
        Path module = home.resolve("spark-reader/target");
        String classpath =
                module.resolve("classes")
                        + java.io.File.pathSeparator
                        + Files.readString(module.resolve("spark.classpath")).trim();
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx1g",
                                "-XX:+IgnoreUnrecognizedVMOptions",
                                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                                "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                                "--add-opens=java.base/java.io=ALL-UNNAMED",
                                "--add-opens=java.base/java.net=ALL-UNNAMED",
                                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                                "--add-opens=java.base/java.util=ALL-UNNAMED",
                                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                                "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                                "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
                                "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
                                "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
                                "-Djdk.reflect.useDirectMethodHandle=false",
                                "-Dio.netty.tryReflectionSetAccessible=true",
                                "-cp",
                                classpath,
                                "io.hindsight.spark.SparkSqlReader",
                                warehouse.toUri().toString(),
                                "hindsight"));
        command.addAll(queries);
        Path out = dir.resolve("spark.out");
        Path log = dir.resolve("spark.log");
        Process p =
                new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(log.toFile())
                        .start();
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                throw new IOException("Spark SQL did not finish within 5 minutes; log " + log);
            }
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (p.exitValue() != 0) {
            throw new IOException("Spark SQL failed (" + p.exitValue() + "):\n" + tail(log));
        }
        Map<Integer, List<String>> answers = new LinkedHashMap<>();
        Map<Integer, List<String>> columns = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            String[] parts = line.split("\t", 3);
            if (parts.length < 2 || !parts[0].matches("\\d+")) {
                continue; // a line Spark itself printed
            }
            int query = Integer.parseInt(parts[0]);
            List<String> rows = answers.computeIfAbsent(query, q -> new ArrayList<>());
            if (parts[1].equals("columns")) {
                columns.put(
                        query,
                        List.of(parts.length == 3 ? parts[2].split("\u0001") : new String[0]));
            } else if (!parts[1].equals("end")) {
                String json = line.substring(parts[0].length() + 1);
                rows.add(canonical(MAPPER.readTree(json), columns.get(query)));
            }
        }
        List<List<String>> result = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            assertThat(answers).as("Spark answered query %d", i).containsKey(i);
            result.add(answers.get(i));
        }
        return result;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<String> shown = new ArrayList<>();
        for (String l : lines) {
            if (l.contains("Exception:")) {
                shown.add(l);
            }
        }
        shown.addAll(lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        return String.join("\n", shown);
    }

    private void runTheJob(Path warehouse) throws Exception {
        StandInSchemaRegistry registry = null;
        KafkaBrokerProcess broker = null;
        try {
            registry = new StandInSchemaRegistry().start();
            SchemaRegistryClient registryClient = RegistryConfig.of(registry.url()).create();
            broker = KafkaBrokerProcess.start(dir.resolve("kafka"));
            JobSpec spec =
                    SpecLoader.parse(
                            specYaml(broker.bootstrapServers(), registry.url(), warehouse),
                            Map.of());
            Map<String, Integer> topics = new LinkedHashMap<>();
            for (String t :
                    List.of(
                            PREDICTIONS_TOPIC,
                            FEEDBACK_TOPIC,
                            spec.outputs().outcomesTopic(),
                            spec.outputs().deadLetterTopic(),
                            spec.outputs().driftTopic(),
                            spec.outputs().metricsTopic(),
                            spec.outputs().alertsTopic())) {
                topics.put(t, 2);
            }
            broker.createTopics(topics);
            // A week ending now, so the README's "last 7 days" and "last day" have rows.
            Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(7));
            SimulationPlan plan = SimulationPlan.defaults(20260111L, start, Duration.ofDays(7), 60);
            Path examples =
                    Path.of(System.getProperty("hindsight.home", "..")).resolve("examples/fraud");
            FraudSimulator simulator = new FraudSimulator(plan, FraudSchemas.load(examples));
            new SimulationPublisher(
                            broker.bootstrapServers(),
                            PREDICTIONS_TOPIC,
                            FEEDBACK_TOPIC,
                            new ConfluentRecordEncoder(registryClient))
                    .publish(simulator, (sent, until) -> {});
            Configuration conf =
                    LocalFlink.configuration(dir.resolve("flink"), 2, Duration.ofSeconds(1));
            StreamExecutionEnvironment env = LocalFlink.environment(conf);
            FeedbackJoinJob.wire(env, spec, FeedbackJoinJob.catalog(spec));
            env.execute("hindsight: fraud, read by Spark");
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

    private static String specYaml(String bootstrap, String registryUrl, Path warehouse) {
        return """
                version: 1
                application: fraud
                kafka:
                  bootstrap-servers: %s
                  group-id: hindsight-spark-it
                  schema-registry:
                    url: %s
                """
                        .formatted(bootstrap, registryUrl)
                + FraudSpecYaml.inputs(PREDICTIONS_TOPIC, FEEDBACK_TOPIC)
                + FraudSpecYaml.join("drain")
                + """
                drift:
                  window: 1d
                  reference: {type: rolling, windows: 2}
                  features: all
                  model-outputs: true
                metrics:
                  task: binary-classification
                  window: 1d
                  slices:
                    - [country]
                    - [country, model_version]
                  positive-threshold: 0.5
                  expired-as: negative
                alerts:
                  - name: auc-low
                    source: metrics
                    metric: auc
                    slice: [country]
                    condition: {below: 0.999}
                    min-support: 10
                    severity: critical
                iceberg:
                  catalog:
                    type: hadoop
                    warehouse: %s
                """
                        .formatted(warehouse.toUri());
    }
}
