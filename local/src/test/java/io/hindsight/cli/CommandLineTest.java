package io.hindsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergCatalogs;
import io.hindsight.iceberg.IcebergTables;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.catalog.Namespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Help, version, did-you-mean, wrong arguments, relative paths and failing services: each answered
 * with one line (plus the log's path) and the documented exit code, never a stack trace.
 */
class CommandLineTest {

    static final Path HOME = HindsightTest.HOME;
    static final String LOG = HindsightTest.LOG;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int runIn(Path cwd, String... args) {
        out.reset();
        err.reset();
        return new Hindsight(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of(),
                        cwd)
                .run(args);
    }

    int run(String... args) {
        return runIn(HOME, args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpForTheToolAndEveryCommand() {
        for (String help : new String[] {"-h", "--help"}) {
            assertThat(run(help)).isZero();
            assertThat(out())
                    .startsWith("Usage: hindsight [-hV] COMMAND")
                    .contains("validate", "demo", "run", "query", "profile", "submit", "stop")
                    .contains("Exit codes:", "2   wrong usage");
        }
        for (String command :
                new String[] {"validate", "demo", "run", "query", "profile", "submit", "stop"}) {
            assertThat(run(command, "--help")).as(command).isZero();
            assertThat(out()).startsWith("Usage: hindsight " + command).contains("Exit codes:");
            assertThat(err()).isEmpty();
            assertThat(run("help", command)).as(command).isZero();
            assertThat(out()).startsWith("Usage: hindsight " + command);
        }
        assertThat(run("validate", "--help")).isZero();
        assertThat(out()).contains("Secrets are shown as written (${env:NAME}), never resolved.");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).startsWith("Usage: hindsight [-hV] COMMAND");
        assertThat(out()).isEmpty();
    }

    @Test
    void versionNamesHindsightAndFlink() {
        assertThat(run("--version")).isZero();
        assertThat(out())
                .matches(
                        "hindsight \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Flink 2\\.1\\.1, Java .+\\)\n");
    }

    @Test
    void mistypedCommandsAndOptionsGetASuggestion() {
        assertThat(run("valdate", "x.yaml")).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "unknown command 'valdate' (did you mean 'validate'?) — see ./hindsight"
                                + " --help\n");
        assertThat(run("submit", "s.yaml", "--clustr", "http://h:8081")).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "submit: unknown argument '--clustr' (did you mean '--cluster'?) — see"
                                + " ./hindsight submit --help\n");
    }

    @Test
    void wrongArgumentsAreOneLineAndExitTwo() {
        assertThat(run("demo", "--days")).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "demo: Missing required parameter for option '--days' (N) — see"
                                + " ./hindsight demo --help\n");
        assertThat(run("demo", "--days", "abc")).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "demo: Invalid value for option '--days': expected a positive whole"
                                + " number, not 'abc' — see ./hindsight demo --help\n");
        assertThat(run("demo", "--per-hour", "0")).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "demo: Invalid value for option '--per-hour': expected a positive whole"
                                + " number, not '0' — see ./hindsight demo --help\n");
        assertThat(run("validate", "--bogus")).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "validate: unknown argument '--bogus' — see ./hindsight validate --help\n");
        assertThat(run("validate")).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "validate: Missing required parameter: 'SPEC' — see ./hindsight validate"
                                + " --help\n");
        assertThat(run("submit", "s.yaml", "--cluster", "notaurl")).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "submit: Invalid value for option '--cluster': expected the Flink REST"
                                + " address, http:// or https:// and a host, e.g."
                                + " http://localhost:8081, not 'notaurl' — see ./hindsight submit"
                                + " --help\n");
        assertThat(run("stop", "job-1", "--cluster", "http://127.0.0.1:1")).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "stop: Invalid value for positional parameter at index 0 (JOB_ID):"
                                + " expected a Flink job id, 32 hexadecimal characters as"
                                + " ./hindsight submit prints it, not 'job-1' — see ./hindsight"
                                + " stop --help\n");
        assertThat(run("query", "s.yaml")).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "query: Missing required parameter: 'SQL' — see ./hindsight query"
                                + " --help\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void relativePathsAreTheCallersDirectory(@TempDir Path dir) throws Exception {
        Path spec = HindsightTest.fraudSpecWithWarehouse(dir, dir.resolve("warehouse"));
        assertThat(runIn(dir, "validate", "spec.yaml")).as(err()).isZero();
        assertThat(out()).startsWith("spec.yaml: valid — application 'fraud'");

        assertThat(runIn(dir, "validate", "nope.yaml")).isEqualTo(1);
        assertThat(err()).isEqualTo("no such spec file: " + dir.resolve("nope.yaml") + "\n");

        assertThat(runIn(dir.getParent(), "validate", dir.getFileName() + "/spec.yaml")).isZero();
        assertThat(spec).exists();
    }

    @Test
    void queryWithBadSqlOrNoTablesYetSaysSoInOneLine(@TempDir Path dir) throws Exception {
        Path warehouse = dir.resolve("warehouse");
        HindsightTest.fraudSpecWithWarehouse(dir, warehouse);
        assertThat(runIn(dir, "query", "spec.yaml", "SELECT 1")).isEqualTo(1);
        assertThat(err())
                .isEqualTo(
                        "query: Iceberg catalog 'hindsight' has no namespace 'hindsight' yet — no"
                                + " Hindsight job has written there; start one with ./hindsight"
                                + " run SPEC (or try ./hindsight demo)\n"
                                + LOG);

        IcebergTables.ensure(
                IcebergCatalogs.localHadoop("hindsight", warehouse).loadCatalog(),
                Namespace.of("hindsight"),
                HindsightTable.PREDICTIONS,
                "fraud_predictions");
        assertThat(runIn(dir, "query", "spec.yaml", "SELEC oops")).isEqualTo(1);
        assertThat(err())
                .startsWith("query: invalid SQL — SQL parse failed. Non-query expression")
                .endsWith(" (tables: SHOW TABLES lists them)\n" + LOG)
                .doesNotContain("\tat ");
        assertThat(err().lines()).hasSize(2);
        assertThat(runIn(dir, "query", "spec.yaml", "SELECT * FROM nosuch")).isEqualTo(1);
        assertThat(err())
                .startsWith("query: invalid SQL — ")
                .contains("Object 'nosuch' not found")
                .endsWith(" (tables: SHOW TABLES lists them)\n" + LOG);
        assertThat(err().lines()).hasSize(2);
    }

    @Test
    void maintainWithoutTablesSaysSoAndSkipsTablesWithoutCommits(@TempDir Path dir)
            throws Exception {
        Path warehouse = dir.resolve("warehouse");
        HindsightTest.fraudSpecWithWarehouse(dir, warehouse);
        assertThat(runIn(dir, "maintain", "spec.yaml")).isEqualTo(1);
        assertThat(err())
                .isEqualTo(
                        "maintain: Iceberg catalog 'hindsight' has no namespace 'hindsight' yet —"
                                + " no Hindsight job has written there, nothing to maintain\n"
                                + LOG);

        IcebergTables.ensure(
                IcebergCatalogs.localHadoop("hindsight", warehouse).loadCatalog(),
                Namespace.of("hindsight"),
                HindsightTable.PREDICTIONS,
                "fraud_predictions");
        assertThat(runIn(dir, "maintain", "spec.yaml")).as(err()).isZero();
        assertThat(out())
                .startsWith("maintained 0 tables in ")
                .contains(
                        "(compaction to 128 MB files, snapshots older than PT168H expired"
                                + " keeping the last 100, orphans older than PT72H removed)");
    }

    @Test
    void runChecksKafkaFirstAndSaysWithinTheTimeout(@TempDir Path dir) throws Exception {
        int port = freePort();
        String spec =
                Files.readString(
                                HindsightTest.fraudSpecWithWarehouse(dir, dir.resolve("warehouse")))
                        .replace(
                                "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
                                "127.0.0.1:" + port);
        Files.writeString(dir.resolve("spec.yaml"), spec);
        assertThat(runIn(dir, "run", "spec.yaml", "--check-timeout", "1")).isEqualTo(1);
        assertThat(err())
                .isEqualTo(
                        "run: Kafka at 127.0.0.1:"
                                + port
                                + " did not answer within 1 s — check kafka.bootstrap-servers and"
                                + " that the brokers are reachable from here\n"
                                + LOG);
        assertThat(out()).isEmpty();
    }

    @Test
    void anInvalidSpecFailsEveryCommandWithValidatesListing(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), "version: 1\napplication: fraud\n");
        for (String[] args :
                new String[][] {
                    {"run", "bad.yaml"},
                    {"query", "bad.yaml", "SELECT 1"},
                    {
                        "profile",
                        "bad.yaml",
                        "--from",
                        "2026-01-01T00:00:00Z",
                        "--to",
                        "2026-01-02T00:00:00Z",
                        "--out",
                        "p.json"
                    }
                }) {
            assertThat(runIn(dir, args)).isEqualTo(1);
            assertThat(err())
                    .startsWith(args[0] + ": bad.yaml: 3 errors\n  kafka (line 1): missing")
                    .endsWith(LOG);
        }
    }

    static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
