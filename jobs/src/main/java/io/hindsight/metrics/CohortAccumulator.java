package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.MetricsTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Everything one slice of one cohort needs for its metrics, as mergeable sums, counts and
 * histograms: the same rows folded in any order or split give the same counts and histograms.
 *
 * <p>Which outcome rows count (see metrics/README.md, "Which outcome rows count"): {@code labeled}
 * and the label delays from LABELED rows of revision 1; label-based metrics from final rows only
 * (under policy {@code all} the revision-1 row enters the prediction, later ones add clicks);
 * EXPIRED rows as negatives when {@link SliceMetricsConfig#expiredCountsAsNegative()}.
 */
public final class CohortAccumulator {

    /**
     * Layout version of {@link #write}. Version 2 added the completeness flag, the Brier sums and
     * the sums of confidence-based estimation; version 1 bytes are still read (see {@link
     * #complete}).
     */
    static final int VERSION = 2;

    /** Classes tracked per cohort-slice (multiclass); beyond it the macro metrics are null. */
    static final int MAX_CLASSES = 256;

    /** scikit-learn's historical {@code log_loss} clipping. */
    static final double EPS = 1e-15;

    final MetricsTask task;

    /**
     * Every row of the cohort was folded by a layout-2 accumulator. A cohort restored from layout-1
     * bytes lacks the Brier and estimation sums of the rows it held, so the metrics built from them
     * stay null for it rather than being computed from part of its rows.
     */
    boolean complete = true;

    // Every task.
    long predictions;
    double scoreSum;
    long scoreCount;
    long labeled;
    long expired;
    long support;
    long unusable;
    final SparseHistogram delays;

    // Binary classification (tp, fp, fn, tn); multiclass: correct; ranking: clicked impressions;
    // LLM: thumbs up.
    long tp;
    long fp;
    long fn;
    long tn;
    double logLossSum;
    long logLossRows;

    /** Binary: Σ (score − label)² over the support rows; multiclass: Σ over scored rows. */
    double brierSum;

    // Binary, confidence-based estimation over the cohort's predictions with a score in [0, 1]:
    // counts, Σ score and Σ score² of the predicted positives (score at or above the threshold)
    // and negatives, and every such score's logit bin.
    long estimatedPositives;
    long estimatedNegatives;
    double positiveScoreSum;
    double positiveScoreSquares;
    double negativeScoreSum;
    double negativeScoreSquares;
    SparseHistogram predictionScores;

    SparseHistogram positiveScores;
    SparseHistogram negativeScores;
    long[] calibrationCount;
    double[] calibrationScore;
    double[] calibrationLabel;

    // Multiclass.
    TreeMap<String, ClassStats> classes;
    boolean classOverflow;
    long scoredRows;

    // Regression (sums over usable rows; support is their count); LLM: labelSum.
    double absErrorSum;
    double squaredErrorSum;
    double errorSum;
    double labelSum;
    double percentErrorSum;
    long percentErrorRows;

    // Ranking: clicks on an item in the top k.
    long hitsAtK;

    /** One class's confusion counts and one-vs-rest score histograms (multiclass). */
    static final class ClassStats {
        long actual;
        long predicted;
        long truePositives;

        /** Its own score in the rows that have scores and are of this class. */
        final SparseHistogram positives;

        /** Its score in every row whose scores name it. */
        final SparseHistogram scored;

        ClassStats() {
            this(new SparseHistogram(), new SparseHistogram());
        }

        ClassStats(SparseHistogram positives, SparseHistogram scored) {
            this.positives = positives;
            this.scored = scored;
        }
    }

    CohortAccumulator(MetricsTask task, int calibrationBins) {
        this.task = task;
        this.delays = new SparseHistogram();
        switch (task) {
            case BINARY_CLASSIFICATION -> {
                positiveScores = new SparseHistogram();
                negativeScores = new SparseHistogram();
                predictionScores = new SparseHistogram();
                calibrationCount = new long[calibrationBins];
                calibrationScore = new double[calibrationBins];
                calibrationLabel = new double[calibrationBins];
            }
            case MULTICLASS_CLASSIFICATION -> classes = new TreeMap<>();
            default -> {}
        }
    }

    static CohortAccumulator create(SliceMetricsConfig config) {
        return new CohortAccumulator(config.task(), config.calibrationBins());
    }

    /**
     * A prediction of the cohort (not a duplicate: the caller skips those); {@code threshold} is
     * the score at or above which a binary classifier predicts positive.
     */
    void addPrediction(Prediction p, double threshold) {
        predictions++;
        Double score = p.getScore();
        if (score != null && Double.isFinite(score)) {
            scoreSum += score;
            scoreCount++;
        }
        if (task == MetricsTask.BINARY_CLASSIFICATION
                && score != null
                && score >= 0
                && score <= 1) {
            if (score >= threshold) {
                estimatedPositives++;
                positiveScoreSum += score;
                positiveScoreSquares += score * score;
            } else {
                estimatedNegatives++;
                negativeScoreSum += score;
                negativeScoreSquares += score * score;
            }
            predictionScores.add(Bins.scoreBin(score));
        }
    }

    /** An outcome row of one of the cohort's predictions. */
    void addOutcome(Outcome o, SliceMetricsConfig config, double[] calibrationEdges) {
        boolean labeledRow = o.getStatus() == OutcomeStatus.LABELED;
        if (labeledRow && o.getRevision() == 1) {
            labeled++;
            Long delay = o.getLabelDelayMs();
            if (delay != null) {
                delays.add(Bins.delayBin(delay));
            }
        }
        if (!labeledRow) {
            expired++;
        }
        if (!o.getIsFinal()) {
            return; // provisional: the prediction's final row will count
        }
        boolean expiredNegative = !labeledRow && config.expiredCountsAsNegative();
        if (!labeledRow && !expiredNegative) {
            return; // EXPIRED, excluded from label-based metrics
        }
        // Under policy 'all' every row is final: the prediction enters with its first one.
        boolean enters = !"all".equals(o.getPolicy()) || o.getRevision() == 1;
        switch (task) {
            case BINARY_CLASSIFICATION -> binary(o, expiredNegative, config, calibrationEdges);
            case MULTICLASS_CLASSIFICATION -> multiclass(o);
            case REGRESSION -> regression(o);
            case RANKING -> ranking(o, labeledRow, enters, config.k());
            case LLM_FEEDBACK -> llm(o);
        }
    }

    private void binary(
            Outcome o, boolean expiredNegative, SliceMetricsConfig config, double[] edges) {
        Double score = o.getScore();
        Double label = expiredNegative ? Double.valueOf(0) : o.getLabel();
        if (score == null || !(score >= 0 && score <= 1) || label == null || label.isNaN()) {
            unusable++;
            return;
        }
        support++;
        boolean actual = label >= 0.5;
        boolean predicted = score >= config.positiveThreshold();
        if (actual) {
            if (predicted) {
                tp++;
            } else {
                fn++;
            }
            positiveScores.add(Bins.scoreBin(score));
        } else {
            if (predicted) {
                fp++;
            } else {
                tn++;
            }
            negativeScores.add(Bins.scoreBin(score));
        }
        double error = score - (actual ? 1 : 0);
        brierSum += error * error;
        double p = Math.min(Math.max(score, EPS), 1 - EPS);
        logLossSum -= actual ? Math.log(p) : Math.log(1 - p);
        logLossRows++;
        int bin = Bins.calibrationBin(edges, score);
        calibrationCount[bin]++;
        calibrationScore[bin] += score;
        calibrationLabel[bin] += actual ? 1 : 0;
    }

    private void multiclass(Outcome o) {
        String actual = o.getLabelClass();
        Map<String, Double> scores = o.getScores();
        String predicted = o.getPredictedClass();
        if (predicted == null && scores != null) {
            predicted = argMax(scores);
        }
        if (actual == null || predicted == null) {
            unusable++;
            return;
        }
        support++;
        if (actual.equals(predicted)) {
            tp++;
        }
        ClassStats a = stats(actual);
        ClassStats p = stats(predicted);
        if (a != null) {
            a.actual++;
            if (actual.equals(predicted)) {
                a.truePositives++;
            }
        }
        if (p != null) {
            p.predicted++;
        }
        if (scores == null) {
            return;
        }
        scoredRows++;
        double sum = 0;
        double brier = scores.containsKey(actual) ? 0 : 1; // the true class at probability 0
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            double s = clip(e.getValue());
            sum += s;
            double gap = probability(e.getValue()) - (e.getKey().equals(actual) ? 1 : 0);
            brier += gap * gap;
            ClassStats c = stats(e.getKey());
            if (c != null) {
                c.scored.add(Bins.scoreBin(probability(e.getValue())));
            }
        }
        Double own = scores.get(actual);
        if (own == null) {
            sum += EPS; // the true class at probability 0, clipped
        }
        if (a != null) {
            a.positives.add(Bins.scoreBin(own == null ? 0 : probability(own)));
        }
        logLossSum -= Math.log(clip(own == null ? 0 : own) / sum);
        logLossRows++;
        brierSum += brier;
    }

    private void regression(Outcome o) {
        Double predicted = o.getPredictedValue();
        Double label = o.getLabel();
        if (predicted == null || label == null || !Double.isFinite(predicted + label)) {
            unusable++;
            return;
        }
        support++;
        double error = predicted - label;
        absErrorSum += Math.abs(error);
        squaredErrorSum += error * error;
        errorSum += error;
        if (label != 0) {
            percentErrorSum += Math.abs(error) / Math.abs(label);
            percentErrorRows++;
        }
    }

    private void ranking(Outcome o, boolean clicked, boolean enters, int k) {
        List<String> items = o.getRankedItems();
        if (items == null) {
            unusable++;
            return;
        }
        if (enters) {
            support++;
            if (clicked) {
                tp++;
            }
        }
        String item = o.getLabelClass();
        if (clicked && item != null && items.subList(0, Math.min(k, items.size())).contains(item)) {
            hitsAtK++;
        }
    }

    private void llm(Outcome o) {
        Double label = o.getLabel();
        if (label == null || !Double.isFinite(label)) {
            unusable++;
            return;
        }
        support++;
        labelSum += label;
        if (label >= 0.5) {
            tp++;
        }
    }

    /** The class with the highest score; the smallest name among ties. */
    static String argMax(Map<String, Double> scores) {
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            double s = e.getValue() == null ? Double.NEGATIVE_INFINITY : e.getValue();
            if (best == null
                    || s > bestScore
                    || (s == bestScore && e.getKey().compareTo(best) < 0)) {
                best = e.getKey();
                bestScore = s;
            }
        }
        return best;
    }

    private static double clip(Double p) {
        return Math.min(Math.max(probability(p), EPS), 1 - EPS);
    }

    /** A class score as a probability for binning: null or NaN as 0, clamped to [0, 1]. */
    private static double probability(Double p) {
        return p == null || p.isNaN() ? 0 : Math.min(Math.max(p, 0), 1);
    }

    /** The class's stats, created if there is room; null when over {@link #MAX_CLASSES}. */
    private ClassStats stats(String name) {
        ClassStats s = classes.get(name);
        if (s == null) {
            if (classes.size() >= MAX_CLASSES) {
                classOverflow = true;
                return null;
            }
            s = new ClassStats();
            classes.put(name, s);
        }
        return s;
    }

    /** Adds another accumulator of the same task (and calibration bins) into this one. */
    public void merge(CohortAccumulator o) {
        if (o.task != task) {
            throw new IllegalArgumentException(
                    "cannot merge a " + o.task + " accumulator into a " + task + " one");
        }
        complete &= o.complete;
        predictions += o.predictions;
        scoreSum += o.scoreSum;
        scoreCount += o.scoreCount;
        labeled += o.labeled;
        expired += o.expired;
        support += o.support;
        unusable += o.unusable;
        delays.merge(o.delays);
        tp += o.tp;
        fp += o.fp;
        fn += o.fn;
        tn += o.tn;
        logLossSum += o.logLossSum;
        logLossRows += o.logLossRows;
        brierSum += o.brierSum;
        estimatedPositives += o.estimatedPositives;
        estimatedNegatives += o.estimatedNegatives;
        positiveScoreSum += o.positiveScoreSum;
        positiveScoreSquares += o.positiveScoreSquares;
        negativeScoreSum += o.negativeScoreSum;
        negativeScoreSquares += o.negativeScoreSquares;
        absErrorSum += o.absErrorSum;
        squaredErrorSum += o.squaredErrorSum;
        errorSum += o.errorSum;
        labelSum += o.labelSum;
        percentErrorSum += o.percentErrorSum;
        percentErrorRows += o.percentErrorRows;
        hitsAtK += o.hitsAtK;
        scoredRows += o.scoredRows;
        if (task == MetricsTask.BINARY_CLASSIFICATION) {
            if (o.calibrationCount.length != calibrationCount.length) {
                throw new IllegalArgumentException(
                        "calibration bins differ: "
                                + o.calibrationCount.length
                                + " and "
                                + calibrationCount.length);
            }
            positiveScores.merge(o.positiveScores);
            negativeScores.merge(o.negativeScores);
            predictionScores.merge(o.predictionScores);
            for (int i = 0; i < calibrationCount.length; i++) {
                calibrationCount[i] += o.calibrationCount[i];
                calibrationScore[i] += o.calibrationScore[i];
                calibrationLabel[i] += o.calibrationLabel[i];
            }
        }
        if (task == MetricsTask.MULTICLASS_CLASSIFICATION) {
            classOverflow |= o.classOverflow;
            for (Map.Entry<String, ClassStats> e : o.classes.entrySet()) {
                ClassStats theirs = e.getValue();
                ClassStats mine = stats(e.getKey());
                if (mine == null) {
                    continue;
                }
                mine.actual += theirs.actual;
                mine.predicted += theirs.predicted;
                mine.truePositives += theirs.truePositives;
                mine.positives.merge(theirs.positives);
                mine.scored.merge(theirs.scored);
            }
        }
    }

    public byte[] toBytes() {
        DataOutputSerializer out = new DataOutputSerializer(256);
        try {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.getCopyOfBuffer();
    }

    public static CohortAccumulator fromBytes(byte[] bytes) {
        try {
            return read(new DataInputDeserializer(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt slice-metrics accumulator", e);
        }
    }

    void write(DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        out.writeByte(task.ordinal());
        out.writeBoolean(complete);
        Varints.writeUnsigned(out, predictions);
        out.writeDouble(scoreSum);
        Varints.writeUnsigned(out, scoreCount);
        Varints.writeUnsigned(out, labeled);
        Varints.writeUnsigned(out, expired);
        Varints.writeUnsigned(out, support);
        Varints.writeUnsigned(out, unusable);
        delays.write(out);
        switch (task) {
            case BINARY_CLASSIFICATION -> {
                Varints.writeUnsigned(out, tp);
                Varints.writeUnsigned(out, fp);
                Varints.writeUnsigned(out, fn);
                Varints.writeUnsigned(out, tn);
                out.writeDouble(logLossSum);
                Varints.writeUnsigned(out, logLossRows);
                positiveScores.write(out);
                negativeScores.write(out);
                Varints.writeUnsigned(out, calibrationCount.length);
                for (int i = 0; i < calibrationCount.length; i++) {
                    Varints.writeUnsigned(out, calibrationCount[i]);
                    if (calibrationCount[i] > 0) {
                        out.writeDouble(calibrationScore[i]);
                        out.writeDouble(calibrationLabel[i]);
                    }
                }
                out.writeDouble(brierSum);
                Varints.writeUnsigned(out, estimatedPositives);
                Varints.writeUnsigned(out, estimatedNegatives);
                out.writeDouble(positiveScoreSum);
                out.writeDouble(positiveScoreSquares);
                out.writeDouble(negativeScoreSum);
                out.writeDouble(negativeScoreSquares);
                predictionScores.write(out);
            }
            case MULTICLASS_CLASSIFICATION -> {
                Varints.writeUnsigned(out, tp);
                out.writeDouble(logLossSum);
                Varints.writeUnsigned(out, logLossRows);
                Varints.writeUnsigned(out, scoredRows);
                out.writeBoolean(classOverflow);
                Varints.writeUnsigned(out, classes.size());
                for (Map.Entry<String, ClassStats> e : classes.entrySet()) {
                    ClassStats c = e.getValue();
                    out.writeUTF(e.getKey());
                    Varints.writeUnsigned(out, c.actual);
                    Varints.writeUnsigned(out, c.predicted);
                    Varints.writeUnsigned(out, c.truePositives);
                    c.positives.write(out);
                    c.scored.write(out);
                }
                out.writeDouble(brierSum);
            }
            case REGRESSION -> {
                out.writeDouble(absErrorSum);
                out.writeDouble(squaredErrorSum);
                out.writeDouble(errorSum);
                out.writeDouble(percentErrorSum);
                Varints.writeUnsigned(out, percentErrorRows);
            }
            case RANKING -> {
                Varints.writeUnsigned(out, tp);
                Varints.writeUnsigned(out, hitsAtK);
            }
            case LLM_FEEDBACK -> {
                Varints.writeUnsigned(out, tp);
                out.writeDouble(labelSum);
            }
        }
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
        CohortAccumulator a = new CohortAccumulator(task, 2);
        boolean current = version == VERSION;
        a.complete = current && in.readBoolean();
        a.predictions = Varints.readUnsigned(in);
        a.scoreSum = in.readDouble();
        a.scoreCount = Varints.readUnsigned(in);
        a.labeled = Varints.readUnsigned(in);
        a.expired = Varints.readUnsigned(in);
        a.support = Varints.readUnsigned(in);
        a.unusable = Varints.readUnsigned(in);
        a.delays.merge(SparseHistogram.read(in));
        switch (task) {
            case BINARY_CLASSIFICATION -> {
                a.tp = Varints.readUnsigned(in);
                a.fp = Varints.readUnsigned(in);
                a.fn = Varints.readUnsigned(in);
                a.tn = Varints.readUnsigned(in);
                a.logLossSum = in.readDouble();
                a.logLossRows = Varints.readUnsigned(in);
                a.positiveScores = SparseHistogram.read(in);
                a.negativeScores = SparseHistogram.read(in);
                int bins = Varints.readCount(in);
                a.calibrationCount = new long[bins];
                a.calibrationScore = new double[bins];
                a.calibrationLabel = new double[bins];
                for (int i = 0; i < bins; i++) {
                    a.calibrationCount[i] = Varints.readUnsigned(in);
                    if (a.calibrationCount[i] > 0) {
                        a.calibrationScore[i] = in.readDouble();
                        a.calibrationLabel[i] = in.readDouble();
                    }
                }
                if (current) {
                    a.brierSum = in.readDouble();
                    a.estimatedPositives = Varints.readUnsigned(in);
                    a.estimatedNegatives = Varints.readUnsigned(in);
                    a.positiveScoreSum = in.readDouble();
                    a.positiveScoreSquares = in.readDouble();
                    a.negativeScoreSum = in.readDouble();
                    a.negativeScoreSquares = in.readDouble();
                    a.predictionScores = SparseHistogram.read(in);
                }
            }
            case MULTICLASS_CLASSIFICATION -> {
                a.tp = Varints.readUnsigned(in);
                a.logLossSum = in.readDouble();
                a.logLossRows = Varints.readUnsigned(in);
                a.scoredRows = Varints.readUnsigned(in);
                a.classOverflow = in.readBoolean();
                int n = Varints.readCount(in);
                for (int i = 0; i < n; i++) {
                    String name = in.readUTF();
                    long actual = Varints.readUnsigned(in);
                    long predicted = Varints.readUnsigned(in);
                    long truePositives = Varints.readUnsigned(in);
                    ClassStats c =
                            new ClassStats(SparseHistogram.read(in), SparseHistogram.read(in));
                    c.actual = actual;
                    c.predicted = predicted;
                    c.truePositives = truePositives;
                    a.classes.put(name, c);
                }
                if (current) {
                    a.brierSum = in.readDouble();
                }
            }
            case REGRESSION -> {
                a.absErrorSum = in.readDouble();
                a.squaredErrorSum = in.readDouble();
                a.errorSum = in.readDouble();
                a.percentErrorSum = in.readDouble();
                a.percentErrorRows = Varints.readUnsigned(in);
            }
            case RANKING -> {
                a.tp = Varints.readUnsigned(in);
                a.hitsAtK = Varints.readUnsigned(in);
            }
            case LLM_FEEDBACK -> {
                a.tp = Varints.readUnsigned(in);
                a.labelSum = in.readDouble();
            }
        }
        return a;
    }
}
