package io.hindsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.drift.ReferenceProfilesTest;
import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergCatalogs;
import io.hindsight.iceberg.IcebergTables;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./hindsight query}: the result as a table, or one line saying why there is none. */
class QueryCommandTest {

    @TempDir static Path dir;
    static Path spec;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void threePayments() throws Exception {
        Path warehouse = dir.resolve("warehouse");
        spec = HindsightTest.fraudSpecWithWarehouse(dir, warehouse);
        Table table =
                IcebergTables.ensure(
                        IcebergCatalogs.localHadoop("hindsight", warehouse).loadCatalog(),
                        Namespace.of("hindsight"),
                        HindsightTable.PREDICTIONS,
                        "fraud_predictions");
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        ReferenceProfilesTest.append(
                table,
                List.of(
                        HindsightTest.payment("p1", t, 10, "a"),
                        HindsightTest.payment("p2", t.plusSeconds(60), 20, "b"),
                        HindsightTest.payment("p3", t.plusSeconds(120), 30, "a")));
    }

    int run(String... args) throws Exception {
        return new Hindsight(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of())
                .run(args);
    }

    @Test
    void printsTheResultAsATable() throws Exception {
        assertThat(
                        run(
                                "query",
                                spec.toString(),
                                "SELECT merchant, count(*) AS payments FROM (SELECT"
                                        + " categorical_features['merchant_category'] AS merchant"
                                        + " FROM fraud_predictions) GROUP BY merchant ORDER BY"
                                        + " merchant"))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();

        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo(
                        """
                        +----------+----------+
                        | merchant | payments |
                        +----------+----------+
                        |        a |        2 |
                        |        b |        1 |
                        +----------+----------+
                        2 rows in set
                        """);
    }

    @Test
    void aQueryThePlannerRejectsGetsOneLineWithTheReasonAndTheLog() throws Exception {
        assertThat(run("query", spec.toString(), "SELECT nosuch FROM fraud_predictions"))
                .isEqualTo(1);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo(
                        "query: invalid SQL — SQL validation failed. From line 1, column 8 to"
                                + " line 1, column 13: Column 'nosuch' not found in any table"
                                + " (tables: SHOW TABLES lists them)\n"
                                + "  details: "
                                + Hindsight.logFile()
                                + "\n");
    }
}
