package io.hindsight.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The Avro binary encoding of one record type, written and read field by field by a subclass: the
 * same bytes as {@link AvroBinary} (Avro's {@code SpecificDatumWriter}), at a fraction of its cost.
 * This class holds the encoding's primitives (zig-zag varints, little-endian doubles, UTF-8
 * strings, unions of null and one type, maps and arrays in blocks) and the buffers; {@link
 * PredictionBinary} and {@link FeedbackBinary} hold the field order.
 *
 * <p>Why by hand: the feedback join and the job's network edges encode and decode every prediction
 * and feedback. Avro's specific writer and reader walk the schema for each record (union
 * resolution, logical-type conversions for the timestamp, a {@code Utf8} per string, map builders),
 * and that walk was a fifth of the join thread's time in the profiles (BENCHMARKS.md). The format
 * is Avro's, so bytes written here are read by Avro and the other way round (the subclasses' tests
 * check both, byte for byte, on random records); only the speed differs.
 *
 * <p>Bound to one version of the schema: the constructor refuses a schema whose fingerprint is not
 * the one the subclass was written for, so that a schema change fails every test at once instead of
 * writing wrong bytes. Not thread-safe; one instance per operator or serializer.
 */
public abstract class FieldByFieldAvro<T> {

    private final String name;

    private byte[] out = new byte[256];
    private int pos;

    private byte[] in;
    private int at;
    private int end;

    protected FieldByFieldAvro(Schema schema, long fingerprint) {
        this.name = schema.getFullName();
        long actual = fingerprint(schema);
        if (actual != fingerprint) {
            throw new IllegalStateException(
                    getClass().getSimpleName()
                            + " was written for the "
                            + schema.getName()
                            + " schema with fingerprint "
                            + fingerprint
                            + " but the schema's fingerprint is "
                            + actual
                            + ": update "
                            + getClass().getSimpleName()
                            + "'s fields for the changed schema");
        }
    }

    /** The 64-bit Rabin fingerprint of the schema's full JSON (docs and defaults included). */
    static long fingerprint(Schema schema) {
        return SchemaNormalization.fingerprint64(
                schema.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the record's fields in schema order with the primitives below. */
    protected abstract void writeFields(T record);

    /** Reads the record's fields in schema order with the primitives below. */
    protected abstract T readFields();

    public final byte[] encode(T record) {
        int length = write(record); // first: it may replace the buffer
        return Arrays.copyOf(out, length);
    }

    /**
     * Encodes {@code record} into this codec's buffer ({@link #written()}) and returns its length:
     * no copy, for a caller that writes the bytes on at once.
     */
    public final int write(T record) {
        pos = 0;
        writeFields(record);
        return pos;
    }

    /** The buffer the last {@link #write} encoded into, valid up to the length it returned. */
    public final byte[] written() {
        return out;
    }

    public final T decode(byte[] bytes) {
        return decode(bytes, bytes.length);
    }

    /** Decodes the record held in the first {@code length} bytes of {@code bytes}. */
    public final T decode(byte[] bytes, int length) {
        in = bytes;
        at = 0;
        end = length;
        try {
            T record = readFields();
            if (at != end) {
                throw corrupt((end - at) + " bytes left after the last field");
            }
            return record;
        } finally {
            in = null;
        }
    }

    private IllegalStateException corrupt(String why) {
        return new IllegalStateException("cannot decode Avro " + name + ": " + why);
    }

    // ------------------------------------------------------------------ writing

    private void ensure(int n) {
        if (pos + n > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, pos + n));
        }
    }

