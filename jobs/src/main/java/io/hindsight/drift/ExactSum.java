package io.hindsight.drift;

import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The exact sum of finite doubles, rounded once when read: Shewchuk's non-overlapping partials (the
 * algorithm of Python's {@code math.fsum}). The result is the correctly rounded sum of the values
 * whatever their order and however they were split into partial sums, so a window's mean is the
 * same on every replay. Written here because neither the JDK ({@code DoubleStream.sum} is Kahan
 * compensated, not exact) nor commons-math3 offers an exact, mergeable sum.
 *
 * <p>If an intermediate sum overflows, the exact sum is abandoned and {@link #value()} is the plain
 * (infinite or NaN) sum.
 */
final class ExactSum {

    private double[] partials = new double[4];
    private int size;
    private boolean overflowed;
    private double plain;

    void add(double x) {
        plain += x;
        if (overflowed) {
            return;
        }
        int kept = 0;
        for (int j = 0; j < size; j++) {
            double y = partials[j];
            if (Math.abs(x) < Math.abs(y)) {
                double t = x;
                x = y;
                y = t;
            }
            double hi = x + y;
            if (Double.isInfinite(hi)) {
                overflowed = true;
                return;
            }
            double lo = y - (hi - x);
            if (lo != 0.0) {
                partials[kept++] = lo;
            }
            x = hi;
        }
        if (kept == partials.length) {
            partials = Arrays.copyOf(partials, kept * 2);
        }
        partials[kept++] = x;
        size = kept;
    }

    /**
     * Adds the product {@code a·b} exactly: its rounded value and its rounding error {@code fma(a,
     * b, −a·b)}, which are two doubles whose sum is the product (an error-free transformation).
     * Exact unless the product overflows (the exact sum is then abandoned, as on any overflow) or
     * its rounding error falls below the smallest double ({@code |a·b| < 2⁻⁹⁶⁹ ≈ 2·10⁻²⁹²}), where
     * the error is off by less than {@code 2⁻¹⁰⁷⁴}.
     */
    void addProduct(double a, double b) {
        double hi = a * b;
        if (!Double.isFinite(hi)) {
            overflowed = true;
            plain += hi;
            return;
        }
        add(hi);
        double lo = Math.fma(a, b, -hi);
        if (lo != 0.0) {
            add(lo);
        }
    }

    void addAll(ExactSum other) {
        if (other.overflowed) {
            overflowed = true;
            plain += other.plain;
            return;
        }
        double plainBefore = plain;
        for (int i = 0; i < other.size; i++) {
            add(other.partials[i]);
        }
        // add() accumulated the partials into plain; the other side's own plain sum is the same
        // value computed in another order, and is what an overflow must show.
        plain = plainBefore + other.plain;
    }

    /** Whether an intermediate sum overflowed, so that the sum is no longer exact. */
    boolean overflowed() {
        return overflowed;
    }

    /**
     * The non-overlapping partials whose exact sum is this sum (a copy; empty for 0), or null after
     * an overflow.
     */
    double[] partials() {
        return overflowed ? null : Arrays.copyOf(partials, size);
    }

    /**
     * The exact sum of {@code values}, which must be finite; null stands for a sum that overflowed
     * (what {@link #partials()} returns for one).
     */
    static ExactSum of(double[] values) {
        ExactSum sum = new ExactSum();
        if (values == null) {
            sum.overflowed = true;
            sum.plain = Double.NaN;
            return sum;
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("not a finite partial: " + v);
            }
            sum.add(v);
        }
        return sum;
    }

    /** The sum, correctly rounded (round half to even) unless an overflow happened. */
    double value() {
        if (overflowed) {
            return plain;
        }
        int n = size;
        if (n == 0) {
            return 0.0;
        }
        double hi = partials[--n];
        double lo = 0.0;
        while (n > 0) {
            double x = hi;
            double y = partials[--n];
            hi = x + y;
            double yr = hi - x;
            lo = y - yr;
            if (lo != 0.0) {
                break;
            }
        }
        // Half-way cases: the rounding of hi + lo must see the sign of what lies below.
        if (n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0))) {
            double y = lo * 2.0;
            double x = hi + y;
            double yr = x - hi;
            if (y == yr) {
                hi = x;
            }
        }
        return hi;
    }

    void write(DataOutputView out) throws IOException {
        out.writeBoolean(overflowed);
        out.writeDouble(plain);
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeDouble(partials[i]);
        }
    }

    static ExactSum read(DataInputView in) throws IOException {
        ExactSum sum = new ExactSum();
        sum.overflowed = in.readBoolean();
        sum.plain = in.readDouble();
        int n = in.readInt();
        if (n < 0 || n > 4096) {
            throw new IOException("corrupt exact sum: " + n + " partials");
        }
        sum.partials = new double[Math.max(4, n)];
        for (int i = 0; i < n; i++) {
            sum.partials[i] = in.readDouble();
        }
        sum.size = n;
        return sum;
    }
}
