package io.hindsight.drift;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * What drift accumulates for one target in one window (or in a reference): the number of
 * predictions, and the target's values — numeric, categorical, or numeric by class. Mergeable; the
 * pre-aggregation's accumulator and the merge stage's state value.
 *
 * <p>Bytes (version 2): version, a flags byte (which parts follow), predictions, then the numeric
 * part (counts, exact sum, exact sum of squares, sketch), the category counts and the classes, each
 * when present. A reader meeting another version fails with "unrecognized drift accumulator version
 * N". Version 1 lacked the sum of squares.
 */
public final class FeatureWindow {

    static final byte VERSION = 2;
    private static final int HAS_NUMERIC = 1;
    private static final int HAS_CATEGORIES = 2;
    private static final int HAS_CLASSES = 4;

    private final int k;
    private final int maxCategories;

    /** Predictions in the window (duplicates excluded), whether or not they carry the target. */
    long predictions;

    private NumericValues numeric;
    private CategoryCounts categories;
    private TreeMap<String, NumericValues> classes;

    /** Values of classes beyond {@code maxCategories} (numeric maps only): in no row. */
    long unreportedClassValues;

    public FeatureWindow(int k, int maxCategories) {
        this.k = k;
        this.maxCategories = maxCategories;
    }

    NumericValues numeric() {
        if (numeric == null) {
            numeric = new NumericValues(k);
        }
        return numeric;
    }

    CategoryCounts categories() {
        if (categories == null) {
            categories = new CategoryCounts(maxCategories);
        }
        return categories;
    }

    /** The values of {@code className}, or null when the class is beyond the cap. */
    NumericValues classValues(String className) {
        if (classes == null) {
            classes = new TreeMap<>();
        }
        NumericValues v = classes.get(className);
        if (v == null) {
            if (classes.size() >= maxCategories) {
                return null;
            }
            v = new NumericValues(k);
            classes.put(className, v);
        }
        return v;
    }

    /** The numeric part, or null if no numeric value was added. */
    NumericValues numericOrNull() {
        return numeric;
    }

    /** The categorical part, or null if no category was added. */
    CategoryCounts categoriesOrNull() {
        return categories;
    }

    /** The classes of a numeric map, sorted by name (empty if none). */
    Map<String, NumericValues> classes() {
        return classes == null ? Map.of() : classes;
    }

    public long predictions() {
        return predictions;
    }

    /** Values of every part: what a late partial brought, or what a reference holds. */
    public long values() {
        long n = 0;
        if (numeric != null) {
            n += numeric.values;
        }
        if (categories != null) {
            n += categories.values();
        }
        for (NumericValues v : classes().values()) {
            n += v.values;
        }
        return n + unreportedClassValues;
    }

    /** Non-finite numeric values of every part. */
    long nonFinite() {
        long n = numeric == null ? 0 : numeric.nonFinite;
        for (NumericValues v : classes().values()) {
            n += v.nonFinite;
        }
        return n;
    }

    /** Adds {@code o} to this window. */
    public void merge(FeatureWindow o) {
        predictions += o.predictions;
        unreportedClassValues += o.unreportedClassValues;
        if (o.numeric != null) {
            numeric().merge(o.numeric);
        }
        if (o.categories != null) {
            categories().merge(o.categories);
        }
        if (o.classes != null) {
            if (classes == null) {
                classes = new TreeMap<>();
            }
            for (Map.Entry<String, NumericValues> e : o.classes.entrySet()) {
                classes.computeIfAbsent(e.getKey(), c -> new NumericValues(k)).merge(e.getValue());
            }
            if (classes.size() > maxCategories) {
                List<Map.Entry<String, NumericValues>> byValues =
                        new ArrayList<>(classes.entrySet());
                byValues.sort(
                        Comparator.<Map.Entry<String, NumericValues>>comparingLong(
                                        e -> -e.getValue().values)
                                .thenComparing(Map.Entry::getKey));
                for (Map.Entry<String, NumericValues> dropped :
                        byValues.subList(maxCategories, byValues.size())) {
                    unreportedClassValues += dropped.getValue().values;
                    classes.remove(dropped.getKey());
                }
            }
        }
    }