    /** Avro long (and int): zig-zag, then base-128 varint, low group first. */
    protected final void writeLong(long v) {
        ensure(10);
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            out[pos++] = (byte) ((z & 0x7F) | 0x80);
            z >>>= 7;
        }
        out[pos++] = (byte) z;
    }

    /** Avro double: the IEEE 754 bits (raw, as Avro writes them), little-endian. */
    protected final void writeDouble(double d) {
        ensure(8);
        long bits = Double.doubleToRawLongBits(d);
        for (int i = 0; i < 8; i++) {
            out[pos++] = (byte) (bits >>> (8 * i));
        }
    }

    protected final void writeBoolean(boolean b) {
        ensure(1);
        out[pos++] = (byte) (b ? 1 : 0);
    }

    protected final void writeString(String s) {
        // String.getBytes(UTF_8) is intrinsic for Latin-1 strings (most ids, names and values): a
        // negatives check and an array copy, faster than a loop over charAt.
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeLong(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, out, pos, utf8.length);
        pos += utf8.length;
    }

    /** A union of null and one type: the branch, then the value when present. */
    protected final boolean writeBranch(Object value) {
        writeLong(value == null ? 0 : 1);
        return value != null;
    }

    protected final void writeOptionalDouble(Double d) {
        if (writeBranch(d)) {
            writeDouble(d);
        }
    }

    protected final void writeOptionalString(String s) {
        if (writeBranch(s)) {
            writeString(s);
        }
    }

    /** Avro map: one block of every entry in the map's iteration order, then the empty block. */
    protected final void writeDoubleMap(Map<String, Double> m) {
        if (!m.isEmpty()) {
            writeLong(m.size());
            for (Map.Entry<String, Double> e : m.entrySet()) {
                writeString(e.getKey());
                writeDouble(e.getValue());
            }
        }
        writeLong(0);
    }

    protected final void writeStringMap(Map<String, String> m) {
        if (!m.isEmpty()) {
            writeLong(m.size());
            for (Map.Entry<String, String> e : m.entrySet()) {
                writeString(e.getKey());
                writeString(e.getValue());
            }
        }
        writeLong(0);
    }

    // ------------------------------------------------------------------ reading

    protected final long readLong() {
        long z = 0;
        int shift = 0;
        byte b;
        do {
            if (shift > 63) {
                throw corrupt("varint longer than 10 bytes");
            }
            if (at >= end) {
                throw corrupt("truncated");
            }
            b = in[at++];
            z |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return (z >>> 1) ^ -(z & 1);
    }

    protected final double readDouble() {
        if (at + 8 > end) {
            throw corrupt("truncated");
        }
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits |= (long) (in[at++] & 0xFF) << (8 * i);
        }
        return Double.longBitsToDouble(bits);
    }

    protected final boolean readBoolean() {
        if (at >= end) {
            throw corrupt("truncated");
        }
        return in[at++] != 0;
    }

    protected final String readString() {
        long n = readLong();
        if (n < 0 || at + n > end) {
            throw corrupt("string length " + n + " at byte " + at);
        }
        String s = new String(in, at, (int) n, StandardCharsets.UTF_8);
        at += (int) n;
        return s;
    }

    /** A union of null and one type: whether the value is present. */
    protected final boolean union() {
        long branch = readLong();
        if (branch != 0 && branch != 1) {
            throw corrupt("union branch " + branch);
        }
        return branch == 1;
    }

    /**
     * The item count of the next block of a map or array; a negative count (a writer that blocks by
     * size) is followed by the block's byte size, which is not needed here.
     */
    protected final long blockCount() {
        long n = readLong();
        if (n < 0) {
            readLong();
            n = -n;
        }
        return n;
    }

    protected final Map<String, Double> readDoubleMap() {
        Map<String, Double> m = null;
        for (long n = blockCount(); n != 0; n = blockCount()) {
            if (m == null) {
                m = new HashMap<>(capacity(n));
            }
            for (long i = 0; i < n; i++) {
                String key = readString();
                m.put(key, readDouble());
            }
        }
        return m == null ? new HashMap<>() : m;
    }

    protected final Map<String, String> readStringMap() {
        Map<String, String> m = null;
        for (long n = blockCount(); n != 0; n = blockCount()) {
            if (m == null) {
                m = new HashMap<>(capacity(n));
            }
            for (long i = 0; i < n; i++) {
                String key = readString();
                m.put(key, readString());
            }
        }
        return m == null ? new HashMap<>() : m;
    }

    private static int capacity(long n) {
        return (int) Math.min(1 << 20, n * 4 / 3 + 1);
    }
}
