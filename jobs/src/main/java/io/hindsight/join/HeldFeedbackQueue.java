package io.hindsight.join;

import java.util.Arrays;

/**
 * {@link FeedbackJoinOperator}'s queue: a binary min-heap of held feedback ordered as {@link
 * FeedbackJoinOperator.Held#compareTo} (event time, join key, feedback id, arrival).
 *
 * <p>Why not {@link java.util.PriorityQueue}: with tens of thousands of entries every sift step of
 * a queue of objects dereferences two of them to compare their times, a cache miss each; in the
 * profile the comparisons were a tenth of the join thread. Here the event times sit in their own
 * {@code long[]} in heap order, so a sift compares longs in one array and touches the entries
 * themselves only on equal times.
 */
final class HeldFeedbackQueue {

    private long[] times = new long[1024];
    private FeedbackJoinOperator.Held[] items = new FeedbackJoinOperator.Held[1024];
    private int size;

    int size() {
        return size;
    }

    /** The first entry, or null when empty. */
    FeedbackJoinOperator.Held peek() {
        return size == 0 ? null : items[0];
    }

    void add(FeedbackJoinOperator.Held h) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            items = Arrays.copyOf(items, size * 2);
        }
        int i = size++;
        long t = h.time;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(t, h, times[parent], items[parent])) {
                break;
            }
            times[i] = times[parent];
            items[i] = items[parent];
            i = parent;
        }
        times[i] = t;
        items[i] = h;
    }

    /** Removes and returns the first entry, or null when empty. */
    FeedbackJoinOperator.Held poll() {
        if (size == 0) {
            return null;
        }
        FeedbackJoinOperator.Held first = items[0];
        int last = --size;
        long t = times[last];
        FeedbackJoinOperator.Held h = items[last];
        items[last] = null;
        if (last > 0) {
            int i = 0;
            int half = last >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < last
                        && before(times[right], items[right], times[child], items[child])) {
                    child = right;
                }
                if (!before(times[child], items[child], t, h)) {
                    break;
                }
                times[i] = times[child];
                items[i] = items[child];
                i = child;
            }
            times[i] = t;
            items[i] = h;
        }
        return first;
    }

    /** The entry at position {@code i} of the heap (0 ≤ i < size): every entry, in no order. */
    FeedbackJoinOperator.Held at(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return items[i];
    }

    private static boolean before(
            long ta, FeedbackJoinOperator.Held a, long tb, FeedbackJoinOperator.Held b) {
        return ta != tb ? ta < tb : a.compareTo(b) < 0;
    }
}
