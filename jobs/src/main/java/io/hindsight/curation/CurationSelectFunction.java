package io.hindsight.curation;

import io.hindsight.schemas.CuratedRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The bounded bottom-k selection of one curation rule, stratum and period (the key): keeps the
 * {@code capacity} candidates of smallest priority, and emits them, ranked, when the watermark
 * passes the period's {@code readyAt}; then a {@link CurationPeriod} on {@link #PERIODS}. The
 * priority is a pure function of the record, so the rows do not depend on arrival order: a
 * streaming run and a drained BATCH run select the same rows. State per open period is at most
 * {@code capacity} rows.
 */
public final class CurationSelectFunction
        extends KeyedProcessFunction<String, CuratedRecord, CuratedRecord>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<CurationPeriod> PERIODS =
            new OutputTag<>("curation-periods", CurationPeriod.TYPE_INFO);

    /** The selected rows, by candidate id. */
    public static final MapStateDescriptor<String, CuratedRecord> ROWS =
            new MapStateDescriptor<>(
                    "curation-rows", Types.STRING, new AvroTypeInfo<>(CuratedRecord.class));

    /** The priorities held, and which is the worst. */
    public static final ValueStateDescriptor<CurationSelection> SELECTION =
            new ValueStateDescriptor<>(
                    "curation-selection", TypeInformation.of(CurationSelection.class));

    /** The worst priority held once the period is full; absent until then. */
    public static final ValueStateDescriptor<CurationBound> BOUND =
            new ValueStateDescriptor<>("curation-bound", TypeInformation.of(CurationBound.class));

    /**
     * The watermark at the last checkpoint, per subtask (union state; the least is restored): after
     * a restart the watermark starts from nothing again, and a candidate of a period emitted before
     * the checkpoint must stay late rather than open the period a second time.
     */
    public static final ListStateDescriptor<Long> WATERMARK =
            new ListStateDescriptor<>("curation-watermark", Types.LONG);

    private final Map<String, CurationRule> rules;

    private transient ListState<Long> watermarkState;
    private transient long restoredWatermark;
    private transient long seenWatermark;

    private transient MapState<String, CuratedRecord> rows;
    private transient ValueState<CurationSelection> selection;
    private transient ValueState<CurationBound> bound;
    private transient Counter candidates;
    private transient Counter late;
    private transient Counter selected;

    public CurationSelectFunction(Map<String, CurationRule> rules) {
        this.rules = Map.copyOf(rules);
    }

    @Override
    public void open(OpenContext context) {
        rows = getRuntimeContext().getMapState(ROWS);
        selection = getRuntimeContext().getState(SELECTION);
        bound = getRuntimeContext().getState(BOUND);
        candidates = getRuntimeContext().getMetricGroup().counter("curationCandidates");
        late = getRuntimeContext().getMetricGroup().counter("curationLateCandidates");
        selected = getRuntimeContext().getMetricGroup().counter("curationRowsSelected");
    }

    @Override
    public void processElement(CuratedRecord c, Context ctx, Collector<CuratedRecord> out)
            throws Exception {
        CurationRule rule = rules.get(c.getRule());
        long readyAt = rule.readyAt(c.getPeriodStart().toEpochMilli());
        long watermark = ctx.timerService().currentWatermark();
        seenWatermark = Math.max(seenWatermark, watermark);
        if (readyAt <= Math.max(watermark, restoredWatermark)) {
            // Its period was emitted already: the dataset version is immutable.
            late.inc();
            return;
        }
        candidates.inc();
        double p = c.getPriority();
        long h = c.getPriorityHash();
        String id = c.getCandidateId();
        CurationBound worst = bound.value();
        if (worst != null && !worst.isBeatenBy(p, h, id)) {
            return;
        }
        if (rows.contains(id)) {
            return; // the same candidate again (a replayed or re-sent record): idempotent
        }
        CurationSelection s = selection.value();
        if (s == null) {
            s = new CurationSelection();
            ctx.timerService().registerEventTimeTimer(readyAt);
        }
        if (s.size() < rule.spec.capacity()) {
            s.add(p, h, id);
        } else {
            rows.remove(s.replaceWorst(p, h, id));
        }
        rows.put(id, c);
        selection.update(s);
        if (s.size() == rule.spec.capacity()) {
            bound.update(s.bound());
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CuratedRecord> out)
            throws Exception {
        seenWatermark = Math.max(seenWatermark, ctx.timerService().currentWatermark());
        List<CuratedRecord> held = new ArrayList<>();
        for (CuratedRecord r : rows.values()) {
            held.add(r);
        }
        held.sort(CurationRule::compare);
        long labeled = 0;
        for (int i = 0; i < held.size(); i++) {
            CuratedRecord r = held.get(i);
            r.setSelectionRank(i + 1);
            if (r.getLabel() != null || r.getLabelClass() != null) {
                labeled++;
            }
            out.collect(r);
        }
        selected.inc(held.size());
        if (!held.isEmpty()) {
            CuratedRecord first = held.get(0);
            ctx.output(
                    PERIODS,
                    new CurationPeriod(
                            first.getRule(),
                            first.getStratum(),
                            first.getPeriodStart().toEpochMilli(),
                            first.getPeriodEnd().toEpochMilli(),
                            timestamp,
                            first.getDatasetVersion(),
                            held.size(),
                            labeled));
        }
        rows.clear();
        selection.clear();
        bound.clear();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        watermarkState.update(List.of(Math.max(seenWatermark, restoredWatermark)));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        watermarkState = context.getOperatorStateStore().getUnionListState(WATERMARK);
        restoredWatermark = Long.MIN_VALUE;
        seenWatermark = Long.MIN_VALUE;
        if (context.isRestored()) {
            long least = Long.MAX_VALUE;
            boolean any = false;
            for (Long w : watermarkState.get()) {
                least = Math.min(least, w);
                any = true;
            }
            // The final watermark of a drained run is the end of time, not a floor for a restart.
            restoredWatermark = any && least != Long.MAX_VALUE ? least : Long.MIN_VALUE;
        }
    }
}
