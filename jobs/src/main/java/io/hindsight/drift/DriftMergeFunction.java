package io.hindsight.drift;

import io.hindsight.schemas.DriftResult;
import io.hindsight.spec.DriftThresholds;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.ReferenceType;
import io.hindsight.window.Partial;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed stage of drift: merges the partials of a target's windows in RocksDB-friendly state
 * (one serialized accumulator per window), emits each window's rows when the watermark passes its
 * end, and keeps what a rolling reference needs. The jobs README ("Drift") documents the state, the
 * timers and what a late partial means.
 *
 * <p>Keyed by {@link Partial#key}: application + target.
 */
public final class DriftMergeFunction extends KeyedProcessFunction<String, Partial, DriftResult> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DriftMergeFunction.class);

    /** Window start → merged accumulator of a window not yet emitted. */
    public static final MapStateDescriptor<Long, byte[]> OPEN_WINDOWS =
            new MapStateDescriptor<>(
                    "drift-open-windows",
                    Types.LONG,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** Window start → the reference part of an emitted window (rolling reference only). */
    public static final MapStateDescriptor<Long, byte[]> ROLLING_REFERENCE =
            new MapStateDescriptor<>(
                    "drift-rolling-reference",
                    Types.LONG,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private final String application;
    private final HashMap<String, DriftTarget> targets = new HashMap<>();
    private final long windowMillis;
    private final int rollingWindows;
    private final int sketchK;
    private final int maxCategories;
    private final String referenceLabel;
    private final DriftThresholds thresholds;

    /** Target name → encoded reference (profile or table); null for a rolling reference. */
    private final HashMap<String, byte[]> fixedReference;

    private transient MapState<Long, byte[]> open;
    private transient MapState<Long, byte[]> rolling;
    private transient Map<String, FeatureWindow> fixed;
    private transient DriftRows rows;
    private transient Counter rowsEmitted;
    private transient Counter driftedRows;
    private transient Counter latePartials;
    private transient Counter lateValues;
    private transient Counter nonFiniteValues;
    private transient Counter unreportedClassValues;
    private transient Counter unknownTargetPartials;

    /**
     * @param referenceLabel what rows name as their reference ({@code DriftResult.reference})
     * @param profile the reference of a {@code profile} or {@code table} reference; null for {@code
     *     rolling}
     */
    public DriftMergeFunction(JobSpec spec, String referenceLabel, ReferenceProfile profile) {
        this.application = spec.application();
        for (DriftTarget t : DriftTarget.of(spec)) {
            targets.put(t.name(), t);
        }
        this.windowMillis = spec.drift().window().toMillis();
        boolean isRolling = spec.drift().reference().type() == ReferenceType.ROLLING;
        this.rollingWindows = isRolling ? spec.drift().reference().windows() : 0;
        this.sketchK = spec.drift().sketchK();
        this.maxCategories = spec.drift().maxCategories();
        this.referenceLabel = Objects.requireNonNull(referenceLabel, "referenceLabel");
        this.thresholds = spec.drift().thresholds();
        if (isRolling != (profile == null)) {
            throw new IllegalArgumentException(
                    isRolling
                            ? "a rolling drift reference takes no profile"
                            : "a profile or table drift reference needs its profile");
        }
        if (profile != null) {
            profile.requireCovers(spec);
            this.fixedReference = new HashMap<>(profile.encoded());
        } else {
            this.fixedReference = null;
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        open = getRuntimeContext().getMapState(OPEN_WINDOWS);
        rolling = getRuntimeContext().getMapState(ROLLING_REFERENCE);
        if (fixedReference != null) {
            fixed = new HashMap<>();
            fixedReference.forEach((name, bytes) -> fixed.put(name, decode(bytes)));
        }
        rows = new DriftRows(application, referenceLabel, thresholds);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        rowsEmitted = metrics.counter("driftRows");
        driftedRows = metrics.counter("driftDriftedRows");
        latePartials = metrics.counter("driftLatePartials");
        lateValues = metrics.counter("driftLateValues");
        nonFiniteValues = metrics.counter("driftNonFiniteValues");
        unreportedClassValues = metrics.counter("driftUnreportedClassValues");
        unknownTargetPartials = metrics.counter("driftUnknownTargetPartials");
    }

    @Override
    public void processElement(Partial partial, Context ctx, Collector<DriftResult> out)
            throws Exception {
        FeatureWindow incoming = decode(partial.accumulator);
        if (partial.windowEnd <= ctx.timerService().currentWatermark()) {
            // The window's row is out (or its watermark passed before any of its data came):
            // a row is emitted once, so these values stay out of drift. They are counted here
            // and the predictions remain in the predictions table.
            latePartials.inc();
            lateValues.inc(incoming.values());
            return;
        }
        if (!targets.containsKey(DriftFolder.targetOf(ctx.getCurrentKey()))) {
            unknownTargetPartials.inc();
            return;
        }
        byte[] held = open.get(partial.windowStart);
        if (held == null) {
            open.put(partial.windowStart, partial.accumulator);
            ctx.timerService().registerEventTimeTimer(partial.windowStart + windowMillis);
        } else {
            FeatureWindow window = decode(held);
            window.merge(incoming);
            open.put(partial.windowStart, window.encode());
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<DriftResult> out)
            throws Exception {
        DriftTarget target = targets.get(DriftFolder.targetOf(ctx.getCurrentKey()));
        if (target == null) {
            // State of a target the spec no longer watches (restored from an older job).
            LOG.warn(
                    "Dropping drift state of {}, which the spec no longer watches",
                    ctx.getCurrentKey());
            open.clear();
            rolling.clear();
            return;
        }
        List<Long> due = new ArrayList<>();
        for (Long start : open.keys()) {
            if (start + windowMillis <= time) {
                due.add(start);
            }
        }
        due.sort(null);
        for (long start : due) {
            FeatureWindow window = decode(open.get(start));
            FeatureWindow reference =
                    rollingWindows > 0 ? rollingReference(start) : fixed.get(target.name());
            for (DriftResult row :
                    rows.rows(target, start, start + windowMillis, window, reference)) {
                out.collect(row);
                rowsEmitted.inc();
                if (row.getDrifted()) {
                    driftedRows.inc();
                }
            }
            nonFiniteValues.inc(window.nonFinite());
            unreportedClassValues.inc(window.unreportedClassValues);
            open.remove(start);
            if (rollingWindows > 0 && window.values() > 0) {
                rolling.put(start, window.referencePart().encode());
                ctx.timerService().registerEventTimeTimer(lastUse(start));
            }
        }
        if (rollingWindows > 0) {
            List<Long> expired = new ArrayList<>();
            for (Long start : rolling.keys()) {
                if (lastUse(start) <= time) {
                    expired.add(start);
                }
            }
            for (Long start : expired) {
                rolling.remove(start);
            }
        }
    }

    /** The end of the last window whose rolling reference includes the window at {@code start}. */
    private long lastUse(long start) {
        return start + windowMillis + rollingWindows * windowMillis;
    }

    /**
     * The merge, in window order, of the kept windows that start in {@code [start − N·window,
     * start)}; null if there are none.
     */
    private FeatureWindow rollingReference(long start) throws Exception {
        long from = start - rollingWindows * windowMillis;
        List<Map.Entry<Long, byte[]>> kept = new ArrayList<>();
        for (Map.Entry<Long, byte[]> e : rolling.entries()) {
            if (e.getKey() >= from && e.getKey() < start) {
                kept.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        if (kept.isEmpty()) {
            return null;
        }
        kept.sort(Map.Entry.comparingByKey());
        FeatureWindow reference = new FeatureWindow(sketchK, maxCategories);
        for (Map.Entry<Long, byte[]> e : kept) {
            reference.merge(decode(e.getValue()));
        }
        return reference;
    }

    private FeatureWindow decode(byte[] bytes) {
        return FeatureWindow.decode(bytes, sketchK, maxCategories);
    }
}
