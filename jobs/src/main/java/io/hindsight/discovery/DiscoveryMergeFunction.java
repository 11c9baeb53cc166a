package io.hindsight.discovery;

import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.window.Partial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Merges the partials of one cohort (the key) and tests its slices: first when the watermark
 * reaches the cohort's end (or, for a cohort whose first label comes later, the next step of the
 * test grid), again at most once per step of the grid while labels change it, and a final time when
 * the watermark reaches the end plus the label window, after which its state is cleared. At the end
 * of input (watermark {@code Long.MAX_VALUE}) only the final test runs. Each test emits one row per
 * discovered slice and metric. Timers and bounds: discovery/README.md.
 */
public class DiscoveryMergeFunction extends KeyedProcessFunction<String, Partial, DiscoveredSlice> {

    private static final long serialVersionUID = 1L;

    /** Layout version of {@link #COHORT}'s bytes. */
    static final int STATE_VERSION = 1;

    /** Per cohort: version, window end, final time, revision, last test, changed, the cells. */
    public static final ValueStateDescriptor<byte[]> COHORT =
            new ValueStateDescriptor<>(
                    "slice-discovery-cohort",
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** Partials of a cohort that was already final: not merged. */
    public static final OutputTag<Partial> AFTER_FINAL =
            new OutputTag<>("slice-discovery-after-final", Partial.TYPE_INFO);

    private final DiscoveryConfig config;

    private final long grid;

    private transient ValueState<byte[]> cohort;
    private transient List<int[]> combinations;
    private transient Counter rows;
    private transient Counter tests;
    private transient Counter afterFinal;
    private transient Counter unusable;

    public DiscoveryMergeFunction(DiscoveryConfig config) {
        this.config = config;
        this.grid = DiscoveryPipeline.lateFlushGrid(config);
    }

    @Override
    public void open(OpenContext openContext) {
        cohort = getRuntimeContext().getState(COHORT);
        combinations = config.combinations();
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("hindsight");
        rows = g.counter("discoveredSliceRows");
        tests = g.counter("sliceDiscoveryTests");
        afterFinal = g.counter("sliceDiscoveryPartialsAfterFinal");
        unusable = g.counter("sliceDiscoveryRowsUnusable");
    }

    @Override
    public void processElement(Partial partial, Context ctx, Collector<DiscoveredSlice> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        CohortCells incoming = CohortCells.fromBytes(partial.accumulator);
        unusable.inc(incoming.unusable);
        State state = State.decode(cohort.value());
        if (state == null) {
            long finalAt = partial.windowEnd + config.labelWindowMs();
            if (watermark >= finalAt) {
                afterFinal.inc();
                ctx.output(AFTER_FINAL, partial);
                return;
            }
            state = new State(partial.windowStart, partial.windowEnd, finalAt, incoming);
            ctx.timerService().registerEventTimeTimer(finalAt);
        } else {
            state.cells.merge(incoming, config, combinations);
        }
        state.changed = true;
        long next = watermark < state.windowEnd ? state.windowEnd : nextUpdate(watermark);
        if (next < state.finalAt) {
            ctx.timerService().registerEventTimeTimer(next);
        }
        cohort.update(state.encode());
    }

    /**
     * The next test time: the first multiple of gcd(metrics window, label window) after the
     * watermark. Late partials reach this stage on that grid (the pre-aggregation's late flush), so
     * a cohort is tested at most once per grid step while its labels arrive: daily for the fraud
     * example (1 d cohorts, 60 d labels) and for weekly cohorts too, so that a weekly cohort is not
     * left a week behind its labels.
     */
    long nextUpdate(long watermark) {
        return watermark - Math.floorMod(watermark, grid) + grid;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DiscoveredSlice> out)
            throws Exception {
        State state = State.decode(cohort.value());
        if (state == null) {
            return;
        }
        boolean endOfInput = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
        if (timestamp >= state.finalAt) {
            emit(state, true, timestamp, out);
            cohort.clear();
        } else if (!endOfInput && state.changed && timestamp > state.lastTested) {
            // A provisional test at the end of input would claim at its as_of what was known only
            // at the end: drained runs test each cohort once, when final.
            emit(state, false, timestamp, out);
            cohort.update(state.encode());
        }
    }

    private void emit(State state, boolean isFinal, long asOf, Collector<DiscoveredSlice> out) {
        state.revision++;
        state.lastTested = asOf;
        state.changed = false;
        SliceDiscovery.Family family = SliceDiscovery.test(state.cells, config);
        tests.inc(family.tested());
        for (SliceDiscovery.Finding f : family.discovered(config.q())) {
            SliceTests.Result r = f.result();
            out.collect(
                    DiscoveredSlice.newBuilder()
                            .setApplication(config.application())
                            .setWindowStart(Instant.ofEpochMilli(state.windowStart))
                            .setWindowEnd(Instant.ofEpochMilli(state.windowEnd))
                            .setRevision(state.revision)
                            .setIsFinal(isFinal)
                            .setAsOf(Instant.ofEpochMilli(asOf))
                            .setSlice(f.slice())
                            .setDimensions(f.dimensions())
                            .setMetric(f.metric().specName())
                            .setTest(r.test())
                            .setSliceValue(r.sliceValue())
                            .setRestValue(r.restValue())
                            .setEffect(r.effect())
                            .setStatistic(Double.isNaN(r.statistic()) ? null : r.statistic())
                            .setPValue(r.pValue())
                            .setQValue(f.q())
                            .setSupport(f.support())
                            .setRestSupport(f.restSupport())
                            .setTested(family.tested())
                            .build());
            rows.inc();
        }
    }

    /** A cohort's state: its window, final time, tests so far and its cells. */
    static final class State {
        final long windowStart;
        final long windowEnd;
        final long finalAt;
        int revision;
        long lastTested = Long.MIN_VALUE;
        boolean changed;
        final CohortCells cells;

        State(long windowStart, long windowEnd, long finalAt, CohortCells cells) {
            this.windowStart = windowStart;
            this.windowEnd = windowEnd;
            this.finalAt = finalAt;
            this.cells = cells;
        }

        byte[] encode() {
            try {
                byte[] accumulator = cells.toBytes();
                DataOutputSerializer out = new DataOutputSerializer(accumulator.length + 48);
                out.writeByte(STATE_VERSION);
                out.writeLong(windowStart);
                out.writeLong(windowEnd);
                out.writeLong(finalAt);
                out.writeInt(revision);
                out.writeLong(lastTested);
                out.writeBoolean(changed);
                out.writeInt(accumulator.length);
                out.write(accumulator);
                return out.getCopyOfBuffer();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static State decode(byte[] bytes) {
            if (bytes == null) {
                return null;
            }
            try {
                DataInputDeserializer in = new DataInputDeserializer(bytes);
                int version = in.readUnsignedByte();
                if (version != STATE_VERSION) {
                    throw new IllegalStateException(
                            "unrecognized slice-discovery state version " + version);
                }
                long start = in.readLong();
                long end = in.readLong();
                long finalAt = in.readLong();
                int revision = in.readInt();
                long lastTested = in.readLong();
                boolean changed = in.readBoolean();
                byte[] accumulator = new byte[in.readInt()];
                in.readFully(accumulator);
                State s = new State(start, end, finalAt, CohortCells.fromBytes(accumulator));
                s.revision = revision;
                s.lastTested = lastTested;
                s.changed = changed;
                return s;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
