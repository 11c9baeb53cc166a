package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.MetricsTask;

/**
 * Everything one slice of one cohort needs for its metrics, as mergeable sums, counts and
 * histograms: the same rows folded in any order or split give the same counts and histograms. It
 * keeps what every task reports (volume, score mean, label coverage and delays, support) and hands
 * the rows that count to its task's {@link TaskFold}; {@link CohortAccumulatorCodec} writes it.
 *
 * <p>Which outcome rows count (see metrics/README.md, "Which outcome rows count"): {@code labeled}
 * and the label delays from LABELED rows of revision 1; label-based metrics from final rows only
 * (under policy {@code all} the revision-1 row enters the prediction, later ones add clicks);
 * EXPIRED rows as negatives when {@link SliceMetricsConfig#expiredCountsAsNegative()}.
 */
public final class CohortAccumulator {

    final MetricsTask task;

    /**
     * Every row of the cohort was folded by a layout-2 accumulator. A cohort restored from layout-1
     * bytes lacks the Brier and estimation sums of the rows it held, so the metrics built from them
     * stay null for it rather than being computed from part of its rows.
     */
    boolean complete = true;

    long predictions;
    double scoreSum;
    long scoreCount;
    long labeled;
    long expired;

    /** Final rows that count for the task's label-based metrics. */
    long support;

    /** Final rows that would count but lack what the task needs (a score, a label, ...). */
    long unusable;

    final SparseHistogram delays;

    /** The task's own sums; its class is decided by {@link #task}. */
    final TaskFold fold;

    CohortAccumulator(MetricsTask task, int calibrationBins) {
        this(task, new SparseHistogram(), TaskFold.create(task, calibrationBins));
    }

    CohortAccumulator(MetricsTask task, SparseHistogram delays, TaskFold fold) {
        this.task = task;
        this.delays = delays;
        this.fold = fold;
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
        fold.addPrediction(p, threshold);
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
        if (!labeledRow && !config.expiredCountsAsNegative()) {
            return; // EXPIRED, excluded from label-based metrics
        }
        // Under policy 'all' every row is final: the prediction enters with its first one.
        boolean enters = !"all".equals(o.getPolicy()) || o.getRevision() == 1;
        switch (fold.addOutcome(o, labeledRow, enters, config, calibrationEdges)) {
            case SUPPORT -> support++;
            case UNUSABLE -> unusable++;
            case FOLDED -> {}
        }
    }

    /** Adds another accumulator of the same task (and calibration bins) into this one. */
    public void merge(CohortAccumulator o) {
        if (o.task != task) {
            throw new IllegalArgumentException(
                    "cannot merge a " + o.task + " accumulator into a " + task + " one");
        }
        fold.merge(o.fold);
        complete &= o.complete;
        predictions += o.predictions;
        scoreSum += o.scoreSum;
        scoreCount += o.scoreCount;
        labeled += o.labeled;
        expired += o.expired;
        support += o.support;
        unusable += o.unusable;
        delays.merge(o.delays);
    }

    /** Multiclass: more classes came than are tracked, so the macro metrics are left out. */
    boolean classOverflow() {
        return fold instanceof MulticlassFold m && m.classOverflow;
    }

    /** The binary-classification sums; only for that task. */
    BinaryFold binary() {
        return fold(BinaryFold.class);
    }

    /** The multiclass sums; only for that task. */
    MulticlassFold multiclass() {
        return fold(MulticlassFold.class);
    }

    /** The regression sums; only for that task. */
    RegressionFold regression() {
        return fold(RegressionFold.class);
    }

    /** The ranking counts; only for that task. */
    RankingFold ranking() {
        return fold(RankingFold.class);
    }

    /** The LLM-feedback sums; only for that task. */
    LlmFold llm() {
        return fold(LlmFold.class);
    }

    private <F extends TaskFold> F fold(Class<F> type) {
        if (!type.isInstance(fold)) {
            throw new IllegalStateException(
                    String.format("a %s accumulator has no %s", task, type.getSimpleName()));
        }
        return type.cast(fold);
    }

    public byte[] toBytes() {
        return CohortAccumulatorCodec.toBytes(this);
    }

    public static CohortAccumulator fromBytes(byte[] bytes) {
        return CohortAccumulatorCodec.fromBytes(bytes);
    }
}
