package io.hindsight.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.iceberg.IcebergBatchSql;
import io.hindsight.iceberg.IcebergCatalogs;
import io.hindsight.sim.SimulationPlan;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import io.hindsight.spec.TableNames;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo end to end (a real broker, the job, the report's SQL), then the report's queries again
 * over the same rows rewritten as hundreds of small commits, each file its own split: the shape a
 * slow machine gives the demo's tables (less data per checkpoint, so more and smaller files), and
 * under which the report's first query once failed to get memory for its hash aggregate ({@code The
 * minBucketMemorySize is not valid!}, when the session ran with Flink's local defaults and Iceberg
 * sized each scan by its splits).
 */
class DemoSmallCommitsTest {

    static final int DAYS = 49;

    /** About how many commits (one file each) each table of the rewritten warehouse gets. */
    static final int COMMITS_PER_TABLE = 200;

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
    void theReportsQueriesShowRowsOnTheDemosTablesAndOnTheSameRowsInManySmallCommits()
            throws Exception {
        Path home = Path.of(System.getProperty("hindsight.home", "..")).toAbsolutePath();
        Path work = tempDir.resolve("demo");
        String report =
                capture(out -> new Demo(out, home, work, Demo.CHECKPOINT_INTERVAL).run(DAYS, 60));
        assertThat(report).doesNotContain("NOT BALANCED").doesNotContain("FAILED");
        assertEveryQueryShowedRows(report);

        Catalog demo = IcebergCatalogs.localHadoop("demo", work.resolve("warehouse")).loadCatalog();
        Table predictions = demo.loadTable(TableIdentifier.of("hindsight", "fraud_predictions"));
        // The report's count of prediction rows (SQL) against the table read without SQL.
        Matcher inTable =
                Pattern.compile("in table fraud_predictions\\s+([\\d,]+)").matcher(report);
        assertThat(inTable.find()).as(report).isTrue();
        assertThat(Long.parseLong(inTable.group(1).replace(",", ""))).isEqualTo(count(predictions));

        Path smallWarehouse = tempDir.resolve("small-commits");
        CatalogLoader small = IcebergCatalogs.localHadoop("small", smallWarehouse);
        Catalog smallCatalog = small.loadCatalog();
        JobSpec spec = spec(home);
        TableNames t = spec.iceberg().tables();
        for (String name :
                List.of(
                        t.predictions(),
                        t.outcomes(),
                        t.unmatchedFeedback(),
                        t.drift(),
                        t.metrics(),
                        t.alerts())) {
            Table source = demo.loadTable(TableIdentifier.of("hindsight", name));
            Table target =
                    rewriteInSmallCommits(
                            source, smallCatalog, TableIdentifier.of("hindsight", name));
            assertThat(count(target)).as(name).isEqualTo(count(source));
        }
        Table smallOutcomes = smallCatalog.loadTable(TableIdentifier.of("hindsight", t.outcomes()));
        assertThat(smallOutcomes.snapshots()).hasSizeGreaterThanOrEqualTo(150);

        Instant driftAt =
                SimulationPlan.defaults(
                                42L,
                                Instant.parse("2026-01-05T00:00:00Z"),
                                Duration.ofDays(DAYS),
                                60)
                        .driftAt();
        IcebergBatchSql sql =
                IcebergBatchSql.open("small", small, "hindsight", tempDir.resolve("test.log"));
        List<List<String>> failures = new ArrayList<>();
        String again =
                capture(
                        out -> {
                            failures.add(new DemoReport(out, sql, spec).queries(driftAt));
                            return failures.get(0).size();
                        });
        assertThat(failures.get(0)).as(again).isEmpty();
        assertEveryQueryShowedRows(again);
    }

