package io.hindsight.drift;

import java.io.IOException;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The values of one numeric target in one window (or reference): a KLL quantile sketch, and the
 * exact counts and sum that data quality and the mean need.
 */
final class NumericValues {

    /** Values that entered the sketch (finite ones). */
    long values;

    /** Values outside the target's declared range (they are in the sketch too). */
    long outOfRange;

    /** NaN and infinite values: not values (they count as missing), kept out of the sketch. */
    long nonFinite;

    final ExactSum sum;
    final KllDoublesSketch sketch;

    NumericValues(int k) {
        this(new ExactSum(), KllDoublesSketch.newHeapInstance(k));
    }

    private NumericValues(ExactSum sum, KllDoublesSketch sketch) {
        this.sum = sum;
        this.sketch = sketch;
    }

    void add(double value, DriftTarget target) {
        if (!Double.isFinite(value)) {
            nonFinite++;
            return;
        }
        values++;
        if (target.outOfRange(value)) {
            outOfRange++;
        }
        sum.add(value);
        sketch.update(value);
    }

    void merge(NumericValues other) {
        values += other.values;
        outOfRange += other.outOfRange;
        nonFinite += other.nonFinite;
        sum.addAll(other.sum);
        if (!other.sketch.isEmpty()) {
            sketch.merge(other.sketch);
        }
    }

    /** The window's mean, or null without values. */
    Double mean() {
        return values == 0 ? null : sum.value() / values;
    }

    /** A copy holding only what a reference needs: the sketch and the value count. */
    NumericValues referencePart() {
        NumericValues part = new NumericValues(new ExactSum(), copy(sketch));
        part.values = values;
        return part;
    }

    void write(DataOutputView out) throws IOException {
        out.writeLong(values);
        out.writeLong(outOfRange);
        out.writeLong(nonFinite);
        sum.write(out);
        byte[] bytes = sketch.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static NumericValues read(DataInputView in) throws IOException {
        long values = in.readLong();
        long outOfRange = in.readLong();
        long nonFinite = in.readLong();
        ExactSum sum = ExactSum.read(in);
        int length = in.readInt();
        if (length < 0 || length > (64 << 20)) {
            throw new IOException("corrupt numeric accumulator: sketch of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        NumericValues v = new NumericValues(sum, heapify(bytes));
        v.values = values;
        v.outOfRange = outOfRange;
        v.nonFinite = nonFinite;
        if (v.sketch.getN() != values) {
            throw new IOException(
                    String.format(
                            "corrupt numeric accumulator: %d values but a sketch of %d",
                            values, v.sketch.getN()));
        }
        return v;
    }

    static KllDoublesSketch heapify(byte[] bytes) {
        return KllDoublesSketch.heapify(Memory.wrap(bytes));
    }

    static KllDoublesSketch copy(KllDoublesSketch sketch) {
        return heapify(sketch.toByteArray());
    }

    /** A reference read from a profile: a sketch and its count. */
    static NumericValues ofSketch(KllDoublesSketch sketch, long outOfRange, long nonFinite) {
        NumericValues v = new NumericValues(new ExactSum(), sketch);
        v.values = sketch.getN();
        v.outOfRange = outOfRange;
        v.nonFinite = nonFinite;
        return v;
    }
}
