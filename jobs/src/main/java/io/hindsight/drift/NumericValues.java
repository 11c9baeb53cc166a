package io.hindsight.drift;

import java.io.IOException;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The values of one numeric target in one window (or reference): a KLL quantile sketch, and the
 * exact counts and sums that data quality, the mean and the standard deviation need.
 */
final class NumericValues {

    /** Values that entered the sketch (finite ones). */
    long values;

    /** Values outside the target's declared range (they are in the sketch too). */
    long outOfRange;

    /** NaN and infinite values: not values (they count as missing), kept out of the sketch. */
    long nonFinite;

    /** The exact sum of the values. */
    final ExactSum sum;

    /** The exact sum of their squares (each square enters exactly, as two doubles). */
    final ExactSum sumOfSquares;

    final KllDoublesSketch sketch;

    NumericValues(int k) {
        this(new ExactSum(), new ExactSum(), KllDoublesSketch.newHeapInstance(k));
    }

    private NumericValues(ExactSum sum, ExactSum sumOfSquares, KllDoublesSketch sketch) {
        this.sum = sum;
        this.sumOfSquares = sumOfSquares;
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
        sumOfSquares.addProduct(value, value);
        sketch.update(value);
    }

    void merge(NumericValues other) {
        values += other.values;
        outOfRange += other.outOfRange;
        nonFinite += other.nonFinite;
        sum.addAll(other.sum);
        sumOfSquares.addAll(other.sumOfSquares);
        if (!other.sketch.isEmpty()) {
            sketch.merge(other.sketch);
        }
    }

    /** The window's mean, or null without values. */
    Double mean() {
        return values == 0 ? null : sum.value() / values;
    }

    /**
     * The population standard deviation {@code √(Σ(x − x̄)² / n)} of the values, from the exact
     * sums S₁ = Σx and S₂ = Σx²: {@code √(n·S₂ − S₁²) / n}. {@code n·S₂ − S₁²} is formed exactly
     * (each product of the sums' partials enters an {@link ExactSum} as two doubles) and rounded
     * once, so there is no cancellation however large the mean is against the spread (the textbook
     * {@code S₂/n − (S₁/n)²} in doubles loses every digit on values like 10⁹ + N(0, 1)), and the
     * result, within a relative 3·2⁻⁵³ of the true value (three roundings: the difference, the
     * root, the division), is the same whatever the order and the split in which the values were
     * added: a replay gives the same bits. Chan et al.'s merge of (n, mean, M2) is as stable but
     * depends on the merge order in its last bits.
     *
     * @return 0 for a constant (or single) value, NaN without values or when a sum overflowed
     *     (values beyond about 10¹⁵⁴ in magnitude)
     */
    double std() {
        if (values == 0 || sum.overflowed() || sumOfSquares.overflowed()) {
            return Double.NaN;
        }
        // n is exact as a double up to 2⁵³ values.
        double n = values;
        ExactSum d = new ExactSum();
        for (double s2 : sumOfSquares.partials()) {
            d.addProduct(n, s2);
        }
        double[] s1 = sum.partials();
        for (double a : s1) {
            for (double b : s1) {
                d.addProduct(-a, b);
            }
        }
        if (d.overflowed()) {
            return Double.NaN;
        }
        // n·S₂ − S₁² ≥ 0 (Cauchy–Schwarz); below 0 only through squares too small to be exact.
        return Math.sqrt(Math.max(0.0, d.value())) / n;
    }

    /**
     * A copy holding only what a reference needs: the sketch, the value count and the exact sums
     * (for the reference's standard deviation).
     */
    NumericValues referencePart() {
        NumericValues part = new NumericValues(copySum(sum), copySum(sumOfSquares), copy(sketch));
        part.values = values;
        return part;
    }

    private static ExactSum copySum(ExactSum s) {
        ExactSum copy = new ExactSum();
        copy.addAll(s);
        return copy;
    }

    void write(DataOutputView out) throws IOException {
        out.writeLong(values);
        out.writeLong(outOfRange);
        out.writeLong(nonFinite);
        sum.write(out);
        sumOfSquares.write(out);
        byte[] bytes = sketch.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static NumericValues read(DataInputView in) throws IOException {
        long values = in.readLong();
        long outOfRange = in.readLong();
        long nonFinite = in.readLong();
        ExactSum sum = ExactSum.read(in);
        ExactSum sumOfSquares = ExactSum.read(in);
        int length = in.readInt();
        if (length < 0 || length > (64 << 20)) {
            throw new IOException("corrupt numeric accumulator: sketch of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        NumericValues v = new NumericValues(sum, sumOfSquares, heapify(bytes));
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

    /** A reference read from a profile: a sketch and its count, and the exact sums. */
    static NumericValues ofSketch(
            KllDoublesSketch sketch,
            ExactSum sum,
            ExactSum sumOfSquares,
            long outOfRange,
            long nonFinite) {
        NumericValues v = new NumericValues(sum, sumOfSquares, sketch);
        v.values = sketch.getN();
        v.outOfRange = outOfRange;
        v.nonFinite = nonFinite;
        return v;
    }
}