    /** Runs {@code body} with a stream to print to; fails unless it returns 0; returns the text. */
    private static String capture(PrintingBody body) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            exit = body.run(out);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(text).isZero();
        return text;
    }

    @FunctionalInterface
    private interface PrintingBody {
        int run(PrintStream out) throws Exception;
    }

    /** Every query printed rows: its result ends in "N rows in set" (or N state changes), N > 0. */
    private static void assertEveryQueryShowedRows(String report) {
        for (String query : QUERIES) {
            int at = report.indexOf(query);
            assertThat(at).as("query %s in%n%s", query, report).isNotNegative();
            int next = report.indexOf("\n-- ", at + query.length());
            String section = report.substring(at, next < 0 ? report.length() : next);
            Matcher m = RESULT.matcher(section);
            assertThat(m.find()).as("result of %s in%n%s", query, section).isTrue();
            String count = m.group(1) != null ? m.group(1) : m.group(2);
            assertThat(count).as("rows of %s in%n%s", query, section).isNotNull();
            assertThat(Long.parseLong(count)).as("rows of %s", query).isPositive();
        }
    }

    /**
     * A copy of {@code source} (schema, partitioning, properties) written in about {@link
     * #COMMITS_PER_TABLE} commits (more where partitions hold fewer rows), one file of one
     * partition each, with every file its own split (an open-file cost as large as the split size),
     * so that the planner sees as many splits as a warehouse of many times more commits would give
     * it.
     */
    private static Table rewriteInSmallCommits(Table source, Catalog catalog, TableIdentifier id)
            throws Exception {
        Map<String, String> props = new HashMap<>(source.properties());
        String splitSize =
                props.getOrDefault(
                        TableProperties.SPLIT_SIZE,
                        String.valueOf(TableProperties.SPLIT_SIZE_DEFAULT));
        props.put(TableProperties.SPLIT_OPEN_FILE_COST, splitSize);
        Table target =
                catalog.buildTable(id, source.schema())
                        .withPartitionSpec(source.spec())
                        .withProperties(props)
                        .create();
        GenericAppenderFactory factory = new GenericAppenderFactory(target.schema(), target.spec());
        InternalRecordWrapper wrapper = new InternalRecordWrapper(target.schema().asStruct());
        Map<PartitionKey, List<Record>> byPartition = new LinkedHashMap<>();
        try (CloseableIterable<Record> all = IcebergGenerics.read(source).build()) {
            for (Record r : all) {
                PartitionKey key = new PartitionKey(target.spec(), target.schema());
                key.partition(wrapper.wrap(r));
                byPartition.computeIfAbsent(key, k -> new ArrayList<>()).add(r.copy());
            }
        }
        long total = byPartition.values().stream().mapToLong(List::size).sum();
        int rowsPerCommit = (int) Math.max(1, total / COMMITS_PER_TABLE);
        for (Map.Entry<PartitionKey, List<Record>> partition : byPartition.entrySet()) {
            List<Record> rows = partition.getValue();
            for (int from = 0; from < rows.size(); from += rowsPerCommit) {
                String location =
                        target.locationProvider()
                                .newDataLocation(
                                        target.spec(),
                                        partition.getKey(),
                                        UUID.randomUUID() + ".parquet");
                DataWriter<Record> writer =
                        factory.newDataWriter(
                                EncryptedFiles.plainAsEncryptedOutput(
                                        target.io().newOutputFile(location)),
                                FileFormat.PARQUET,
                                partition.getKey());
                try (writer) {
                    rows.subList(from, Math.min(rows.size(), from + rowsPerCommit))
                            .forEach(writer::write);
                }
                target.newAppend().appendFile(writer.toDataFile()).commit();
            }
        }
        return target;
    }

    private static long count(Table table) throws Exception {
        table.refresh();
        try (CloseableIterable<Record> all = IcebergGenerics.read(table).build()) {
            return StreamSupport.stream(all.spliterator(), false).count();
        }
    }

    /** The fraud spec as the demo loads it; only its table names and topics are used here. */
    private static JobSpec spec(Path home) {
        return SpecLoader.load(
                home.resolve("examples/fraud/spec.yaml"),
                Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                        "SCHEMA_REGISTRY_URL", "http://localhost:8081"));
    }
}
