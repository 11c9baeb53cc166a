package io.hindsight.iceberg.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergBatchSql;
import io.hindsight.iceberg.IcebergTables;
import io.hindsight.iceberg.SpecCatalog;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.MaintenanceSpec;
import io.hindsight.spec.SpecLoader;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iceberg's Flink maintenance stream, run by {@link MaintenancePass} on an in-process MiniCluster,
 * over a predictions table of many one-file commits in a local Hadoop warehouse: rows identical,
 * files compacted, old snapshots expired with tagged and current ones kept, old orphans deleted and
 * live files kept.
 */
class MaintenancePassITCase {

    private static final Instant DAY0 = Instant.parse("2026-03-01T00:00:00Z");
    private static final int COMMITS = 40;
    private static final int ROWS_PER_COMMIT = 36;
    private static final String TAG = "curated-v1";
    private static final long TEN_DAYS_AGO =
            System.currentTimeMillis() - Duration.ofDays(10).toMillis();

    @TempDir Path dir;

    private JobSpec spec;
    private CatalogLoader loader;
    private Table table;
    private final List<DataFile> written = new ArrayList<>();

    @BeforeEach
    void writeManySmallCommits() {
        spec =
                SpecLoader.parse(
                        """
                        version: 1
                        application: fraud
                        kafka: {bootstrap-servers: localhost:9092}
                        inputs:
                          predictions:
                            topic: p
                            format: json
                            fields: {join-key: id, event-time: ts, model-name: m, model-version: v}
                          feedback:
                            topic: f
                            format: json
                            fields: {join-key: id, event-time: ts}
                        join: {label-window: 60d}
                        iceberg:
                          catalog: {type: hadoop, warehouse: 'file://%s'}
                        """
                                .formatted(dir.resolve("warehouse")),
                        Map.of());
        loader = SpecCatalog.loader(spec);
        Catalog catalog = loader.loadCatalog();
        TableIdentifier id =
                TableMaintenanceStreams.tables(spec)
                        .get(HindsightTable.PREDICTIONS.defaultTableName());
        table =
                IcebergTables.ensure(
                        catalog, id.namespace(), HindsightTable.PREDICTIONS, id.name());
        // Two days of event time, 20 commits each: 40 one-file commits in two partitions.
        for (int c = 0; c < COMMITS; c++) {
            List<Record> rows = new ArrayList<>();
            for (int r = 0; r < ROWS_PER_COMMIT; r++) {
                rows.add(SmallCommits.prediction(table, (long) c * ROWS_PER_COMMIT + r, DAY0));
            }
            written.add(SmallCommits.commit(table, rows, c + 1));
            if (c == 4) {
                // What curation does to a dataset: a tag on a snapshot.
                table.manageSnapshots()
                        .createTag(TAG, table.currentSnapshot().snapshotId())
                        .commit();
            }
        }
        table.refresh();
    }

    @Test
    void aPassCompactsExpiresAndRemovesOrphansWithoutChangingARow() throws Exception {
        long taggedId = table.refs().get(TAG).snapshotId();
        List<String> taggedRows = dump(table, taggedId);
        List<String> rowsBefore = dump(table, null);
        Set<Long> snapshotsBefore = snapshotIds(table);
        // The files of the tagged snapshot are old and live; they must stay.
        for (DataFile f : written.subList(0, 5)) {
            assertThat(localFile(f.location()).setLastModified(TEN_DAYS_AGO)).isTrue();
        }
        File dataDir = localFile(table.location() + "/data");
        File oldOrphan = new File(dataDir, "orphan-from-a-failed-writer.parquet");
        File youngOrphan = new File(dataDir, "being-written-now.parquet");
        Files.writeString(oldOrphan.toPath(), "old");
        Files.writeString(youngOrphan.toPath(), "young");
        assertThat(oldOrphan.setLastModified(TEN_DAYS_AGO)).isTrue();

        // Every snapshot here is seconds old: expire all but the last one (and the tagged one).
        MaintenanceSpec maintenance =
                MaintenanceSpec.defaults()
                        .withCompactMinInputFiles(2)
                        .withExpiry(Duration.ofMillis(1), 1)
                        .withOrphansOlderThan(Duration.ofDays(1));
        MaintenancePass.Result result =
                MaintenancePass.run(
                        spec, maintenance, loader, new Configuration(), Duration.ofMinutes(3));

        assertThat(result.tables()).hasSize(1);
        MaintenancePass.TableResult t = result.tables().get(0);
        assertThat(t.before().dataFiles()).isEqualTo(COMMITS);
        assertThat(t.after().dataFiles()).isEqualTo(2); // one per day partition
        assertThat(t.after().rows()).isEqualTo((long) COMMITS * ROWS_PER_COMMIT);
        assertThat(t.after().snapshots()).isLessThan(t.before().snapshots());

        table.refresh();
        assertThat(dump(table, null)).isEqualTo(rowsBefore);

        Set<Long> kept = snapshotIds(table);
        assertThat(kept).contains(taggedId, table.currentSnapshot().snapshotId());
        // Of the 40 commits and the compaction's, the tagged and the last one are left.
        assertThat(kept).containsExactlyInAnyOrder(taggedId, table.currentSnapshot().snapshotId());
        Set<Long> expired = new HashSet<>(snapshotsBefore);
        expired.removeAll(kept);
        assertThat(expired).hasSize(COMMITS - 1);
        assertThat(dump(table, taggedId)).isEqualTo(taggedRows).hasSize(5 * ROWS_PER_COMMIT);

        // What the package README tells a user to run, through the one batch SQL session.
        IcebergBatchSql sql = IcebergBatchSql.open(spec, loader, dir.resolve("sql.log"));
        assertThat(sql.rows("SELECT count(*) FROM `fraud_predictions$files`").get(0).getField(0))
                .isEqualTo(2L);
        assertThat(sql.rows("SELECT snapshot_id FROM `fraud_predictions$snapshots`")).hasSize(2);
        assertThat(sql.rows("SELECT name, type FROM `fraud_predictions$refs`"))
                .extracting(Object::toString)
                .contains("+I[" + TAG + ", TAG]");

        assertThat(oldOrphan).doesNotExist();
        assertThat(youngOrphan).exists();
        for (DataFile f : written.subList(0, 5)) {
            assertThat(localFile(f.location())).exists();
        }
        // The small files only expired snapshots referenced are gone with them.
        for (DataFile f : written.subList(5, COMMITS)) {
            assertThat(localFile(f.location())).doesNotExist();
        }
    }

    private static File localFile(String location) {
        return new File(java.net.URI.create(location).getPath());
    }

    private static Set<Long> snapshotIds(Table table) {
        Set<Long> ids = new HashSet<>();
        for (Snapshot s : table.snapshots()) {
            ids.add(s.snapshotId());
        }
        return ids;
    }

    /** Every row as text, sorted: content equality independent of file layout. */
    private static List<String> dump(Table table, Long snapshotId) throws IOException {
        var scan = IcebergGenerics.read(table);
        if (snapshotId != null) {
            scan = scan.useSnapshot(snapshotId);
        }
        List<String> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = scan.build()) {
            for (Record r : records) {
                rows.add(r.toString());
            }
        }
        rows.sort(null);
        return rows;
    }
}
