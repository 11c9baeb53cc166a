package io.hindsight.discovery;

import io.hindsight.metrics.SparseHistogram;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The counts one slice of one cohort (or the whole cohort) needs for its tests: labelled rows and
 * misclassified ones; for AUC the score histograms of positives and negatives (the logit bins of
 * the slice metrics, {@code io.hindsight.metrics.Bins}); for regression the sums of |e|, e², e⁴.
 * Additive, so that the rest of a slice is the cohort's cell minus the slice's.
 */
final class SliceCell {

    long n;
    long errors;

    /** Regression: Σ|e|, Σe², Σe⁴ (the means and variances of |e| and e²). */
    double abs;

    double sq;
    double quad;
    SparseHistogram positives;
    SparseHistogram negatives;

    static SliceCell create(boolean histograms) {
        SliceCell c = new SliceCell();
        if (histograms) {
            c.positives = new SparseHistogram();
            c.negatives = new SparseHistogram();
        }
        return c;
    }

    void addClassified(boolean error, int scoreBin, boolean positive) {
        n++;
        if (error) {
            errors++;
        }
        if (positives != null && scoreBin >= 0) {
            (positive ? positives : negatives).add(scoreBin);
        }
    }

    void addRegression(double error) {
        n++;
        double a = Math.abs(error);
        abs += a;
        sq += a * a;
        quad += a * a * a * a; // (e²)²
    }

    void merge(SliceCell o) {
        n += o.n;
        errors += o.errors;
        abs += o.abs;
        sq += o.sq;
        quad += o.quad;
        if (positives != null) {
            positives.merge(o.positives);
            negatives.merge(o.negatives);
        }
    }

    /** This cell (the cohort) minus a slice of it: the slice's rest. */
    SliceCell minus(SliceCell slice) {
        SliceCell r = new SliceCell();
        r.n = n - slice.n;
        r.errors = errors - slice.errors;
        r.abs = abs - slice.abs;
        r.sq = sq - slice.sq;
        r.quad = quad - slice.quad;
        if (positives != null) {
            r.positives = minus(positives, slice.positives);
            r.negatives = minus(negatives, slice.negatives);
        }
        return r;
    }

    private static SparseHistogram minus(SparseHistogram all, SparseHistogram part) {
        SparseHistogram r = new SparseHistogram();
        for (int i = 0; i < all.occupied(); i++) {
            long left = all.count(i) - part.get(all.bin(i));
            if (left < 0) {
                throw new IllegalStateException("a slice holds more rows than its cohort");
            }
            r.add(all.bin(i), left); // ascending bins: appended
        }
        return r;
    }

    void write(DataOutputView out) throws IOException {
        out.writeLong(n);
        out.writeLong(errors);
        out.writeDouble(abs);
        out.writeDouble(sq);
        out.writeDouble(quad);
        out.writeBoolean(positives != null);
        if (positives != null) {
            positives.write(out);
            negatives.write(out);
        }
    }

    static SliceCell read(DataInputView in) throws IOException {
        SliceCell c = new SliceCell();
        c.n = in.readLong();
        c.errors = in.readLong();
        c.abs = in.readDouble();
        c.sq = in.readDouble();
        c.quad = in.readDouble();
        if (in.readBoolean()) {
            c.positives = SparseHistogram.read(in);
            c.negatives = SparseHistogram.read(in);
        }
        return c;
    }
}
