package io.hindsight.curation;

import io.hindsight.spec.JobSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.io.CloseableIterable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dataset versions of a curated table: each period of a rule becomes an Iceberg tag on the first
 * snapshot that contains all of the period's rows. The tag is found from the data, not from the
 * sink's bookkeeping: walking back from the current snapshot while the period's row count stays
 * complete gives the first snapshot that held them all, whichever commit (and whichever job run)
 * wrote them. Creating a tag is idempotent: a deterministic name, created only if absent.
 */
public final class DatasetVersions {

    private static final Logger LOG = LoggerFactory.getLogger(DatasetVersions.class);

    private DatasetVersions() {}

    /** What {@link #tag} did. */
    public enum Result {
        /** The tag was created now. */
        CREATED,
        /** The tag existed already (an earlier attempt, or a run before a restart). */
        EXISTED,
        /** The current snapshot does not hold all of the period's rows yet: try again later. */
        NOT_YET_COMMITTED
    }

    /**
     * Tags the first snapshot of {@code table}'s main branch that holds at least {@code
     * expectedRows} rows of the period starting at {@code periodStart}.
     */
    public static Result tag(Table table, String tag, long periodStart, long expectedRows) {
        table.refresh();
        if (table.refs().containsKey(tag)) {
            return Result.EXISTED;
        }
        Snapshot current = table.currentSnapshot();
        if (current == null || rows(table, current, periodStart) < expectedRows) {
            return Result.NOT_YET_COMMITTED;
        }
        Snapshot first = current;
        for (Snapshot parent = parent(table, first);
                parent != null && rows(table, parent, periodStart) >= expectedRows;
                parent = parent(table, parent)) {
            first = parent;
        }
        try {
            table.manageSnapshots().createTag(tag, first.snapshotId()).commit();
            LOG.info(
                    "Dataset version {} of {}: snapshot {} ({} rows)",
                    tag,
                    table.name(),
                    first.snapshotId(),
                    expectedRows);
            return Result.CREATED;
        } catch (ValidationException | CommitFailedException e) {
            // Created concurrently (another attempt of the same step): the name says it all.
            table.refresh();
            if (table.refs().containsKey(tag)) {
                return Result.EXISTED;
            }
            throw e;
        }
    }

    /**
     * Tags every period the curated tables of {@code spec} hold that has no tag yet, each at the
     * first snapshot with all of its rows: the step after a drained BATCH run, which commits once
     * at its end and has no checkpoint to react to. Returns the tags created.
     */
    public static java.util.List<String> tagAll(JobSpec spec, CatalogLoader loader) {
        java.util.List<String> created = new java.util.ArrayList<>();
        Catalog catalog = loader.loadCatalog();
        try (java.io.Closeable closer = catalog instanceof java.io.Closeable c ? c : () -> {}) {
            for (CurationRule rule : CurationPipeline.rules(spec).values()) {
                TableIdentifier id =
                        TableIdentifier.of(
                                Namespace.of(spec.iceberg().namespace()),
                                CurationPipeline.tableName(spec, rule.name()));
                if (!catalog.tableExists(id)) {
                    continue;
                }
                Table table = catalog.loadTable(id);
                Snapshot current = table.currentSnapshot();
                if (current == null) {
                    continue;
                }
                java.util.Map<Long, Long> counts = new java.util.TreeMap<>();
                try (CloseableIterable<Record> records =
                        IcebergGenerics.read(table)
                                .useSnapshot(current.snapshotId())
                                .select("period_start")
                                .build()) {
                    for (Record r : records) {
                        long start =
                                ((java.time.OffsetDateTime) r.getField("period_start"))
                                        .toInstant()
                                        .toEpochMilli();
                        counts.merge(start, 1L, Long::sum);
                    }
                }
                for (java.util.Map.Entry<Long, Long> e : counts.entrySet()) {
                    String tag = rule.tag(e.getKey());
                    if (tag(table, tag, e.getKey(), e.getValue()) == Result.CREATED) {
                        created.add(tag);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Tagging the curated tables of " + spec.application(), e);
        }
        return created;
    }

    /** The snapshot a tag points at, or null. */
    public static Long snapshotOf(Table table, String tag) {
        SnapshotRef ref = table.refs().get(tag);
        return ref == null || !ref.isTag() ? null : ref.snapshotId();
    }

    private static Snapshot parent(Table table, Snapshot s) {
        return s.parentId() == null ? null : table.snapshot(s.parentId());
    }

    /** Rows of the period in snapshot {@code s}: Iceberg's generic reader, pruned by partition. */
    static long rows(Table table, Snapshot s, long periodStart) {
        long n = 0;
        try (CloseableIterable<Record> records =
                IcebergGenerics.read(table)
                        .useSnapshot(s.snapshotId())
                        .where(
                                Expressions.equal(
                                        "period_start",
                                        Instant.ofEpochMilli(periodStart).toString()))
                        .select("period_start")
                        .build()) {
            for (Record ignored : records) {
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Reading " + table.name() + " at " + s.snapshotId(), e);
        }
        return n;
    }
}
