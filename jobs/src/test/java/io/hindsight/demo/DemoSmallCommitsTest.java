package io.hindsight.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.iceberg.IcebergCatalogs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo end to end (a real broker, the job, the report's SQL) with its job checkpointing every
 * {@value #CHECKPOINT_MILLIS} ms instead of every 3 s, so that its tables are written in hundreds
 * of small commits: the shape a slow machine gives the demo's tables, and under which the report's
 * first query once failed to get memory for its hash aggregate.
 */
class DemoSmallCommitsTest {

    static final long CHECKPOINT_MILLIS = 200;
    static final int DAYS = 49;

    /** The report's queries: each must print at least one row. */
    static final List<String> QUERIES =
            List.of(
                    "-- How did model v7 do on new users",
                    "-- Which country/version slices are worst? (final labeled outcomes",
                    "-- Which features drifted, and when?",
                    "-- Which country/version slices are worst since the injection?",
                    "-- Which alerts fired?",
                    "-- How long do labels take?");

    /** What ends a query's output: Flink's footer, or the alerts' own. */
    private static final Pattern RESULT =
            Pattern.compile("\\((\\d+) state changes\\)|(\\d+) rows? in set|Empty set");

    @TempDir Path tempDir;

    @Test
    void theReportRunsItsQueriesOverManySmallCommitsAndEveryOneShowsRows() throws Exception {
        Path home = Path.of(System.getProperty("hindsight.home", "..")).toAbsolutePath();
        Path work = tempDir.resolve("demo");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            exit = new Demo(out, home, work, Duration.ofMillis(CHECKPOINT_MILLIS)).run(DAYS, 60);
        }
        String report = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(report).isZero();
        assertThat(report).doesNotContain("NOT BALANCED").doesNotContain("FAILED");

        Catalog catalog =
                IcebergCatalogs.localHadoop("test", work.resolve("warehouse")).loadCatalog();
        Table predictions = catalog.loadTable(TableIdentifier.of("hindsight", "fraud_predictions"));
        Table outcomes = catalog.loadTable(TableIdentifier.of("hindsight", "fraud_outcomes"));
        // The shape under test: many commits, many more small files.
        assertThat(predictions.snapshots()).as(report).hasSizeGreaterThanOrEqualTo(60);
        assertThat(dataFiles(outcomes)).as(report).isGreaterThanOrEqualTo(200);

        // Every query printed rows: the line after its result is "N rows in set", N >= 1.
        for (String query : QUERIES) {
            int at = report.indexOf(query);
            assertThat(at).as("query %s in%n%s", query, report).isNotNegative();
            int next = report.indexOf("\n-- ", at + query.length());
            String section = report.substring(at, next < 0 ? report.length() : next);
            Matcher m = RESULT.matcher(section);
            assertThat(m.find()).as("result of %s in%n%s", query, section).isTrue();
            String count = m.group(1) != null ? m.group(1) : m.group(2);
            assertThat(count).as("rows of %s in%n%s", query, section).isNotNull();
            long rows = Long.parseLong(count);
            assertThat(rows).as("rows of %s", query).isPositive();
        }

        // The report's count of prediction rows (SQL) against the table read without SQL.
        long rows;
        try (CloseableIterable<Record> all = IcebergGenerics.read(predictions).build()) {
            rows = java.util.stream.StreamSupport.stream(all.spliterator(), false).count();
        }
        Matcher inTable =
                Pattern.compile("in table fraud_predictions\\s+([\\d,]+)").matcher(report);
        assertThat(inTable.find()).as(report).isTrue();
        assertThat(Long.parseLong(inTable.group(1).replace(",", ""))).isEqualTo(rows);
    }

    private static long dataFiles(Table table) {
        return Long.parseLong(table.currentSnapshot().summary().get("total-data-files"));
    }
}
