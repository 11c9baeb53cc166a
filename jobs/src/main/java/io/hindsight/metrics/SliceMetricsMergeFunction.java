package io.hindsight.metrics;

import io.hindsight.schemas.SliceMetric;
import io.hindsight.window.Partial;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the partials of one slice (the key) into per-cohort state and emits the cohort's rows:
 * revision 1 when the watermark reaches the cohort's end, a new revision at most once per metrics
 * window while labels change it, and the final revision when the watermark reaches the end plus the
 * label window, after which the cohort is removed. At the end of input (watermark {@code
 * Long.MAX_VALUE}: drained runs) only final revisions are emitted. Timers and why the final
 * revision is complete: metrics/README.md.
 */
public class SliceMetricsMergeFunction extends KeyedProcessFunction<String, Partial, SliceMetric> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SliceMetricsMergeFunction.class);

    /** Per slice: cohort window start → {@link CohortState} bytes. */
    public static final MapStateDescriptor<Long, byte[]> COHORTS =
            new MapStateDescriptor<>(
                    "slice-metrics-cohorts",
                    Types.LONG,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /**
     * Per slice: the {@link CalibrationReference} of its recent final cohorts (binary
     * classification with performance estimation only).
     */
    public static final ValueStateDescriptor<byte[]> REFERENCE =
            new ValueStateDescriptor<>(
                    "slice-metrics-calibration-reference",
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** Partials of a cohort that was already final (or never could be): counted, not merged. */
    public static final OutputTag<Partial> AFTER_FINAL =
            new OutputTag<>("slice-metrics-after-final", Partial.TYPE_INFO);

    private final SliceMetricsConfig config;

    private transient MapState<Long, byte[]> cohorts;
    private transient ValueState<byte[]> reference;
    private transient Counter rows;
    private transient Counter afterFinal;
    private transient Counter unusable;
    private transient Counter classOverflow;
    private transient boolean warnedAfterFinal;

    public SliceMetricsMergeFunction(SliceMetricsConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        cohorts = getRuntimeContext().getMapState(COHORTS);
        reference = getRuntimeContext().getState(REFERENCE);
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("hindsight");
        rows = g.counter("sliceMetricRows");
        afterFinal = g.counter("sliceMetricsPartialsAfterFinal");
        unusable = g.counter("sliceMetricsRowsUnusable");
        classOverflow = g.counter("sliceMetricsClassOverflow");
    }

    @Override
    public void processElement(Partial partial, Context ctx, Collector<SliceMetric> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        CohortAccumulator incoming = CohortAccumulator.fromBytes(partial.accumulator);
        unusable.inc(incoming.unusable);
        byte[] bytes = cohorts.get(partial.windowStart);
        CohortState state;
        if (bytes == null) {
            long finalAt = partial.windowEnd + config.labelWindowMs();
            if (watermark >= finalAt) {
                afterFinal.inc();
                if (!warnedAfterFinal) {
                    warnedAfterFinal = true;
                    LOG.warn(
                            "A slice-metrics partial for cohort [{}, {}) of slice '{}' arrived at"
                                    + " watermark {}, after the cohort's final revision at {}: a"
                                    + " prediction reached the join more than a label window late."
                                    + " Counted in sliceMetricsPartialsAfterFinal and sent to the side"
                                    + " output '{}'; further ones are only counted.",
                            partial.windowStart,
                            partial.windowEnd,
                            Slices.slice(Slices.dimensions(partial.key)),
                            watermark,
                            finalAt,
                            AFTER_FINAL.getId());
                }
                ctx.output(AFTER_FINAL, partial);
                return;
            }
            state = new CohortState(partial.windowEnd, finalAt, partial.accumulator);
            ctx.timerService().registerEventTimeTimer(partial.windowEnd);
            ctx.timerService().registerEventTimeTimer(finalAt);
        } else {
            state = CohortState.decode(bytes);
            CohortAccumulator merged = CohortAccumulator.fromBytes(state.accumulator);
            merged.merge(incoming);
            state.accumulator = merged.toBytes();
            if (state.revision > 0) {
                state.changed = true;
                long next = nextUpdate(watermark);
                if (next < state.finalAt) {
                    ctx.timerService().registerEventTimeTimer(next);
                }
            }
        }
        cohorts.put(partial.windowStart, state.encode());
    }

    /** The first multiple of the metrics window after the watermark: the next update time. */
    long nextUpdate(long watermark) {
        return watermark - Math.floorMod(watermark, config.windowMs()) + config.windowMs();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SliceMetric> out)
            throws Exception {
        boolean onCadence = Math.floorMod(timestamp, config.windowMs()) == 0;
        // The input has ended (a drained run, or a streaming job stopped with drain): every timer
        // fires now with all the input merged, so a provisional revision would claim at its as_of
        // what was known only at the end. Only final rows are emitted then.
        boolean endOfInput = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
        List<Map.Entry<Long, byte[]>> all = new ArrayList<>();
        for (Map.Entry<Long, byte[]> e : cohorts.entries()) {
            all.add(Map.entry(e.getKey(), e.getValue()));
        }
        CalibrationReference ref = reference(timestamp);
        // A cohort final now joins the reference of the other cohorts' rows at this time, so the
        // final ones go first, whatever order the state iterates in.
        List<Map.Entry<Long, CohortState>> states = new ArrayList<>(all.size());
        for (Map.Entry<Long, byte[]> e : all) {
            states.add(Map.entry(e.getKey(), CohortState.decode(e.getValue())));
        }
        states.sort(Comparator.comparing(e -> timestamp < e.getValue().finalAt));
        for (Map.Entry<Long, CohortState> e : states) {
            long windowStart = e.getKey();
            CohortState state = e.getValue();
            if (timestamp >= state.finalAt) {
                CohortAccumulator a =
                        emit(ctx.getCurrentKey(), windowStart, state, true, timestamp, ref, out);
                if (config.estimates()) {
                    ref.add(state.windowEnd, a);
                    reference.update(ref.encode());
                    ctx.timerService()
                            .registerEventTimeTimer(
                                    CalibrationReference.expiry(
                                            state.windowEnd,
                                            config.labelWindowMs(),
                                            referenceHorizon()));
                }
                cohorts.remove(windowStart);
            } else if (endOfInput) {
                continue;
            } else if (state.revision == 0) {
                if (timestamp >= state.windowEnd) {
                    emit(ctx.getCurrentKey(), windowStart, state, false, timestamp, ref, out);
                    cohorts.put(windowStart, state.encode());
                }
            } else if (state.changed && onCadence && timestamp > state.lastEmitted) {
                // Emissions lie on multiples of the window, so this is a window after the last.
                emit(ctx.getCurrentKey(), windowStart, state, false, timestamp, ref, out);
                cohorts.put(windowStart, state.encode());
            }
        }
    }

    /** How far back the reference reaches: metrics.estimation.reference-cohorts windows. */
    private long referenceHorizon() {
        return config.estimation().referenceCohorts() * config.windowMs();
    }

    /** The slice's reference at {@code timestamp}, its expired entries dropped from state. */
    private CalibrationReference reference(long timestamp) throws Exception {
        if (!config.estimates()) {
            return new CalibrationReference();
        }
        byte[] bytes = reference.value();
        CalibrationReference ref = CalibrationReference.decode(bytes);
        if (bytes != null) {
            int before = ref.entries.size();
            ref.expire(timestamp, config.labelWindowMs(), referenceHorizon());
            if (ref.entries.isEmpty()) {
                reference.clear();
            } else if (ref.entries.size() != before) {
                reference.update(ref.encode());
            }
        }
        return ref;
    }

    private CohortAccumulator emit(
            String key,
            long windowStart,
            CohortState state,
            boolean isFinal,
            long asOf,
            CalibrationReference ref,
            Collector<SliceMetric> out) {
        CohortAccumulator a = CohortAccumulator.fromBytes(state.accumulator);
        state.revision++;
        state.lastEmitted = asOf;
        state.changed = false;
        if (a.classOverflow()) {
            classOverflow.inc();
        }
        out.collect(
                SliceMetricRows.row(
                        config,
                        key,
                        windowStart,
                        state.windowEnd,
                        a,
                        state.revision,
                        isFinal,
                        asOf,
                        ref));
        rows.inc();
        return a;
    }
}
