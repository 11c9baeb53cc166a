package io.hindsight.schemas;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.SchemaNormalization;

/**
 * The Avro binary encoding of a {@link Prediction}, written and read field by field: the same bytes
 * as {@code AvroBinary<Prediction>} (Avro's {@code SpecificDatumWriter}), at a fraction of its
 * cost.
 *
 * <p>Why by hand: the feedback join encodes every prediction it admits and decodes it again for the
 * outcome row. Avro's specific writer and reader walk the schema for each record (union resolution,
 * logical-type conversions for the timestamp, a {@code Utf8} per string, map builders), and that
 * walk was a fifth of the join thread's time in the profiles (BENCHMARKS.md). The format is Avro's,
 * so bytes written here are read by Avro and the other way round ({@code PredictionBinaryTest}
 * checks both, byte for byte, on random predictions); only the speed differs.
 *
 * <p>Bound to one version of the schema: the constructor refuses a {@code Prediction} whose
 * schema's parsing fingerprint is not the one this code was written for, so that a schema change
 * fails every test at once instead of writing wrong bytes. Not thread-safe; one instance per
 * operator.
 */
public final class PredictionBinary {

    /**
     * {@code SchemaNormalization.parsingFingerprint64} of the Prediction schema written below.
     * Change the schema, then this codec and its fingerprint together.
     */
    static final long FINGERPRINT = 1203862749496454307L;

    private byte[] out = new byte[256];
    private int pos;

    private byte[] in;
    private int at;

    public PredictionBinary() {
        long actual = currentFingerprint();
        if (actual != FINGERPRINT) {
            throw new IllegalStateException(
                    "PredictionBinary was written for the Prediction schema with fingerprint "
                            + FINGERPRINT
                            + " but the schema's fingerprint is "
                            + actual
                            + ": update PredictionBinary's fields for the changed schema");
        }
    }

    /** The fingerprint of the current Prediction schema (for tests and error messages). */
    static long currentFingerprint() {
        return SchemaNormalization.fingerprint64(
                Prediction.getClassSchema().toString().getBytes(StandardCharsets.UTF_8));
    }

    public byte[] encode(Prediction p) {
        pos = 0;
        writeString(p.getApplication());
        writeString(p.getPredictionId());
        writeLong(p.getEventTime().toEpochMilli());
        writeString(p.getModelName());
        writeString(p.getModelVersion());
        writeOptionalDouble(p.getScore());
        Map<String, Double> scores = p.getScores();
        if (scores == null) {
            writeLong(0);
        } else {
            writeLong(1);
            writeDoubleMap(scores);
        }
        writeOptionalString(p.getPredictedClass());
        writeOptionalDouble(p.getPredictedValue());
        List<String> ranked = p.getRankedItems();
        if (ranked == null) {
            writeLong(0);
        } else {
            writeLong(1);
            if (!ranked.isEmpty()) {
                writeLong(ranked.size());
                for (String item : ranked) {
                    writeString(item);
                }
            }
            writeLong(0);
        }
        writeOptionalString(p.getOutputText());
        writeDoubleMap(p.getNumericFeatures());
        writeStringMap(p.getCategoricalFeatures());
        writeStringMap(p.getTags());
        ensure(1);
        out[pos++] = (byte) (p.getDuplicate() ? 1 : 0);
        return Arrays.copyOf(out, pos);
    }

