package io.hindsight.curation;

import static io.hindsight.curation.CurationTesting.DAY;
import static io.hindsight.curation.CurationTesting.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.iceberg.IcebergBatchSql;
import io.hindsight.iceberg.IcebergCatalogs;
import io.hindsight.jobs.TableAndTopicSinks;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.CurationRuleSpec;
import io.hindsight.spec.CurationSampling;
import io.hindsight.spec.CurationSource;
import io.hindsight.spec.CurationSpec;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Curated datasets on a real Iceberg warehouse: a streaming run with checkpoints (rows committed
 * over many checkpoints, tags created after the commits) and a drained BATCH run (tags from the
 * step after it). Each dataset version is read back by its tag with Iceberg's generic reader and
 * compared with the exact selection; both runs give the same rows in every version.
 */
class CuratedDatasetsTest {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final int N = 2000;
    static final int DAYS = 6;

    static final List<CurationRuleSpec> RULES =
            List.of(
                    CurationTesting.rule("daily", CurationSampling.UNIFORM, 40, Duration.ofDays(1)),
                    new CurationRuleSpec(
                            "uncertain",
                            CurationSource.PREDICTIONS,
                            null,
                            null,
                            0.5,
                            0.25,
                            false,
                            Map.of(),
                            null,
                            CurationSampling.MOST_UNCERTAIN,
                            null,
                            List.of(),
                            15,
                            Duration.ofHours(12),
                            9L),
                    CurationTesting.rule(
                            "strata", CurationSampling.STRATIFIED, 30, Duration.ofDays(2)));

    @TempDir Path streamingWarehouse;
    @TempDir Path batchWarehouse;

    /** Prediction {@code i}: in time order, up to 20 minutes out of order. */
    static Prediction prediction(long i) {
        Random r = new Random(i * 7919L);
        long t = T0 + i * (DAYS * DAY / N) + (long) (r.nextDouble() * 20 * 60_000);
        return CurationTesting.prediction(
                "p-" + i,
                t,
                Math.round(r.nextDouble() * 1000) / 1000.0,
                CurationTesting.COUNTRIES[r.nextInt(CurationTesting.COUNTRIES.length)]);
    }

    static JobSpec spec() {
        JobSpec fraud =
                SpecLoader.load(
                        Path.of(
                                System.getProperty("hindsight.home", ".."),
                                "examples/fraud/spec.yaml"),
                        Map.of());
        return new JobSpec(
                fraud.version(),
                fraud.application(),
                fraud.kafka(),
                fraud.inputs(),
                fraud.join(),
                fraud.iceberg(),
                fraud.outputs(),
                fraud.drift(),
                fraud.metrics(),
                fraud.alerts(),
                new CurationSpec(RULES, List.of(), "hindsight.fraud.retrain"),
                fraud.maintenance());
    }

    /** Runs the curation on the generated predictions; returns the tags the job itself created. */
    static void run(CatalogLoader catalog, boolean batch) throws Exception {
        JobSpec spec = spec();
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        if (batch) {
            env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        } else {
            env.enableCheckpointing(200);
        }
        DataGeneratorSource<Prediction> source =
                new DataGeneratorSource<>(
                        (GeneratorFunction<Long, Prediction>) CuratedDatasetsTest::prediction,
                        N,
                        // A few hundred records per checkpoint: the periods close, and their rows
                        // commit, over many checkpoints.
                        batch ? RateLimiterStrategy.noOp() : RateLimiterStrategy.perCheckpoint(150),
                        new AvroTypeInfo<>(Prediction.class));
        DataStream<Prediction> predictions =
                env.fromSource(
                                source,
                                WatermarkStrategy.<Prediction>forBoundedOutOfOrderness(
                                                Duration.ofHours(1))
                                        .withTimestampAssigner(
                                                (p, ts) -> p.getEventTime().toEpochMilli()),
                                "predictions")
                        .uid("predictions-source");
        CurationPipeline.attach(
                spec, predictions, null, null, new TableAndTopicSinks(spec, catalog, 2));
        env.execute("curated datasets " + (batch ? "batch" : "streaming"));
    }

    /** Per tag: the rows of its period in the tagged snapshot, as "tag stratum rank id". */
    static Map<String, List<String>> readByTag(Catalog catalog) throws Exception {
        Map<String, List<String>> versions = new TreeMap<>();
        for (CurationRuleSpec rule : RULES) {
            Table table =
                    catalog.loadTable(
                            TableIdentifier.of("hindsight", "fraud_curated_" + rule.name()));
            for (var e : table.refs().entrySet()) {
                if (!e.getValue().isTag()) {
                    continue;
                }
                List<String> rows = new ArrayList<>();
                try (CloseableIterable<Record> records =
                        IcebergGenerics.read(table)
                                .useSnapshot(e.getValue().snapshotId())
                                .build()) {
                    for (Record r : records) {
                        if (r.getField("dataset_version").equals(e.getKey())) {
                            rows.add(
                                    e.getKey()
                                            + " "
                                            + r.getField("stratum")
                                            + " "
                                            + r.getField("selection_rank")
                                            + " "
                                            + r.getField("prediction_id"));
                        }
                    }
                }
                rows.sort(null);
                versions.put(e.getKey(), rows);
                // The tag is on the first snapshot holding all of them: its parent lacks some.
                Snapshot tagged = table.snapshot(e.getValue().snapshotId());
                if (tagged.parentId() != null) {
                    long start =
                            ((OffsetDateTime)
                                            first(table, tagged, e.getKey())
                                                    .getField("period_start"))
                                    .toInstant()
                                    .toEpochMilli();
                    assertThat(
                                    DatasetVersions.rows(
                                            table, table.snapshot(tagged.parentId()), start))
                            .as("rows of %s before its tagged snapshot", e.getKey())
                            .isLessThan(rows.size());
                }
            }
        }
        return versions;
    }

