package io.hindsight.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes generated outcomes through {@link IcebergSinks#append} on a MiniCluster with
 * checkpointing, then reads the table back with Flink SQL and with Iceberg's generic reader.
 */
class IcebergSinkITCase {

    private static final int PARALLELISM = 2;
    private static final int RECORDS = 3000;
    private static final Instant BASE = Instant.parse("2026-03-01T00:00:00Z");
    private static final TableIdentifier ID =
            TableIdentifier.of(Namespace.of("hindsight"), "outcomes");

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .build());

    @TempDir Path warehouse;

    /** Outcome number {@code i}: three days of prediction times, every fourth one expired. */
    static Outcome outcome(long i) {
        boolean expired = i % 4 == 0;
        Instant predictionTime = BASE.plus(Duration.ofDays(i % 3)).plusSeconds(i);
        Outcome.Builder builder =
                Outcome.newBuilder()
                        .setApplication("churn")
                        .setPredictionId("p-" + i)
                        .setPredictionTime(predictionTime)
                        .setModelName("churn-gbt")
                        .setModelVersion(i % 2 == 0 ? "v7" : "v8")
                        .setScore(i / (double) RECORDS)
                        .setNumericFeatures(Map.of("tenure_days", (double) i))
                        .setTags(Map.of("country", i % 5 == 0 ? "DE" : "FR"))
                        .setStatus(expired ? OutcomeStatus.EXPIRED : OutcomeStatus.LABELED)
                        .setPolicy("first")
                        .setRevision(1)
                        .setIsFinal(true)
                        .setFeedbackCount(expired ? 0 : 1)
                        .setResolvedTime(predictionTime.plusSeconds(600));
        if (!expired) {
            builder.setFeedbackId("f-" + i)
                    .setFeedbackTime(predictionTime.plusSeconds(60))
                    .setLabel((double) (i % 2))
                    .setLabelDelayMs(60_000L);
        }
        return builder.build();
    }

    @Test
    void writesOutcomesExactlyOnceReadableWithSqlAndIcebergGenerics() throws Exception {
        CatalogLoader loader = IcebergCatalogs.localHadoop("hindsight", warehouse);

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(1000);
        DataGeneratorSource<Outcome> source =
                new DataGeneratorSource<>(
                        IcebergSinkITCase::outcome,
                        RECORDS,
                        RateLimiterStrategy.perSecond(1500),
                        new AvroTypeInfo<>(Outcome.class));
        DataStream<Outcome> outcomes =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "outcomes")
                        .uid("generated-outcomes");
        IcebergSinks.append(outcomes, HindsightTable.OUTCOMES, loader, ID, "outcomes", 2);
        env.execute("iceberg sink test");

        // Expectations computed from the generator, independently of the sink.
        long expectedExpired = 0;
        double expectedLabelSum = 0;
        Set<String> expectedIds = new HashSet<>();
        for (long i = 0; i < RECORDS; i++) {
            Outcome o = outcome(i);
            expectedIds.add(o.getPredictionId());
            if (o.getStatus() == OutcomeStatus.EXPIRED) {
                expectedExpired++;
            } else {
                expectedLabelSum += o.getLabel();
            }
        }

        assertReadableWithFlinkSql(expectedExpired, expectedLabelSum);
        assertReadableWithIcebergGenerics(loader, expectedIds);
    }

    private void assertReadableWithFlinkSql(long expectedExpired, double expectedLabelSum) {
        IcebergBatchSql sql =
                IcebergBatchSql.open(
                        "c",
                        IcebergCatalogs.localHadoop("c", warehouse),
                        "hindsight",
                        Path.of("target", "failsafe-reports"));

        List<Row> totals =
                sql.rows(
                        "SELECT count(*), count(DISTINCT prediction_id),"
                                + " sum(CASE WHEN status = 'EXPIRED' THEN 1 ELSE 0 END),"
                                + " sum(label) FROM c.hindsight.outcomes");
        assertThat(totals).hasSize(1);
        assertThat(totals.get(0).getField(0)).isEqualTo((long) RECORDS);
        assertThat(totals.get(0).getField(1)).isEqualTo((long) RECORDS);
        assertThat(((Number) totals.get(0).getField(2)).longValue()).isEqualTo(expectedExpired);
        assertThat(totals.get(0).getField(3)).isEqualTo(expectedLabelSum);

        Outcome seventh = outcome(7);
        List<Row> rows =
                sql.rows(
                        "SELECT prediction_time, status, label, model_version, tags['country'],"
                                + " numeric_features['tenure_days'], feedback_time"
                                + " FROM c.hindsight.outcomes WHERE prediction_id = 'p-7'");
        assertThat(rows).hasSize(1);
        Row row = rows.get(0);
        assertThat(row.getField(0)).isEqualTo(seventh.getPredictionTime());
        assertThat(row.getField(1)).isEqualTo("LABELED");
        assertThat(row.getField(2)).isEqualTo(1.0);
        assertThat(row.getField(3)).isEqualTo("v8");
        assertThat(row.getField(4)).isEqualTo("FR");
        assertThat(row.getField(5)).isEqualTo(7.0);
        assertThat(row.getField(6)).isEqualTo(seventh.getFeedbackTime());
    }

    private void assertReadableWithIcebergGenerics(CatalogLoader loader, Set<String> expectedIds)
            throws Exception {
        Table table = loader.loadCatalog().loadTable(ID);

        Set<String> ids = new HashSet<>();
        long rows = 0;
        Record expiredZero = null;
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record record : records) {
                rows++;
                ids.add((String) record.getField("prediction_id"));
                if ("p-0".equals(record.getField("prediction_id"))) {
                    expiredZero = record.copy();
                }
            }
        }
        assertThat(rows).isEqualTo(RECORDS);
        assertThat(ids).isEqualTo(expectedIds);
        assertThat(expiredZero).isNotNull();
        assertThat(expiredZero.getField("status")).isEqualTo("EXPIRED");
        assertThat(expiredZero.getField("label")).isNull();
        assertThat(expiredZero.getField("prediction_time"))
                .isEqualTo(OffsetDateTime.ofInstant(BASE, ZoneOffset.UTC));

        // Partitioned by day(prediction_time): the generator spans three days.
        Set<Object> days = new HashSet<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                days.add(task.file().partition().get(0, Integer.class));
            }
        }
        assertThat(days).hasSize(3);
        assertThat(table.currentSnapshot().summary()).containsKey("flink.job-id");
    }
}