    public Prediction decode(byte[] bytes) {
        in = bytes;
        at = 0;
        try {
            String application = readString();
            String id = readString();
            Instant eventTime = Instant.ofEpochMilli(readLong());
            String modelName = readString();
            String modelVersion = readString();
            Double score = union() ? readDouble() : null;
            Map<String, Double> scores = union() ? readDoubleMap() : null;
            String predictedClass = union() ? readString() : null;
            Double predictedValue = union() ? readDouble() : null;
            List<String> ranked = null;
            if (union()) {
                ranked = new ArrayList<>();
                for (long n = blockCount(); n != 0; n = blockCount()) {
                    for (long i = 0; i < n; i++) {
                        ranked.add(readString());
                    }
                }
            }
            String outputText = union() ? readString() : null;
            Map<String, Double> numeric = readDoubleMap();
            Map<String, String> categorical = readStringMap();
            Map<String, String> tags = readStringMap();
            boolean duplicate = in[at++] != 0;
            if (at != in.length) {
                throw corrupt((in.length - at) + " bytes left after the last field");
            }
            return new Prediction(
                    application,
                    id,
                    eventTime,
                    modelName,
                    modelVersion,
                    score,
                    scores,
                    predictedClass,
                    predictedValue,
                    ranked,
                    outputText,
                    numeric,
                    categorical,
                    tags,
                    duplicate);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw corrupt("truncated");
        } finally {
            in = null;
        }
    }

    private IllegalStateException corrupt(String why) {
        return new IllegalStateException(
                "cannot decode Avro io.hindsight.schemas.Prediction: " + why);
    }

    // ------------------------------------------------------------------ writing

    private void ensure(int n) {
        if (pos + n > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, pos + n));
        }
    }

    /** Avro long: zig-zag, then base-128 varint, low group first. */
    private void writeLong(long v) {
        ensure(10);
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            out[pos++] = (byte) ((z & 0x7F) | 0x80);
            z >>>= 7;
        }
        out[pos++] = (byte) z;
    }

    /** Avro double: the IEEE 754 bits (raw, as Avro writes them), little-endian. */
    private void writeDouble(double d) {
        ensure(8);
        long bits = Double.doubleToRawLongBits(d);
        for (int i = 0; i < 8; i++) {
            out[pos++] = (byte) (bits >>> (8 * i));
        }
    }

    private void writeString(String s) {
        // String.getBytes(UTF_8) is intrinsic for Latin-1 strings (most ids, names and values): a
        // negatives check and an array copy, faster than a loop over charAt.
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeLong(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, out, pos, utf8.length);
        pos += utf8.length;
    }

    private void writeOptionalDouble(Double d) {
        if (d == null) {
            writeLong(0);
        } else {
            writeLong(1);
            writeDouble(d);
        }
    }

    private void writeOptionalString(String s) {
        if (s == null) {
            writeLong(0);
        } else {
            writeLong(1);
            writeString(s);
        }
    }

    /** Avro map: one block of every entry in the map's iteration order, then the empty block. */
    private void writeDoubleMap(Map<String, Double> m) {
        if (!m.isEmpty()) {
            writeLong(m.size());
            for (Map.Entry<String, Double> e : m.entrySet()) {
                writeString(e.getKey());
                writeDouble(e.getValue());
            }
        }
        writeLong(0);
    }

    private void writeStringMap(Map<String, String> m) {
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

    private long readLong() {
        long z = 0;
        int shift = 0;
        byte b;
        do {
            if (shift > 63) {
                throw corrupt("varint longer than 10 bytes");
            }
            b = in[at++];
            z |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return (z >>> 1) ^ -(z & 1);
    }

    private double readDouble() {
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits |= (long) (in[at++] & 0xFF) << (8 * i);
        }
        return Double.longBitsToDouble(bits);
    }

    private String readString() {
        long n = readLong();
        if (n < 0 || at + n > in.length) {
            throw corrupt("string length " + n + " at byte " + at);
        }
        String s = new String(in, at, (int) n, StandardCharsets.UTF_8);
        at += (int) n;
        return s;
    }

    /** A union of null and one type: whether the value is present. */
    private boolean union() {
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
    private long blockCount() {
        long n = readLong();
        if (n < 0) {
            readLong();
            n = -n;
        }
        return n;
    }

    private Map<String, Double> readDoubleMap() {
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

    private Map<String, String> readStringMap() {
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