    private static Record first(Table table, Snapshot s, String tag) throws Exception {
        try (CloseableIterable<Record> records =
                IcebergGenerics.read(table).useSnapshot(s.snapshotId()).build()) {
            for (Record r : records) {
                if (r.getField("dataset_version").equals(tag)) {
                    return r;
                }
            }
        }
        throw new AssertionError("no row of " + tag);
    }

    /** The README's Flink SQL: a version by its tag is the snapshot, not the current table. */
    void flinkSqlReadsAVersionByItsTag(CatalogLoader loader, Map<String, List<String>> exact) {
        String tag = "fraud-daily-2026-03-02";
        IcebergBatchSql sql =
                IcebergBatchSql.open(
                        "hindsight", loader, "hindsight", streamingWarehouse.resolve("log"));
        String hint = "/*+ OPTIONS('tag'='" + tag + "') */";
        List<String> rows =
                sql
                        .rows(
                                "SELECT dataset_version, stratum, selection_rank, prediction_id FROM"
                                        + " fraud_curated_daily "
                                        + hint
                                        + " WHERE dataset_version = '"
                                        + tag
                                        + "'")
                        .stream()
                        .map(
                                r ->
                                        r.getField(0)
                                                + " "
                                                + r.getField(1)
                                                + " "
                                                + r.getField(2)
                                                + " "
                                                + r.getField(3))
                        .sorted()
                        .toList();
        assertThat(rows).containsExactlyElementsOf(exact.get(tag));
        long inVersion =
                (Long)
                        sql.rows("SELECT count(*) FROM fraud_curated_daily " + hint)
                                .get(0)
                                .getField(0);
        long now = (Long) sql.rows("SELECT count(*) FROM fraud_curated_daily").get(0).getField(0);
        assertThat(inVersion).isLessThan(now);
    }

    /** The exact selection, grouped by tag. */
    static Map<String, List<String>> expected() {
        List<Prediction> all = new ArrayList<>();
        for (long i = 0; i < N; i++) {
            all.add(prediction(i));
        }
        Map<String, CurationRule> rules = new java.util.LinkedHashMap<>();
        for (CurationRuleSpec r : RULES) {
            rules.put(r.name(), new CurationRule("fraud", r, 60 * DAY));
        }
        Map<String, List<String>> byTag = new TreeMap<>();
        for (String line : CurationTesting.expected(rules, all)) {
            byTag.computeIfAbsent(line.split(" ")[0], t -> new ArrayList<>()).add(line);
        }
        byTag.values().forEach(l -> l.sort(null));
        return byTag;
    }

    @Test
    void everyPeriodIsATaggedVersionHoldingExactlyItsSelectionInStreamingAndBatch()
            throws Exception {
        Map<String, List<String>> exact = expected();
        assertThat(exact).hasSizeGreaterThan(10);

        CatalogLoader streaming = IcebergCatalogs.localHadoop("hindsight", streamingWarehouse);
        run(streaming, false);
        // The job tagged the periods that closed while it ran. A bounded streaming run ends with a
        // checkpoint whose commit may follow the tag step's notification; the step after the run
        // tags what is left (and finds the rest done).
        List<String> leftAtTheEnd = DatasetVersions.tagAll(spec(), streaming);
        assertThat(leftAtTheEnd)
                .hasSizeLessThan(exact.size())
                .doesNotContain("fraud-daily-2026-03-01");
        Map<String, List<String>> streamed = readByTag(streaming.loadCatalog());
        flinkSqlReadsAVersionByItsTag(streaming, exact);

        CatalogLoader batch = IcebergCatalogs.localHadoop("hindsight", batchWarehouse);
        run(batch, true);
        assertThat(DatasetVersions.tagAll(spec(), batch)).hasSize(exact.size());
        assertThat(DatasetVersions.tagAll(spec(), batch)).isEmpty(); // idempotent
        Map<String, List<String>> drained = readByTag(batch.loadCatalog());

        assertThat(streamed).isEqualTo(exact);
        assertThat(drained).isEqualTo(exact);
        assertThat(exact.keySet())
                .contains(
                        "fraud-daily-2026-03-01",
                        "fraud-uncertain-2026-03-01T12-00",
                        "fraud-strata-2026-03-04");
        assertThat(Instant.ofEpochMilli(T0)).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    }
}
