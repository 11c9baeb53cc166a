package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;
import java.util.Map;
import java.util.TreeMap;

/**
 * Multiclass classification: correct rows, log loss and Brier sums over the rows with class scores,
 * and per class its confusion counts and one-vs-rest score histograms, for at most {@link
 * #MAX_CLASSES} classes.
 */
final class MulticlassFold implements TaskFold {

    /** Classes tracked per cohort-slice; beyond it the macro metrics are null. */
    static final int MAX_CLASSES = 256;

    long correct;
    double logLossSum;
    long logLossRows;

    /** Σ over the scored rows of Σ over classes of (probability − indicator)². */
    double brierSum;

    final TreeMap<String, ClassStats> classes = new TreeMap<>();
    boolean classOverflow;
    long scoredRows;

    /** One class's confusion counts and one-vs-rest score histograms. */
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

    @Override
    public Row addOutcome(
            Outcome o,
            boolean labeled,
            boolean enters,
            SliceMetricsConfig config,
            double[] calibrationEdges) {
        String actual = o.getLabelClass();
        Map<String, Double> scores = o.getScores();
        String predicted = o.getPredictedClass();
        if (predicted == null && scores != null) {
            predicted = argMax(scores);
        }
        if (actual == null || predicted == null) {
            return Row.UNUSABLE;
        }
        if (actual.equals(predicted)) {
            correct++;
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
            return Row.SUPPORT;
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
            sum += BinaryFold.EPS; // the true class at probability 0, clipped
        }
        if (a != null) {
            a.positives.add(Bins.scoreBin(own == null ? 0 : probability(own)));
        }
        logLossSum -= Math.log(clip(own == null ? 0 : own) / sum);
        logLossRows++;
        brierSum += brier;
        return Row.SUPPORT;
    }

    @Override
    public void merge(TaskFold other) {
        MulticlassFold o = (MulticlassFold) other;
        correct += o.correct;
        logLossSum += o.logLossSum;
        logLossRows += o.logLossRows;
        brierSum += o.brierSum;
        scoredRows += o.scoredRows;
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
        return Math.min(Math.max(probability(p), BinaryFold.EPS), 1 - BinaryFold.EPS);
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
}
