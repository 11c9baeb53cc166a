package io.hindsight.join;

import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.FeedbackBinary;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.operators.sorted.state.BatchExecutionInternalTimeServiceManager;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The feedback join's streaming operator: {@link FeedbackJoinFunction} with the feedback that waits
 * for the watermark held in memory instead of in RocksDB with a timer each.
 *
 * <p>Feedback is judged when the watermark passes its event time (join/README.md, "The join's
 * rules"); until then it waits here, in a queue ordered by (event time, join key, feedback id,
 * arrival). When a watermark comes, the queue is drained in that order: before each feedback the
 * timer service is advanced to just below its time (so every timer of an earlier time has fired, as
 * it would have with one timer per feedback), the feedback's key is made current and the function
 * judges it with {@link FeedbackJoinFunction#due} set, which applies joinable feedback at once
 * rather than holding it in state behind a timer. Then the watermark itself is processed. The rows
 * are the ones the function writes alone: same times, same order per key, same ids.
 *
 * <p>Durable like keyed state: before every checkpoint barrier each entry that arrived since the
 * last one is written to the keyed map state {@link #BUFFER} under the feedback's own key (so it
 * rescales by key group with the rest of the join's state), and an entry is removed from it when it
 * is drained; on restore the keys holding that state are found with {@code getKeys} on it and their
 * feedback is put back into the queue.
 *
 * <p>Bounded: once {@code capacity} feedback events wait, further feedback is handed to the
 * function at arrival, which holds it in its state with a timer as before (the rows are the same:
 * they depend on times and ids only). In BATCH execution (input sorted by key, timers fired at the
 * end of each key) nothing is held here: every call goes straight to the function.
 */
public final class FeedbackJoinOperator
        extends KeyedCoProcessOperator<String, Prediction, Feedback, Outcome> {

    private static final long serialVersionUID = 1L;

    /** Feedback events held in memory per subtask before further ones take the timer path. */
    public static final int DEFAULT_CAPACITY = 200_000;

    /**
     * The queue's entries that have waited across a checkpoint barrier, under the feedback's key:
     * arrival number to the feedback's Avro bytes.
     */
    public static final MapStateDescriptor<Long, byte[]> BUFFER =
            new MapStateDescriptor<>(
                    "feedback-join-buffer",
                    Types.LONG,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private final FeedbackJoinFunction join;
    private final int capacity;

    private transient boolean streaming;
    private transient HeldFeedbackQueue queue;
    private transient MapState<Long, byte[]> bufferState;
    private transient FeedbackBinary codec;
    private transient long advanced;
    private transient long seq;
    private transient Counter overflowed;

    /** Reused for every drained feedback: one record object per subtask, not one per feedback. */
    private transient StreamRecord<Feedback> drained;

    /**
     * Join entries kept in memory per subtask between checkpoint barriers ({@link
     * FeedbackJoinFunction#keepWritesUntilBarrier}) before they are all written to RocksDB.
     */
    public static final int DEFAULT_KEPT_WRITES = 100_000;

    private final int keptWrites;

    public FeedbackJoinOperator(FeedbackJoinFunction join) {
        this(join, DEFAULT_CAPACITY);
    }

    public FeedbackJoinOperator(FeedbackJoinFunction join, int capacity) {
        this(join, capacity, DEFAULT_KEPT_WRITES);
    }

    /**
     * @param capacity feedback events held in memory before further ones take the timer path
     * @param keptWrites join entries kept in memory between barriers; 0 writes each at once
     */
    public FeedbackJoinOperator(FeedbackJoinFunction join, int capacity, int keptWrites) {
        super(join);
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        if (keptWrites < 0) {
            throw new IllegalArgumentException("keptWrites must not be negative: " + keptWrites);
        }
        this.join = join;
        this.capacity = capacity;
        this.keptWrites = keptWrites;
    }

    /**
     * One feedback waiting for the watermark; {@code seq} orders exact re-sends by arrival and
     * names the entry in {@link #BUFFER} once {@code persisted}.
     */
    static final class Held implements Comparable<Held> {
        final long time;
        final String key;
        final String id;
        final long seq;
        final Feedback feedback;
        boolean persisted;

        Held(long time, String key, String id, long seq, Feedback feedback) {
            this.time = time;
            this.key = key;
            this.id = id;
            this.seq = seq;
            this.feedback = feedback;
        }

        long time() {
            return time;
        }

        String key() {
            return key;
        }

        String id() {
            return id;
        }

        long seq() {
            return seq;
        }

        /**
         * (event time, join key, feedback id, arrival). Written out rather than composed from
         * {@code Comparator.thenComparing}: the composed lambdas were 6 % of the join's thread.
         */
        @Override
        public int compareTo(Held o) {
            int c = Long.compare(time, o.time);
            if (c != 0) {
                return c;
            }
            c = key.compareTo(o.key);
            if (c != 0) {
                return c;
            }
            c = id.compareTo(o.id);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        // BATCH: sorted input and one watermark at the end; timers fire per key, so feedback must
        // reach the function as it arrives.
        streaming = !(timeServiceManager instanceof BatchExecutionInternalTimeServiceManager);
        queue = new HeldFeedbackQueue();
        codec = new FeedbackBinary();
        advanced = Long.MIN_VALUE;
        seq = 0;
        MetricGroup metrics = getMetricGroup().addGroup("hindsight");
        metrics.gauge("feedbackQueued", () -> queue.size());
        // Feedback that found the queue full and waits in keyed state behind a timer instead: a
        // rising count means the feedback is read far ahead of the predictions (see
        // join.max-source-drift).
        overflowed = metrics.counter("feedbackQueueOverflow");
        drained = new StreamRecord<>(null);
        if (!streaming) {
            return;
        }
        installTombstoneTimers();
        if (keptWrites > 0) {
            join.keepWritesUntilBarrier(
                    this,
                    getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this),
                    keptWrites);
        }
        bufferState =
                getKeyedStateBackend()
                        .getPartitionedState(
                                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, BUFFER);
        List<String> keys;
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        try (Stream<String> held = backend.getKeys(BUFFER.getName(), VoidNamespace.INSTANCE)) {
            keys = held.collect(Collectors.toList());
        }
        long next = 0;
        for (String key : keys) {
            setCurrentKey(key);
            for (Map.Entry<Long, byte[]> e : bufferState.entries()) {
                Feedback f = codec.decode(e.getValue());
                Held h =
                        new Held(
                                f.getEventTime().toEpochMilli(),
                                key,
                                f.getFeedbackId(),
                                e.getKey(),
                                f);
                h.persisted = true;
                queue.add(h);
                next = Math.max(next, e.getKey() + 1);
            }
        }
        seq = next;
    }

    /**
     * The timers that forget resolved entries ({@link FeedbackJoinFunction.TombstoneTimers}) in a
     * timer service of their own, whose firing clears the entry without reading it: per labelled
     * prediction one RocksDB read less (its value and the check that it is a tombstone), where the
     * function's own timer would read the entry to learn what its timer is for.
     *
     * <p>The namespace is the retention the timer was registered under: if a restored job runs with
     * another retention, the function reads the entry and forgets it at its deadline plus the
     * current retention instead.
     */
    private void installTombstoneTimers() {
        long retention = join.lateFeedbackRetentionMs();
        InternalTimerService<Long> forgetTimers =
                getInternalTimerService(
                        FORGET_TIMERS,
                        LongSerializer.INSTANCE,
                        new Triggerable<String, Long>() {
                            @Override
                            public void onEventTime(InternalTimer<String, Long> timer)
                                    throws Exception {
                                join.forget(timer.getTimestamp(), timer.getNamespace());
                            }

                            @Override
                            public void onProcessingTime(InternalTimer<String, Long> timer) {}
                        });
        join.tombstones =
                new FeedbackJoinFunction.TombstoneTimers() {
                    @Override
                    public void register(long time) {
                        forgetTimers.registerEventTimeTimer(retention, time);
                    }

                    @Override
                    public void delete(long time) {
                        forgetTimers.deleteEventTimeTimer(retention, time);
                    }
                };
    }

    /** The name of the timer service holding {@link FeedbackJoinFunction.TombstoneTimers}. */
    static final String FORGET_TIMERS = "feedback-join-forget";

    @Override
    public void processElement2(StreamRecord<Feedback> element) throws Exception {
        if (!streaming) {
            super.processElement2(element);
            return;
        }
        if (queue.size() >= capacity) {
            overflowed.inc();
            super.processElement2(element);
            return;
        }
        hold((String) getCurrentKey(), element.getValue());
    }

    private void hold(String key, Feedback f) {
        join.countArrivingFeedback();
        queue.add(new Held(f.getEventTime().toEpochMilli(), key, f.getFeedbackId(), seq++, f));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (streaming) {
            drain(mark.getTimestamp());
            advanced = Math.max(advanced, mark.getTimestamp());
        }
        if (streaming) {
            join.beforeAdvancingTo(mark.getTimestamp());
        }
        super.processWatermark(mark);
        if (streaming && mark.getTimestamp() == Long.MAX_VALUE) {
            // The end of the input: every entry is final, write them out now.
            join.flushWritten();
        }
    }

    /** Judges every held feedback stamped at or before {@code watermark}, in queue order. */
    private void drain(long watermark) throws Exception {
        Held h;
        while ((h = queue.peek()) != null && h.time() <= watermark) {
            queue.poll();
            if (h.time() != Long.MIN_VALUE && h.time() - 1 > advanced) {
                // Every timer before this feedback's time fires first, as with a timer per
                // feedback.
                join.beforeAdvancingTo(h.time() - 1);
                timeServiceManager.advanceWatermark(new Watermark(h.time() - 1));
                advanced = h.time() - 1;
            }
            setCurrentKey(h.key());
            if (h.persisted) {
                bufferState.remove(h.seq());
            }
            join.due = true;
            try {
                super.processElement2(drained.replace(h.feedback, h.time()));
            } finally {
                join.due = false;
            }
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (!streaming) {
            return;
        }
        join.flushWritten();
        // Each entry is written once, at the first barrier it waits across, and removed when it
        // is drained: a checkpoint costs one put per feedback that arrived since the last one.
        for (int i = 0; i < queue.size(); i++) {
            Held h = queue.at(i);
            if (!h.persisted) {
                setCurrentKey(h.key());
                bufferState.put(h.seq(), codec.encode(h.feedback));
                h.persisted = true;
            }
        }
    }

    /** Join entries kept in memory since the last barrier (for tests). */
    int keptWrites() {
        return join.keptWrites();
    }

    /** Feedback events held in memory now (for tests and the savepoint counts). */
    int held() {
        return queue.size();
    }
}
