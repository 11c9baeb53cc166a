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
 * window, emitted at the next flush: the merge stage decides what a late partial means. Emitted
 * partials carry the timestamp {@code windowEnd - 1}, which is never behind the partial's own
 * records' window and keeps the partial within its window for the merge stage's timers.
 */
public final class PreAggregateOperator<IN, A> extends AbstractStreamOperator<Partial>
        implements OneInputStreamOperator<IN, Partial>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final PartialFolder<IN, A> folder;
    private final int maxEntries;

    /** Held accumulators by window end, then by (key, window start), in first-seen order. */
    private transient NavigableMap<Long, Map<WindowKey, A>> byWindowEnd;

    private transient int held;
    private transient StreamRecord<Partial> reuse;
    private transient Counter partialsEmitted;
    private transient Counter capacityFlushes;

    private record WindowKey(String key, long windowStart) {}

    public PreAggregateOperator(PartialFolder<IN, A> folder, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        this.folder = folder;
        this.maxEntries = maxEntries;
    }

    @Override
    public void open() throws Exception {
        super.open();
        byWindowEnd = new TreeMap<>();
        held = 0;
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

    private A accumulator(String key, long windowStart, long windowEnd) {
        if (windowEnd <= windowStart) {
            throw new IllegalArgumentException(
                    String.format(
                            "window of %s ends (%d) at or before its start (%d)",
                            key, windowEnd, windowStart));
        }
        Map<WindowKey, A> window =
                byWindowEnd.computeIfAbsent(windowEnd, end -> new LinkedHashMap<>());
        WindowKey id = new WindowKey(key, windowStart);
        A accumulator = window.get(id);
        if (accumulator == null) {
            accumulator = folder.create();
            window.put(id, accumulator);
            held++;
        }
        return accumulator;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        emitUpTo(mark.getTimestamp());
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

    /** Emits and forgets every accumulator whose window ends at or before {@code time}. */
    private void emitUpTo(long time) {
        if (held == 0) {
            return;
        }
        NavigableMap<Long, Map<WindowKey, A>> due = byWindowEnd.headMap(time, true);
        List<Long> emptied = new ArrayList<>(due.size());
        for (Map.Entry<Long, Map<WindowKey, A>> window : due.entrySet()) {
            long windowEnd = window.getKey();
            for (Map.Entry<WindowKey, A> entry : window.getValue().entrySet()) {
                WindowKey id = entry.getKey();
                Partial partial =
                        new Partial(
                                id.key(),
                                id.windowStart(),
                                windowEnd,
                                folder.serialize(entry.getValue()));
                output.collect(reuse.replace(partial, windowEnd - 1));
                partialsEmitted.inc();
            }
            held -= window.getValue().size();
            emptied.add(windowEnd);
        }
        emptied.forEach(byWindowEnd::remove);
    }
}
