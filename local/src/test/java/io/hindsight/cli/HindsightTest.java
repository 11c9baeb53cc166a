package io.hindsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.drift.ReferenceProfile;
import io.hindsight.drift.ReferenceProfilesTest;
import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergCatalogs;
import io.hindsight.iceberg.IcebergTables;
import io.hindsight.schemas.Prediction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: exit codes and what a person reads, every message word for word. */
class HindsightTest {

    static final Path HOME = Path.of(System.getProperty("hindsight.home"));
    static final String LOG = "  details: " + Hindsight.logFile() + "\n";

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) throws Exception {
        return runIn(Path.of(System.getProperty("user.dir")), args);
    }

    /** Runs a command as if called from {@code cwd}. */
    int runIn(Path cwd, String... args) {
        return new Hindsight(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of(),
                        cwd)
                .run(args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyExampleSpecIsValid() throws Exception {
        for (String app : new String[] {"fraud", "recommender", "llm-assistant"}) {
            Path spec = HOME.resolve("examples").resolve(app).resolve("spec.yaml");
            assertThat(run("validate", spec.toString())).as(err()).isZero();
        }
        assertThat(out())
                .contains(
                        "examples/fraud/spec.yaml: valid — application 'fraud', predictions from"
                                + " 'payments.fraud-scores', feedback from 'payments.chargebacks',"
                                + " label window 60d, policy first");
        assertThat(err()).isEmpty();
    }

    @Test
    void brokenSpecListsEveryErrorWithItsPathAndFails(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(
                spec,
                """
                version: 1
                application: fraud
                kafka:
                  bootstrap-servers: localhost:9092
                join:
                  lable-window: 60d
                  policy: newest
                """);
        assertThat(run("validate", spec.toString())).isEqualTo(1);
        assertThat(err())
                .isEqualTo(
                        spec
                                + ": 3 errors\n"
                                + "  inputs (line 1): missing required key — expected a mapping\n"
                                + "  join.lable-window (line 6): unknown key (did you mean"
                                + " 'label-window'?)\n"
                                + "  join.policy (line 7): invalid value 'newest' — expected one"
                                + " of: first, last, all, max, min, mean, sum, count\n");
        assertThat(err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void mappedFieldMissingFromTheProducersSchemaIsReported(@TempDir Path dir) throws Exception {
        String fraud =
                Files.readString(HOME.resolve("examples/fraud/spec.yaml"))
                        .replace("score: fraud_probability", "score: fraud_prob");
        Files.copy(HOME.resolve("examples/fraud/prediction.avsc"), dir.resolve("prediction.avsc"));
        Files.copy(HOME.resolve("examples/fraud/feedback.avsc"), dir.resolve("feedback.avsc"));
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, fraud);
        assertThat(run("validate", spec.toString())).isEqualTo(1);
        assertThat(err()).contains("inputs.predictions.fields.score").contains("fraud_prob");
    }

    @Test
    void missingFileAndUnknownCommandAreUserErrors() throws Exception {
        assertThat(run("validate", "/no/such/spec.yaml")).isEqualTo(1);
        assertThat(err()).contains("no such spec file: /no/such/spec.yaml");
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err()).endsWith("unknown command 'frobnicate' — see ./hindsight --help\n");
    }

    @Test
    void submitNeedsAClusterAndAValidSpec(@TempDir Path dir) throws Exception {
        Path spec = HOME.resolve("examples/fraud/spec.yaml");
        assertThat(run("submit", spec.toString())).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "submit: Missing required option: '--cluster=URL' — see ./hindsight"
                                + " submit --help\n");

        err.reset();
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "version: 1\napplication: fraud\n");
        assertThat(run("submit", bad.toString(), "--cluster", "http://127.0.0.1:1")).isEqualTo(1);
        assertThat(err()).startsWith(bad + ": ").contains("inputs (line 1): missing required key");
        assertThat(out()).isEmpty();
    }

    @Test
    void submitAndStopSayWhichClusterDoesNotAnswer(@TempDir Path dir) throws Exception {
        Path spec = HOME.resolve("examples/fraud/spec.yaml");
        Path jar = Files.writeString(dir.resolve("job.jar"), "not really a jar");
        int port = freePort();
        String cluster = "http://127.0.0.1:" + port;

        assertThat(run("submit", spec.toString(), "--cluster", cluster, "--jar", jar.toString()))
                .isEqualTo(1);
        assertThat(err())
                .endsWith(
                        "submit: no Flink cluster answers at "
                                + cluster
                                + " (GET /config) — check --cluster and that the JobManager's"
                                + " REST port is reachable from here\n"
                                + LOG);

        err.reset();
        assertThat(run("stop", "0123456789abcdef0123456789abcdef", "--cluster", cluster))
                .isEqualTo(1);
        assertThat(err())
                .isEqualTo(
                        "stop: no Flink cluster answers at "
                                + cluster
                                + " (stop job 0123456789abcdef0123456789abcdef)\n"
                                + LOG);
        assertThat(out()).isEmpty();
    }

    @Test
    void submitRejectsABadParallelism() throws Exception {
        Path spec = HOME.resolve("examples/fraud/spec.yaml");
        assertThat(
                        run(
                                "submit",
                                spec.toString(),
                                "--cluster",
                                "http://127.0.0.1:1",
                                "--parallelism",
                                "zero"))
                .isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "submit: Invalid value for option '--parallelism': expected a positive"
                                + " whole number, not 'zero' — see ./hindsight submit --help\n");
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The fraud example spec with its Iceberg warehouse moved to {@code warehouse}. */
    static Path fraudSpecWithWarehouse(Path dir, Path warehouse) throws Exception {
        String yaml =
                Files.readString(HOME.resolve("examples/fraud/spec.yaml"))
                        + "\niceberg:\n  catalog:\n    type: hadoop\n    warehouse: "
                        + warehouse.toUri()
                        + "\n";
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, yaml);
        for (String schema : new String[] {"prediction.avsc", "feedback.avsc"}) {
            Files.copy(HOME.resolve("examples/fraud").resolve(schema), dir.resolve(schema));
        }
        return spec;
    }

    static Prediction payment(String id, Instant time, double amount, String merchant) {
        return Prediction.newBuilder()
                .setApplication("fraud")
                .setPredictionId(id)
                .setEventTime(time)
                .setModelName("fraud-scorer")
                .setModelVersion("v7")
                .setScore(amount / 1000)
                .setNumericFeatures(Map.of("amount", amount, "account_age_days", 30.0))
                .setCategoricalFeatures(
                        Map.of("merchant_category", merchant, "card_present", "true"))
                .setTags(Map.of("country", "BR", "channel", "web"))
                .build();
    }

    @Test
    void profileWritesTheReferenceOfThePredictionsTableBetweenFromAndTo(@TempDir Path dir)
            throws Exception {
        Path warehouse = dir.resolve("warehouse");
        Path spec = fraudSpecWithWarehouse(dir, warehouse);
        Table table =
                IcebergTables.ensure(
                        IcebergCatalogs.localHadoop("hindsight", warehouse).loadCatalog(),
                        Namespace.of("hindsight"),
                        HindsightTable.PREDICTIONS,
                        "fraud_predictions");
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        List<Prediction> predictions = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            // Two days of hourly payments; only the first day is asked for.
            predictions.add(
                    payment("p" + i, from.plusSeconds(3600L * i), 10 + i, i % 2 == 0 ? "a" : "b"));
        }
        ReferenceProfilesTest.append(table, predictions);
        Path file = dir.resolve("reference-profile.json");

        assertThat(
                        run(
                                "profile",
                                spec.toString(),
                                "--from",
                                from.toString(),
                                "--to",
                                "2026-01-02T00:00:00Z",
                                "--out",
                                file.toString()))
                .as(err())
                .isZero();

        ReferenceProfile profile = ReferenceProfile.read(file);
        assertThat(profile.predictions()).isEqualTo(24);
        assertThat(profile.application()).isEqualTo("fraud");
        assertThat(profile.targets()).contains("amount", "merchant_category", "score");
        assertThat(out()).contains("24 predictions of hindsight.fraud_predictions");
    }

    @Test
    void profileExplainsABadInstantAndAMissingTable(@TempDir Path dir) throws Exception {
        Path spec = fraudSpecWithWarehouse(dir, dir.resolve("empty-warehouse"));
        String out = dir.resolve("p.json").toString();
        assertThat(
                        run(
                                "profile",
                                spec.toString(),
                                "--from",
                                "yesterday",
                                "--to",
                                "2026-01-02T00:00:00Z",
                                "--out",
                                out))
                .isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "profile: Invalid value for option '--from': expected an ISO-8601 instant"
                                + " such as 2026-01-01T00:00:00Z, not 'yesterday' — see"
                                + " ./hindsight profile --help\n");
        err.reset();
        assertThat(
                        run(
                                "profile",
                                spec.toString(),
                                "--from",
                                "2026-01-01T00:00:00Z",
                                "--to",
                                "2026-01-02T00:00:00Z",
                                "--out",
                                out))
                .isEqualTo(1);
        assertThat(err())
                .contains(
                        "profile: drift reference table hindsight.fraud_predictions does not exist"
                                + " in catalog 'hindsight'");
        assertThat(Files.exists(Path.of(out))).isFalse();
    }
}
