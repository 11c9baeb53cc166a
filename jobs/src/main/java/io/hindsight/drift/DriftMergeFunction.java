package io.hindsight.drift;

import io.hindsight.schemas.DriftResult;
import io.hindsight.spec.DriftSpec;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.ReferenceType;
import io.hindsight.window.Partial;
import java.util.ArrayList;
import java.util.Arrays;
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

    /**
     * Block start → the merged reference parts of an aligned block of {@link #blockWindows} windows
     * (rolling reference only): a version byte, the block's length in windows, then the {@link
     * FeatureWindow} bytes.
     */
    public static final MapStateDescriptor<Long, byte[]> ROLLING_BLOCKS =
            new MapStateDescriptor<>(
                    "drift-rolling-blocks",
                    Types.LONG,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    static final byte BLOCK_VERSION = 1;

    private final String application;
    private final HashMap<String, DriftTarget> targets = new HashMap<>();
    private final long windowMillis;
    private final int rollingWindows;

    /** Windows per block of the rolling reference; below 2, no blocks. */
    private final int blockWindows;

    private final int sketchK;
    private final int maxCategories;
    private final String referenceLabel;
    private final DriftSpec drift;

    /** Target name → encoded reference (profile or table); null for a rolling reference. */
    private final HashMap<String, byte[]> fixedReference;

    private transient MapState<Long, byte[]> open;
    private transient MapState<Long, byte[]> rolling;
    private transient MapState<Long, byte[]> blocks;
    private transient Map<String, FeatureWindow> fixed;
    private transient DriftRows rows;
    private transient Counter rowsEmitted;
    private transient Counter driftedRows;
    private transient Counter latePartials;
    private transient Counter lateValues;
    private transient Counter nonFiniteValues;
    private transient Counter unreportedClassValues;
    private transient Counter unknownTargetPartials;
    private transient Counter referenceParts;

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
        this.blockWindows = blockWindows(rollingWindows);
        this.sketchK = spec.drift().sketchK();
        this.maxCategories = spec.drift().maxCategories();
        this.referenceLabel = Objects.requireNonNull(referenceLabel, "referenceLabel");
        this.drift = spec.drift();
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
        blocks = getRuntimeContext().getMapState(ROLLING_BLOCKS);
        if (fixedReference != null) {
            fixed = new HashMap<>();
            fixedReference.forEach((name, bytes) -> fixed.put(name, decode(bytes)));
        }
        rows = new DriftRows(application, referenceLabel, drift, fixedReference != null);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        rowsEmitted = metrics.counter("driftRows");
        driftedRows = metrics.counter("driftDriftedRows");
        latePartials = metrics.counter("driftLatePartials");
        lateValues = metrics.counter("driftLateValues");
        nonFiniteValues = metrics.counter("driftNonFiniteValues");
        unreportedClassValues = metrics.counter("driftUnreportedClassValues");
        unknownTargetPartials = metrics.counter("driftUnknownTargetPartials");
        referenceParts = metrics.counter("driftReferenceParts");
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
            blocks.clear();
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
                    rollingWindows > 0
                            ? rollingReference(start, time, ctx)
                            : fixed.get(target.name());
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
            // Every rolling entry and block has a timer at its last use, and timers fire one by
            // one with their own time, so the ones that expire now are the ones starting at
            // (time − (N + 1)·window): removed by key, without reading the others.
            long expired = time - windowMillis - rollingWindows * windowMillis;
            rolling.remove(expired);
            if (blockWindows > 1 && Math.floorMod(expired, blockWindows * windowMillis) == 0) {
                blocks.remove(expired);
            }
        }
    }

    /**
     * Windows per block of a rolling reference of {@code n} windows: ⌊√n⌋, which keeps the parts of
     * a reference (≤ n/B blocks + 2(B − 1) windows at the ends) near their minimum; below 2 (n < 4)
     * blocks would save nothing.
     */
    static int blockWindows(int n) {
        return (int) Math.floor(Math.sqrt(n));
    }

    /**
     * The end of the last window whose rolling reference includes the window at {@code start} (or
     * the whole block at {@code start}).
     */
    private long lastUse(long start) {
        return start + windowMillis + rollingWindows * windowMillis;
    }

    /**
     * The merge, in window order, of the kept windows that start in {@code [start − N·window,
     * start)}; null if there are none. Blocks lying wholly inside the range are read whole (and
     * built and stored the first time a reference needs them); the windows at the two ragged ends
     * are read one by one.
     *
     * @param now the time of the timer that emits the window at {@code start}
     */
    private FeatureWindow rollingReference(long start, long now, OnTimerContext ctx)
            throws Exception {
        long from = start - rollingWindows * windowMillis;
        FeatureWindow reference = new FeatureWindow(sketchK, maxCategories);
        boolean any;
        long blockMillis = blockWindows * windowMillis;
        long firstBlock = from + Math.floorMod(-from, blockMillis);
        long blocksEnd = start - Math.floorMod(start, blockMillis);
        if (blockWindows > 1 && firstBlock + blockMillis <= blocksEnd) {
            any = mergeWindows(reference, from, firstBlock);
            for (long b = firstBlock; b < blocksEnd; b += blockMillis) {
                any |= mergeBlock(reference, b, now, ctx);
            }
            any |= mergeWindows(reference, blocksEnd, start);
        } else {
            any = mergeWindows(reference, from, start);
        }
        return any ? reference : null;
    }

    /**
     * Merges the rolling entries of the windows starting in {@code [from, to)} into {@code into}.
     */
    private boolean mergeWindows(FeatureWindow into, long from, long to) throws Exception {
        boolean any = false;
        for (long w = from; w < to; w += windowMillis) {
            byte[] bytes = rolling.get(w);
            if (bytes != null) {
                into.merge(decode(bytes));
                referenceParts.inc();
                any = true;
            }
        }
        return any;
    }

    /**
     * Merges the block at {@code blockStart} into {@code into}: from {@link #ROLLING_BLOCKS}, or
     * built from its windows' entries and stored there if a later window will use it too.
     */
    private boolean mergeBlock(FeatureWindow into, long blockStart, long now, OnTimerContext ctx)
            throws Exception {
        long blockEnd = blockStart + blockWindows * windowMillis;
        byte[] stored = blocks.get(blockStart);
        if (stored != null) {
            FeatureWindow block = decodeBlock(stored);
            if (block != null) {
                into.merge(block);
                referenceParts.inc();
                return true;
            }
        }
        FeatureWindow block = new FeatureWindow(sketchK, maxCategories);
        if (!mergeWindows(block, blockStart, blockEnd)) {
            return false;
        }
        into.merge(block);
        // The block's parts were counted as they were merged into it; the block itself is one
        // more merge. A block whose last user is the window being emitted is not kept.
        referenceParts.inc();
        if (lastUse(blockStart) > now) {
            blocks.put(blockStart, encodeBlock(block));
            ctx.timerService().registerEventTimeTimer(lastUse(blockStart));
        }
        return true;
    }

    private byte[] encodeBlock(FeatureWindow block) {
        byte[] window = block.encode();
        byte[] bytes = new byte[window.length + 5];
        bytes[0] = BLOCK_VERSION;
        bytes[1] = (byte) (blockWindows >>> 24);
        bytes[2] = (byte) (blockWindows >>> 16);
        bytes[3] = (byte) (blockWindows >>> 8);
        bytes[4] = (byte) blockWindows;
        System.arraycopy(window, 0, bytes, 5, window.length);
        return bytes;
    }

    /**
     * Reads {@link #encodeBlock}'s bytes; null for a block of another length (written under another
     * {@code windows}), which is then built again from its windows.
     *
     * @throws IllegalStateException on another version or corrupt bytes
     */
    private FeatureWindow decodeBlock(byte[] bytes) {
        if (bytes.length < 5 || bytes[0] != BLOCK_VERSION) {
            throw new IllegalStateException(
                    "unrecognized drift reference block version "
                            + (bytes.length == 0 ? "(empty)" : String.valueOf(bytes[0])));
        }
        int length =
                ((bytes[1] & 0xff) << 24)
                        | ((bytes[2] & 0xff) << 16)
                        | ((bytes[3] & 0xff) << 8)
                        | (bytes[4] & 0xff);
        if (length != blockWindows) {
            return null;
        }
        return decode(Arrays.copyOfRange(bytes, 5, bytes.length));
    }

    private FeatureWindow decode(byte[] bytes) {
        return FeatureWindow.decode(bytes, sketchK, maxCategories);
    }
}
