package io.hindsight.window;

import java.io.Serializable;

/**
 * How records fold into per-(key, window) accumulators in {@link PreAggregateOperator}. Created in
 * the job graph and shipped to the task, hence serializable; it holds configuration, not data.
 *
 * @param <IN> the records folded
 * @param <A> the accumulator, mutable, held on the heap of one subtask between flushes
 */
public interface PartialFolder<IN, A> extends Serializable {

    /**
     * Folds one record into the accumulators it contributes to; {@code timestamp} is the record's
     * event time ({@link Long#MIN_VALUE} if it has none).
     */
    void fold(IN record, long timestamp, Accumulators<A> accumulators);

    /** A new, empty accumulator. */
    A create();

    /** The bytes {@link Partial#accumulator} carries to the merge stage. */
    byte[] serialize(A accumulator);

    /** The accumulators of one subtask, by key and window. */
    interface Accumulators<A> {
        /**
         * The accumulator of (key, window) on this subtask, created empty if absent. Windows of one
         * key that end at the same time must also start at the same time (as tumbling windows do);
         * otherwise this throws.
         */
        A get(String key, long windowStart, long windowEnd);
    }
}
