package io.hindsight.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The calibration reference of one slice for performance estimation: the calibration bins (count, Σ
 * score, Σ label per bin, over the support rows) of the slice's recent <em>final</em> cohorts. A
 * row with {@code as_of} t is judged on the cohorts whose window end lies in (t − label window − n
 * · window, t − label window], n = {@code metrics.estimation.reference-cohorts}: those whose labels
 * are complete by t, at most n of them, its own excluded. This depends on event time alone.
 *
 * <p>Layout (version 1): version byte, entry count, then per entry its window end, bin count and
 * per bin count, Σ score, Σ label.
 */
final class CalibrationReference {

    static final int VERSION = 1;

    /** One final cohort's calibration bins. */
    record Entry(long windowEnd, long[] count, double[] score, double[] label) {}

    final List<Entry> entries = new ArrayList<>();

    /** Adds a final cohort's bins (binary accumulators only). */
    void add(long windowEnd, CohortAccumulator a) {
        BinaryFold b = a.binary();
        entries.add(
                new Entry(
                        windowEnd,
                        b.calibrationCount.clone(),
                        b.calibrationScore.clone(),
                        b.calibrationLabel.clone()));
    }

    /** Drops the cohorts that no longer belong to the reference of time {@code t}. */
    void expire(long t, long labelWindowMs, long horizonMs) {
        entries.removeIf(e -> e.windowEnd() <= t - labelWindowMs - horizonMs);
    }

    /** The time at which an entry leaves every later reference. */
    static long expiry(long windowEnd, long labelWindowMs, long horizonMs) {
        return windowEnd + labelWindowMs + horizonMs;
    }

    /** Labelled rows of the entries with {@code bins} bins. */
    long rows(int bins) {
        long rows = 0;
        for (Entry e : entries) {
            if (e.count().length == bins) {
                for (long c : e.count()) {
                    rows += c;
                }
            }
        }
        return rows;
    }

    /**
     * The expected calibration error of the pooled entries with {@code bins} bins (entries written
     * under another {@code metrics.calibration-bins} are left out); null without rows.
     */
    Double calibrationError(int bins) {
        long[] count = new long[bins];
        double[] score = new double[bins];
        double[] label = new double[bins];
        long rows = 0;
        for (Entry e : entries) {
            if (e.count().length != bins) {
                continue;
            }
            for (int b = 0; b < bins; b++) {
                count[b] += e.count()[b];
                score[b] += e.score()[b];
                label[b] += e.label()[b];
                rows += e.count()[b];
            }
        }
        if (rows == 0) {
            return null;
        }
        double gap = 0;
        for (int b = 0; b < bins; b++) {
            gap += Math.abs(label[b] - score[b]);
        }
        return gap / rows;
    }

    byte[] encode() {
        DataOutputSerializer out = new DataOutputSerializer(64);
        try {
            out.writeByte(VERSION);
            Varints.writeUnsigned(out, entries.size());
            for (Entry e : entries) {
                out.writeLong(e.windowEnd());
                Varints.writeUnsigned(out, e.count().length);
                for (int b = 0; b < e.count().length; b++) {
                    Varints.writeUnsigned(out, e.count()[b]);
                    out.writeDouble(e.score()[b]);
                    out.writeDouble(e.label()[b]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.getCopyOfBuffer();
    }

    static CalibrationReference decode(byte[] bytes) {
        CalibrationReference r = new CalibrationReference();
        if (bytes == null) {
            return r;
        }
        try {
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalStateException(
                        "unrecognized slice-metrics calibration reference version " + version);
            }
            int n = Varints.readCount(in);
            for (int i = 0; i < n; i++) {
                long windowEnd = in.readLong();
                int bins = Varints.readCount(in);
                long[] count = new long[bins];
                double[] score = new double[bins];
                double[] label = new double[bins];
                for (int b = 0; b < bins; b++) {
                    count[b] = Varints.readUnsigned(in);
                    score[b] = in.readDouble();
                    label[b] = in.readDouble();
                }
                r.entries.add(new Entry(windowEnd, count, score, label));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt slice-metrics calibration reference", e);
        }
        return r;
    }
}
