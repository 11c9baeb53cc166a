package io.hindsight.curation;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * Turns each closed period of each rule into a dataset version: an Iceberg tag on the first
 * snapshot holding all of the period's rows ({@link DatasetVersions#tag}), created after the
 * commit.
 *
 * <p>Runs once (parallelism 1) after the selection. A period is complete when the watermark passes
 * its {@code readyAt}: every subtask of the selection has then emitted its strata's rows and their
 * {@link CurationPeriod}. Its rows are committed by the curated table's Iceberg sink on the next
 * checkpoint, so each {@link #notifyCheckpointComplete} tries the complete periods, and keeps those
 * whose rows are not visible yet (the committer's own notification may come later) for the next
 * one. Pending periods are operator state: after a restart they are tried again, and a tag that an
 * earlier attempt created is found and kept.
 */
public final class DatasetTagOperator extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<CurationPeriod, Void> {

    private static final long serialVersionUID = 1L;

    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(DatasetTagOperator.class);

    public static final ListStateDescriptor<CurationPeriod> PENDING =
            new ListStateDescriptor<>("curation-tags-pending", CurationPeriod.TYPE_INFO);

    private final CatalogLoader catalogLoader;

    /** Per rule: its table as {@code namespace.name} (TableIdentifier is not serializable). */
    private final Map<String, String> tables;

    /** Per tag: the period, its rows summed over strata; {@code stratum} is unused here. */
    private transient Map<String, CurationPeriod> pending;

    private transient ListState<CurationPeriod> pendingState;
    private transient long watermark;
    private transient Catalog catalog;

    /**
     * @param tables the curated table of each rule, as {@code namespace.name}
     */
    public DatasetTagOperator(CatalogLoader catalogLoader, Map<String, String> tables) {
        this.catalogLoader = catalogLoader;
        this.tables = Map.copyOf(tables);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        pending = new LinkedHashMap<>();
        watermark = Long.MIN_VALUE;
        pendingState = context.getOperatorStateStore().getListState(PENDING);
        for (CurationPeriod p : pendingState.get()) {
            pending.put(p.tag, p);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        catalog = catalogLoader.loadCatalog();
    }

    @Override
    public void processElement(StreamRecord<CurationPeriod> element) {
        CurationPeriod p = element.getValue();
        CurationPeriod sum = pending.get(p.tag);
        if (sum == null) {
            pending.put(
                    p.tag,
                    new CurationPeriod(
                            p.rule,
                            null,
                            p.periodStart,
                            p.periodEnd,
                            p.readyAt,
                            p.tag,
                            p.rows,
                            p.labeledRows));
        } else {
            sum.rows += p.rows;
            sum.labeledRows += p.labeledRows;
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // Nothing downstream; the watermark only tells which periods are complete (readyAt <=).
        watermark = Math.max(watermark, mark.getTimestamp());
        super.processWatermark(mark);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        pendingState.update(new ArrayList<>(pending.values()));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        tagCompletePeriods();
    }

    /** Tags every complete period whose rows are committed; returns the tags still pending. */
    List<String> tagCompletePeriods() {
        Map<String, Table> loaded = new LinkedHashMap<>();
        for (Iterator<CurationPeriod> it = pending.values().iterator(); it.hasNext(); ) {
            CurationPeriod p = it.next();
            if (!tables.containsKey(p.rule)) {
                // A rule removed from the spec (restored from a savepoint): no table to tag.
                LOG.warn(
                        "Dropping the pending dataset version {}: rule '{}' is no longer in the spec",
                        p.tag,
                        p.rule);
                it.remove();
                continue;
            }
            if (p.readyAt > watermark) {
                continue; // another stratum of the period may still come
            }
            Table table =
                    loaded.computeIfAbsent(
                            p.rule, r -> catalog.loadTable(TableIdentifier.parse(tables.get(r))));
            DatasetVersions.Result result =
                    DatasetVersions.tag(table, p.tag, p.periodStart, p.rows);
            if (result != DatasetVersions.Result.NOT_YET_COMMITTED) {
                it.remove();
            }
        }
        return new ArrayList<>(pending.keySet());
    }

    @Override
    public void close() throws Exception {
        if (catalog instanceof Closeable c) {
            c.close();
        }
        super.close();
    }
}
