package io.hindsight.metrics;

import io.hindsight.spec.MetricsTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The byte layout of a {@link CohortAccumulator}, kept in the merge stage's state and sent between
 * the stages: a version byte, the task, the common counts and delays, then the task's own sums.
 * Hand-written rather than a Flink serializer of the fold classes because the layout is versioned
 * state: every field's place is fixed here, and layout-1 bytes of older savepoints still read.
 */
final class CohortAccumulatorCodec {

    /**
     * Layout version of {@link #write}. Version 2 added the completeness flag, the Brier sums and
     * the sums of confidence-based estimation; version 1 bytes are still read (see {@link
     * CohortAccumulator#complete}).
     */
    static final int VERSION = 2;

    private CohortAccumulatorCodec() {}

    static byte[] toBytes(CohortAccumulator a) {
        DataOutputSerializer out = new DataOutputSerializer(256);
        try {
            write(a, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.getCopyOfBuffer();
    }

    static CohortAccumulator fromBytes(byte[] bytes) {
        try {
            return read(new DataInputDeserializer(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt slice-metrics accumulator", e);
        }
    }

    static void write(CohortAccumulator a, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        out.writeByte(a.task.ordinal());
        out.writeBoolean(a.complete);
        Varints.writeUnsigned(out, a.predictions);
        out.writeDouble(a.scoreSum);
        Varints.writeUnsigned(out, a.scoreCount);
        Varints.writeUnsigned(out, a.labeled);
        Varints.writeUnsigned(out, a.expired);
        Varints.writeUnsigned(out, a.support);
        Varints.writeUnsigned(out, a.unusable);
        a.delays.write(out);
        switch (a.task) {
            case BINARY_CLASSIFICATION -> writeBinary(a.binary(), out);
            case MULTICLASS_CLASSIFICATION -> writeMulticlass(a.multiclass(), out);
            case REGRESSION -> {
                RegressionFold r = a.regression();
                out.writeDouble(r.absErrorSum);
                out.writeDouble(r.squaredErrorSum);
                out.writeDouble(r.errorSum);
                out.writeDouble(r.percentErrorSum);
                Varints.writeUnsigned(out, r.percentErrorRows);
            }
            case RANKING -> {
                RankingFold r = a.ranking();
                Varints.writeUnsigned(out, r.clicked);
                Varints.writeUnsigned(out, r.hitsAtK);
            }
            case LLM_FEEDBACK -> {
                LlmFold l = a.llm();
                Varints.writeUnsigned(out, l.thumbsUp);
                out.writeDouble(l.labelSum);
            }
        }
    }

    private static void writeBinary(BinaryFold b, DataOutputView out) throws IOException {
        Varints.writeUnsigned(out, b.tp);
        Varints.writeUnsigned(out, b.fp);
        Varints.writeUnsigned(out, b.fn);
        Varints.writeUnsigned(out, b.tn);
        out.writeDouble(b.logLossSum);
        Varints.writeUnsigned(out, b.logLossRows);
        b.positiveScores.write(out);
        b.negativeScores.write(out);
        Varints.writeUnsigned(out, b.calibrationCount.length);
        for (int i = 0; i < b.calibrationCount.length; i++) {
            Varints.writeUnsigned(out, b.calibrationCount[i]);
            if (b.calibrationCount[i] > 0) {
                out.writeDouble(b.calibrationScore[i]);
                out.writeDouble(b.calibrationLabel[i]);
            }
        }
        // Layout 2 from here on.
        out.writeDouble(b.brierSum);
        Varints.writeUnsigned(out, b.estimatedPositives);
        Varints.writeUnsigned(out, b.estimatedNegatives);
        out.writeDouble(b.positiveScoreSum);
        out.writeDouble(b.positiveScoreSquares);
        out.writeDouble(b.negativeScoreSum);
        out.writeDouble(b.negativeScoreSquares);
        b.predictionScores.write(out);
    }

    private static void writeMulticlass(MulticlassFold m, DataOutputView out) throws IOException {
        Varints.writeUnsigned(out, m.correct);
        out.writeDouble(m.logLossSum);
        Varints.writeUnsigned(out, m.logLossRows);
        Varints.writeUnsigned(out, m.scoredRows);
        out.writeBoolean(m.classOverflow);
        Varints.writeUnsigned(out, m.classes.size());
        for (Map.Entry<String, MulticlassFold.ClassStats> e : m.classes.entrySet()) {
            MulticlassFold.ClassStats c = e.getValue();
            out.writeUTF(e.getKey());
            Varints.writeUnsigned(out, c.actual);
            Varints.writeUnsigned(out, c.predicted);
            Varints.writeUnsigned(out, c.truePositives);
            c.positives.write(out);
            c.scored.write(out);
        }
        // Layout 2.
        out.writeDouble(m.brierSum);
    }

    static CohortAccumulator read(DataInputView in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != 1 && version != VERSION) {
            throw new IllegalStateException(
                    "unrecognized slice-metrics accumulator version " + version);
        }
        int taskOrdinal = in.readUnsignedByte();
        MetricsTask[] tasks = MetricsTask.values();
        if (taskOrdinal >= tasks.length) {
            throw new IllegalStateException("unrecognized metrics task ordinal " + taskOrdinal);
        }
        MetricsTask task = tasks[taskOrdinal];
        boolean current = version == VERSION;
        boolean complete = current && in.readBoolean();
        long predictions = Varints.readUnsigned(in);
        double scoreSum = in.readDouble();
        long scoreCount = Varints.readUnsigned(in);
        long labeled = Varints.readUnsigned(in);
        long expired = Varints.readUnsigned(in);
        long support = Varints.readUnsigned(in);
        long unusable = Varints.readUnsigned(in);
        SparseHistogram delays = new SparseHistogram();
        delays.merge(SparseHistogram.read(in));
        TaskFold fold =
                switch (task) {
                    case BINARY_CLASSIFICATION -> readBinary(in, current);
                    case MULTICLASS_CLASSIFICATION -> readMulticlass(in, current);
                    case REGRESSION -> {
                        RegressionFold r = new RegressionFold();
                        r.absErrorSum = in.readDouble();
                        r.squaredErrorSum = in.readDouble();
                        r.errorSum = in.readDouble();
                        r.percentErrorSum = in.readDouble();
                        r.percentErrorRows = Varints.readUnsigned(in);
                        yield r;
                    }
                    case RANKING -> {
                        RankingFold r = new RankingFold();
                        r.clicked = Varints.readUnsigned(in);
                        r.hitsAtK = Varints.readUnsigned(in);
                        yield r;
                    }
                    case LLM_FEEDBACK -> {
                        LlmFold l = new LlmFold();
                        l.thumbsUp = Varints.readUnsigned(in);
                        l.labelSum = in.readDouble();
                        yield l;
                    }
                };
        CohortAccumulator a = new CohortAccumulator(task, delays, fold);
        a.complete = complete;
        a.predictions = predictions;
        a.scoreSum = scoreSum;
        a.scoreCount = scoreCount;
        a.labeled = labeled;
        a.expired = expired;
        a.support = support;
        a.unusable = unusable;
        return a;
    }

    private static BinaryFold readBinary(DataInputView in, boolean current) throws IOException {
        long tp = Varints.readUnsigned(in);
        long fp = Varints.readUnsigned(in);
        long fn = Varints.readUnsigned(in);
        long tn = Varints.readUnsigned(in);
        double logLossSum = in.readDouble();
        long logLossRows = Varints.readUnsigned(in);
        SparseHistogram positives = SparseHistogram.read(in);
        SparseHistogram negatives = SparseHistogram.read(in);
        BinaryFold b = new BinaryFold(Varints.readCount(in));
        b.tp = tp;
        b.fp = fp;
        b.fn = fn;
        b.tn = tn;
        b.logLossSum = logLossSum;
        b.logLossRows = logLossRows;
        b.positiveScores = positives;
        b.negativeScores = negatives;
        for (int i = 0; i < b.calibrationCount.length; i++) {
            b.calibrationCount[i] = Varints.readUnsigned(in);
            if (b.calibrationCount[i] > 0) {
                b.calibrationScore[i] = in.readDouble();
                b.calibrationLabel[i] = in.readDouble();
            }
        }
        if (current) {
            b.brierSum = in.readDouble();
            b.estimatedPositives = Varints.readUnsigned(in);
            b.estimatedNegatives = Varints.readUnsigned(in);
            b.positiveScoreSum = in.readDouble();
            b.positiveScoreSquares = in.readDouble();
            b.negativeScoreSum = in.readDouble();
            b.negativeScoreSquares = in.readDouble();
            b.predictionScores = SparseHistogram.read(in);
        }
        return b;
    }

    private static MulticlassFold readMulticlass(DataInputView in, boolean current)
            throws IOException {
        MulticlassFold m = new MulticlassFold();
        m.correct = Varints.readUnsigned(in);
        m.logLossSum = in.readDouble();
        m.logLossRows = Varints.readUnsigned(in);
        m.scoredRows = Varints.readUnsigned(in);
        m.classOverflow = in.readBoolean();
        int n = Varints.readCount(in);
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            long actual = Varints.readUnsigned(in);
            long predicted = Varints.readUnsigned(in);
            long truePositives = Varints.readUnsigned(in);
            MulticlassFold.ClassStats c =
                    new MulticlassFold.ClassStats(
                            SparseHistogram.read(in), SparseHistogram.read(in));
            c.actual = actual;
            c.predicted = predicted;
            c.truePositives = truePositives;
            m.classes.put(name, c);
        }
        if (current) {
            m.brierSum = in.readDouble();
        }
        return m;
    }
}