    /**
     * What a rolling reference keeps of this window: the sketches with their value counts and exact
     * sums (for the reference's standard deviation), or the category counts; no prediction count or
     * data-quality counts.
     */
    FeatureWindow referencePart() {
        FeatureWindow part = new FeatureWindow(k, maxCategories);
        if (numeric != null) {
            part.numeric = numeric.referencePart();
        }
        if (categories != null) {
            part.categories = categories.copy();
        }
        if (classes != null) {
            part.classes = new TreeMap<>();
            classes.forEach((c, v) -> part.classes.put(c, v.referencePart()));
        }
        return part;
    }

    /** Sets the numeric part (reading a profile). */
    void setNumeric(NumericValues values) {
        this.numeric = values;
    }

    /** Sets the category counts (reading a profile). */
    void setCategories(CategoryCounts counts) {
        this.categories = counts;
    }

    /** Sets one class's values (reading a profile). */
    void setClass(String className, NumericValues values) {
        if (classes == null) {
            classes = new TreeMap<>();
        }
        classes.put(className, values);
    }

    public byte[] encode() {
        DataOutputSerializer out = new DataOutputSerializer(256);
        try {
            out.writeByte(VERSION);
            int flags =
                    (numeric != null ? HAS_NUMERIC : 0)
                            | (categories != null ? HAS_CATEGORIES : 0)
                            | (classes != null ? HAS_CLASSES : 0);
            out.writeByte(flags);
            out.writeLong(predictions);
            if (numeric != null) {
                numeric.write(out);
            }
            if (categories != null) {
                categories.write(out);
            }
            if (classes != null) {
                out.writeLong(unreportedClassValues);
                out.writeInt(classes.size());
                for (Map.Entry<String, NumericValues> e : classes.entrySet()) {
                    out.writeUTF(e.getKey());
                    e.getValue().write(out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing a drift accumulator to memory", e);
        }
        return out.getCopyOfBuffer();
    }

    /**
     * Reads {@link #encode()}'s bytes.
     *
     * @param k the sketch size of numeric parts created later (a read sketch keeps its own)
     * @param maxCategories the cap on categories and classes
     * @throws IllegalStateException on another version or corrupt bytes
     */
    public static FeatureWindow decode(byte[] bytes, int k, int maxCategories) {
        if (bytes.length == 0 || bytes[0] != VERSION) {
            throw new IllegalStateException(
                    "unrecognized drift accumulator version "
                            + (bytes.length == 0 ? "(empty)" : String.valueOf(bytes[0])));
        }
        DataInputDeserializer in = new DataInputDeserializer(bytes, 1, bytes.length - 1);
        try {
            int flags = in.readByte();
            FeatureWindow w = new FeatureWindow(k, maxCategories);
            w.predictions = in.readLong();
            if ((flags & HAS_NUMERIC) != 0) {
                w.numeric = NumericValues.read(in);
            }
            if ((flags & HAS_CATEGORIES) != 0) {
                w.categories = CategoryCounts.read(in, maxCategories);
            }
            if ((flags & HAS_CLASSES) != 0) {
                long unreported = in.readLong();
                int n = in.readInt();
                if (n < 0 || n > 1 << 20) {
                    throw new IOException(n + " classes");
                }
                FeatureWindow held = new FeatureWindow(k, Math.max(n, 1));
                held.classes = new TreeMap<>();
                held.unreportedClassValues = unreported;
                for (int i = 0; i < n; i++) {
                    String c = in.readUTF();
                    held.classes.put(c, NumericValues.read(in));
                }
                // Through merge, so that a cap lowered since the bytes were written applies.
                w.classes = new TreeMap<>();
                w.merge(held);
            }
            if (in.available() != 0) {
                throw new IOException(in.available() + " trailing bytes");
            }
            return w;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "corrupt drift accumulator (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
    }
}
