package io.hindsight.window;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Folds records into per-(key, window) accumulators on the heap of each subtask and emits them as
 * {@link Partial}s, so that the keyed stage after it reads and writes its (RocksDB) state once per
 * partial instead of once per record.
 *
 * <p>This is the local half of a local/global aggregation; Flink's window operator and
 * AggregateFunction would update keyed state per record, and SQL's mini-batch local aggregation is
 * not available to DataStream programs. An accumulator is emitted:
 *
 * <ul>
 *   <li>when the watermark reaches its window's end, <em>before</em> the watermark is forwarded, so
 *       that the merge stage has every partial of a window when its event-time timer fires;
 *   <li>before every checkpoint barrier ({@link #prepareSnapshotPreBarrier}): nothing is held
 *       across a checkpoint, so the operator needs no state of its own and a restore replays
 *       exactly the records whose partials the merge stage has not seen;
 *   <li>at the end of input;
 *   <li>all at once when more than {@code maxEntries} accumulators are held, which bounds memory.
 * </ul>
 *
 * <p>A record behind the watermark (its window already ended) creates a new accumulator for that
 * window: a late one. The merge stage decides what a late partial means. Late accumulators are
 * emitted at the next watermark that reaches a multiple of {@code lateFlushGridMs} (by default 1
 * ms: the next watermark), and at the next barrier, the end of input or the capacity bound. A merge
 * stage whose event-time timers all lie on that grid therefore sees every late partial before a
 * timer fires, while late records for the same key and window collect into one partial per grid
 * step instead of one per watermark (slice metrics: labels reach a cohort weeks after its window
 * closed, and each partial costs the merge stage a read and write of the cohort's state). Emitted
 * partials carry the timestamp {@code windowEnd - 1}, which keeps the partial within its window for
 * the merge stage's timers.
 */
public final class PreAggregateOperator<IN, A> extends AbstractStreamOperator<Partial>
        implements OneInputStreamOperator<IN, Partial>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final PartialFolder<IN, A> folder;
    private final int maxEntries;
    private final long lateFlushGridMs;

    /** Held accumulators by window end, then by (key, window start), in first-seen order. */
    private transient NavigableMap<Long, Map<String, Held<A>>> byWindowEnd;

    /** The window of the last lookup: consecutive records mostly fall into the same one. */
    private transient long lastWindowEnd;

    private transient Map<String, Held<A>> lastWindow;

    private transient int held;
    private transient long watermark;
    private transient StreamRecord<Partial> reuse;
    private transient Counter partialsEmitted;
    private transient Counter capacityFlushes;

    /** One accumulator and the start of its window (the map is by window end, then key). */
    private static final class Held<A> {
        final long windowStart;
        final A accumulator;

        Held(long windowStart, A accumulator) {
            this.windowStart = windowStart;
            this.accumulator = accumulator;
        }
    }

    public PreAggregateOperator(PartialFolder<IN, A> folder, int maxEntries) {
        this(folder, maxEntries, 1);
    }

    /**
     * @param lateFlushGridMs late accumulators are emitted when the watermark reaches a multiple of
     *     this (event time, ms); it must divide every timer time of the merge stage
     */
    public PreAggregateOperator(PartialFolder<IN, A> folder, int maxEntries, long lateFlushGridMs) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        if (lateFlushGridMs < 1) {
            throw new IllegalArgumentException(
                    "lateFlushGridMs must be at least 1, got " + lateFlushGridMs);
        }
        this.folder = folder;
        this.maxEntries = maxEntries;
        this.lateFlushGridMs = lateFlushGridMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        byWindowEnd = new TreeMap<>();
        held = 0;
        watermark = Long.MIN_VALUE;
        reuse = new StreamRecord<>(null);
        partialsEmitted = getMetricGroup().counter("partialsEmitted");
        capacityFlushes = getMetricGroup().counter("partialCapacityFlushes");
        getMetricGroup().gauge("partialsHeld", () -> held);
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        long timestamp = element.hasTimestamp() ? element.getTimestamp() : Long.MIN_VALUE;
        folder.fold(element.getValue(), timestamp, this::accumulator);
        if (held > maxEntries) {
            capacityFlushes.inc();
            emitUpTo(Long.MAX_VALUE);
        }
    }

    /** Windows of one key that end together must start together (tumbling windows do). */
    private A accumulator(String key, long windowStart, long windowEnd) {
        if (windowEnd <= windowStart) {
            throw new IllegalArgumentException(
                    String.format(
                            "window of %s ends (%d) at or before its start (%d)",
                            key, windowEnd, windowStart));
        }
        Map<String, Held<A>> window = lastWindow;
        if (window == null || lastWindowEnd != windowEnd) {
            window = byWindowEnd.computeIfAbsent(windowEnd, end -> new LinkedHashMap<>());
            lastWindow = window;
            lastWindowEnd = windowEnd;
        }
        Held<A> entry = window.get(key);
        if (entry == null) {
            entry = new Held<>(windowStart, folder.create());
            window.put(key, entry);
            held++;
        } else if (entry.windowStart != windowStart) {
            throw new IllegalArgumentException(
                    String.format(
                            "windows of %s that end at %d must start together (%d and %d)",
                            key, windowEnd, entry.windowStart, windowStart));
        }
        return entry.accumulator;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long next = mark.getTimestamp();
        if (next > watermark) {
            boolean crossesGrid =
                    watermark == Long.MIN_VALUE
                            || Math.floorDiv(next, lateFlushGridMs)
                                    > Math.floorDiv(watermark, lateFlushGridMs);
            // Windows that end now; the late ones (ending at or before the previous watermark)
            // only when the watermark reaches the grid.
            emit(crossesGrid ? Long.MIN_VALUE : watermark, next);
            watermark = next;
        }
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        emitUpTo(Long.MAX_VALUE);
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() {
        emitUpTo(Long.MAX_VALUE);
    }

    private void emitUpTo(long time) {
        emit(Long.MIN_VALUE, time);
    }

    /**
     * Emits and forgets every accumulator whose window ends after {@code after} (exclusive; {@link
     * Long#MIN_VALUE}: all) and at or before {@code upTo}.
     */
    private void emit(long after, long upTo) {
        if (held == 0) {
            return;
        }
        lastWindow = null;
        NavigableMap<Long, Map<String, Held<A>>> due =
                after == Long.MIN_VALUE
                        ? byWindowEnd.headMap(upTo, true)
                        : byWindowEnd.subMap(after, false, upTo, true);
        List<Long> emptied = new ArrayList<>(due.size());
        for (Map.Entry<Long, Map<String, Held<A>>> window : due.entrySet()) {
            long windowEnd = window.getKey();
            for (Map.Entry<String, Held<A>> entry : window.getValue().entrySet()) {
                Held<A> h = entry.getValue();
                Partial partial =
                        new Partial(
                                entry.getKey(),
                                h.windowStart,
                                windowEnd,
                                folder.serialize(h.accumulator));
                output.collect(reuse.replace(partial, windowEnd - 1));
                partialsEmitted.inc();
            }
            held -= window.getValue().size();
            emptied.add(windowEnd);
        }
        emptied.forEach(byWindowEnd::remove);
    }
}
