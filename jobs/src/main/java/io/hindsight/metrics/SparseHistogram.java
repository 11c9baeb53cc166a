package io.hindsight.metrics;

import java.util.Arrays;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Counts per integer bin, sparse: only occupied bins are kept and written. Mergeable and
 * order-independent (the same multiset of bins gives the same bytes however it was split).
 *
 * <p>Written by hand because no library at hand keeps a sparse int → long count map with a compact,
 * deterministic encoding: adds are appended to a buffer and folded into the sorted (bin, count)
 * arrays in batches, so folding a record costs an array store, not a search and shift.
 */
public final class SparseHistogram {

    private static final int BUFFER = 512;

    /** Sorted, distinct occupied bins and their counts, {@code size} of them. */
    private int[] bins = new int[0];

    private long[] counts = new long[0];
    private int size;

    /** Bins added since the last {@link #compact()}, unsorted. */
    private int[] pending;

    private int pendingSize;

    public void add(int bin) {
        if (pending == null) {
            pending = new int[BUFFER];
        }
        pending[pendingSize++] = bin;
        if (pendingSize == BUFFER) {
            compact();
        }
    }

    public void add(int bin, long count) {
        if (count == 0) {
            return;
        }
        compact();
        int i = Arrays.binarySearch(bins, 0, size, bin);
        if (i >= 0) {
            counts[i] += count;
            return;
        }
        int at = -i - 1;
        ensureCapacity(size + 1);
        System.arraycopy(bins, at, bins, at + 1, size - at);
        System.arraycopy(counts, at, counts, at + 1, size - at);
        bins[at] = bin;
        counts[at] = count;
        size++;
    }

    public void merge(SparseHistogram other) {
        other.compact();
        compact();
        mergeSorted(other.bins, other.counts, other.size);
    }

    /** The number of occupied bins. */
    public int occupied() {
        compact();
        return size;
    }

    public int bin(int index) {
        return bins[index];
    }

    public long count(int index) {
        return counts[index];
    }

    public long total() {
        compact();
        long total = 0;
        for (int i = 0; i < size; i++) {
            total += counts[i];
        }
        return total;
    }

    /** The count of one bin, 0 if empty. */
    public long get(int bin) {
        compact();
        int i = Arrays.binarySearch(bins, 0, size, bin);
        return i >= 0 ? counts[i] : 0;
    }

    /** (zig-zag varint of the first bin, then varint bin deltas, varint counts). */
    public void write(DataOutputView out) throws java.io.IOException {
        compact();
        Varints.writeUnsigned(out, size);
        int previous = 0;
        for (int i = 0; i < size; i++) {
            Varints.writeSigned(out, i == 0 ? bins[0] : (long) bins[i] - previous);
            Varints.writeUnsigned(out, counts[i]);
            previous = bins[i];
        }
    }

    public static SparseHistogram read(DataInputView in) throws java.io.IOException {
        SparseHistogram h = new SparseHistogram();
        int n = Varints.readCount(in);
        h.ensureCapacity(n);
        long previous = 0;
        for (int i = 0; i < n; i++) {
            long bin = i == 0 ? Varints.readSigned(in) : previous + Varints.readSigned(in);
            if (i > 0 && bin <= previous) {
                throw new IllegalStateException(
                        "corrupt histogram: bins not increasing (" + previous + ", " + bin + ")");
            }
            h.bins[i] = Math.toIntExact(bin);
            h.counts[i] = Varints.readUnsigned(in);
            previous = bin;
        }
        h.size = n;
        return h;
    }

    private void compact() {
        if (pendingSize == 0) {
            return;
        }
        Arrays.sort(pending, 0, pendingSize);
        int[] runBins = new int[pendingSize];
        long[] runCounts = new long[pendingSize];
        int runs = 0;
        for (int i = 0; i < pendingSize; i++) {
            if (runs > 0 && runBins[runs - 1] == pending[i]) {
                runCounts[runs - 1]++;
            } else {
                runBins[runs] = pending[i];
                runCounts[runs] = 1;
                runs++;
            }
        }
        pendingSize = 0;
        mergeSorted(runBins, runCounts, runs);
    }

    private void mergeSorted(int[] otherBins, long[] otherCounts, int otherSize) {
        if (otherSize == 0) {
            return;
        }
        int[] newBins = new int[size + otherSize];
        long[] newCounts = new long[size + otherSize];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < size || j < otherSize) {
            if (j == otherSize || (i < size && bins[i] < otherBins[j])) {
                newBins[n] = bins[i];
                newCounts[n++] = counts[i++];
            } else if (i == size || otherBins[j] < bins[i]) {
                newBins[n] = otherBins[j];
                newCounts[n++] = otherCounts[j++];
            } else {
                newBins[n] = bins[i];
                newCounts[n++] = counts[i++] + otherCounts[j++];
            }
        }
        bins = newBins;
        counts = newCounts;
        size = n;
    }

    private void ensureCapacity(int capacity) {
        if (bins.length < capacity) {
            int grown = Math.max(capacity, bins.length * 2);
            bins = Arrays.copyOf(bins, grown);
            counts = Arrays.copyOf(counts, grown);
        }
    }
}
