package io.hindsight.drift;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Exact counts of the categories of one categorical target in one window (or reference), capped at
 * {@code maxCategories} categories; values of further categories are counted in {@link #other()}.
 * Below the cap the counts do not depend on the order values and merges arrive in.
 */
final class CategoryCounts {

    private final int maxCategories;
    private final Map<String, long[]> counts = new HashMap<>();
    private long values;
    private long other;

    CategoryCounts(int maxCategories) {
        if (maxCategories < 1) {
            throw new IllegalArgumentException("maxCategories must be positive: " + maxCategories);
        }
        this.maxCategories = maxCategories;
    }

    void add(String category) {
        add(category, 1);
    }

    private void add(String category, long count) {
        values += count;
        long[] c = counts.get(category);
        if (c != null) {
            c[0] += count;
        } else if (counts.size() < maxCategories) {
            counts.put(category, new long[] {count});
        } else {
            other += count;
        }
    }

    /**
     * Adds {@code o}'s counts. All categories of both are merged first; if that exceeds the cap,
     * the most frequent are kept (ties by name) and the rest go to {@link #other()}, so that the
     * result depends only on the two operands, not on how they are held.
     */
    void merge(CategoryCounts o) {
        values += o.values;
        other += o.other;
        for (Map.Entry<String, long[]> e : o.counts.entrySet()) {
            counts.computeIfAbsent(e.getKey(), k -> new long[1])[0] += e.getValue()[0];
        }
        if (counts.size() > maxCategories) {
            List<Map.Entry<String, long[]>> byCount = new ArrayList<>(counts.entrySet());
            byCount.sort(
                    Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
                            .thenComparing(Map.Entry::getKey));
            for (Map.Entry<String, long[]> dropped :
                    byCount.subList(maxCategories, byCount.size())) {
                other += dropped.getValue()[0];
                counts.remove(dropped.getKey());
            }
        }
    }

    long values() {
        return values;
    }

    /** Values of categories beyond the cap. */
    long other() {
        return other;
    }

    /** The named categories' counts, sorted by name. */
    TreeMap<String, Long> sorted() {
        TreeMap<String, Long> sorted = new TreeMap<>();
        counts.forEach((k, v) -> sorted.put(k, v[0]));
        return sorted;
    }

    long count(String category) {
        long[] c = counts.get(category);
        return c == null ? 0 : c[0];
    }

    boolean contains(String category) {
        return counts.containsKey(category);
    }

    void write(DataOutputView out) throws IOException {
        out.writeLong(values);
        out.writeLong(other);
        TreeMap<String, Long> sorted = sorted();
        out.writeInt(sorted.size());
        for (Map.Entry<String, Long> e : sorted.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    static CategoryCounts read(DataInputView in, int maxCategories) throws IOException {
        CategoryCounts c = new CategoryCounts(maxCategories);
        long values = in.readLong();
        long other = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > 1 << 24) {
            throw new IOException("corrupt category counts: " + n + " categories");
        }
        CategoryCounts held = new CategoryCounts(Math.max(n, 1));
        for (int i = 0; i < n; i++) {
            String category = in.readUTF();
            long count = in.readLong();
            held.counts.put(category, new long[] {count});
        }
        held.values = values;
        held.other = other;
        // A cap lowered since the bytes were written applies on the way in.
        c.merge(held);
        return c;
    }

    /** Counts from a profile file. */
    static CategoryCounts of(Map<String, Long> counts, long other, int maxCategories) {
        CategoryCounts held = new CategoryCounts(Math.max(counts.size(), 1));
        counts.forEach((k, v) -> held.counts.put(k, new long[] {v}));
        held.values = other + counts.values().stream().mapToLong(Long::longValue).sum();
        held.other = other;
        CategoryCounts c = new CategoryCounts(maxCategories);
        c.merge(held);
        return c;
    }

    /** A copy (the reference part of a window is all of it). */
    CategoryCounts copy() {
        CategoryCounts c = new CategoryCounts(maxCategories);
        c.merge(this);
        return c;
    }
}
