package io.hindsight.alerts;

import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.FeatureKind;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.DriftStatistic;
import io.hindsight.spec.MetricName;
import io.hindsight.spec.MetricsTask;
import java.util.function.Function;

/**
 * What an alert rule reads from a row: the column holding the value, the count its {@code
 * min-support} is compared with, and how a person reads its name.
 */
enum Measure {
    COUNT(Source.METRICS, "predictions", "prediction count", Support.PREDICTIONS, null),
    ACCURACY("accuracy", "accuracy", SliceMetric::getAccuracy),
    PRECISION("precision", "precision", SliceMetric::getPrecision),
    RECALL("recall", "recall", SliceMetric::getRecall),
    F1("f1", "F1", SliceMetric::getF1),
    AUC("auc", "AUC", SliceMetric::getAuc),
    LOG_LOSS("log_loss", "log loss", SliceMetric::getLogLoss),
    CALIBRATION_ERROR("calibration_error", "calibration error", SliceMetric::getCalibrationError),
    MAE("mae", "MAE", SliceMetric::getMae),
    RMSE("rmse", "RMSE", SliceMetric::getRmse),
    MAPE("mape", "MAPE", SliceMetric::getMape),
    BIAS("bias", "bias", SliceMetric::getBias),
    CTR("ctr", "CTR", SliceMetric::getCtr),
    PRECISION_AT_K("precision_at_k", "precision@k", SliceMetric::getPrecisionAtK),
    THUMBS_UP_RATE("thumbs_up_rate", "thumbs-up rate", SliceMetric::getThumbsUpRate),
    /** A classifier's mean predicted score: needs no label. */
    SCORE_MEAN(
            Source.METRICS,
            "score_mean",
            "mean score",
            Support.PREDICTIONS,
            SliceMetric::getScoreMean),
    /** LLM feedback: the same column holds the mean feedback rating, a label-based value. */
    MEAN_RATING("score_mean", "mean feedback rating", SliceMetric::getScoreMean),
    LABEL_COVERAGE(Source.METRICS, "label_coverage", "label coverage", Support.PREDICTIONS, null),
    LABEL_DELAY(
            Source.METRICS,
            "label_delay_p50_s",
            "median label delay (s)",
            Support.LABELED,
            SliceMetric::getLabelDelayP50S),
    LABEL_DELAY_P99(
            Source.METRICS,
            "label_delay_p99_s",
            "label delay p99 (s)",
            Support.LABELED,
            SliceMetric::getLabelDelayP99S),
    FALSE_POSITIVE_RATE(
            "false_positive_rate", "false positive rate", SliceMetric::getFalsePositiveRate),
    BRIER_SCORE("brier_score", "Brier score", SliceMetric::getBrierScore),
    BASE_RATE("base_rate", "base rate", SliceMetric::getBaseRate),
    /** Needs no label: gated on predictions. */
    PREDICTED_POSITIVE_RATE(
            Source.METRICS,
            "predicted_positive_rate",
            "predicted positive rate",
            Support.PREDICTIONS,
            SliceMetric::getPredictedPositiveRate),
    /** Estimated from the scores (CBPE): gated on predictions. */
    ESTIMATED_ACCURACY(
            Source.METRICS,
            "estimated_accuracy",
            "estimated accuracy",
            Support.PREDICTIONS,
            SliceMetric::getEstimatedAccuracy),
    ESTIMATED_PRECISION(
            Source.METRICS,
            "estimated_precision",
            "estimated precision",
            Support.PREDICTIONS,
            SliceMetric::getEstimatedPrecision),
    ESTIMATED_RECALL(
            Source.METRICS,
            "estimated_recall",
            "estimated recall",
            Support.PREDICTIONS,
            SliceMetric::getEstimatedRecall),
    ESTIMATED_F1(
            Source.METRICS,
            "estimated_f1",
            "estimated F1",
            Support.PREDICTIONS,
            SliceMetric::getEstimatedF1),
    ESTIMATED_AUC(
            Source.METRICS,
            "estimated_auc",
            "estimated AUC",
            Support.PREDICTIONS,
            SliceMetric::getEstimatedAuc),
    /** Realized − estimated, on final revisions: gated on support like the realized value. */
    ACCURACY_DELTA(
            "accuracy_delta", "realized minus estimated accuracy", SliceMetric::getAccuracyDelta),
    PRECISION_DELTA(
            "precision_delta",
            "realized minus estimated precision",
            SliceMetric::getPrecisionDelta),
    RECALL_DELTA("recall_delta", "realized minus estimated recall", SliceMetric::getRecallDelta),
    F1_DELTA("f1_delta", "realized minus estimated F1", SliceMetric::getF1Delta),
    AUC_DELTA("auc_delta", "realized minus estimated AUC", SliceMetric::getAucDelta),

    JENSEN_SHANNON(Source.DRIFT, "jensen_shannon", "Jensen-Shannon distance", Support.VALUES, null),
    PSI(Source.DRIFT, "psi", "PSI", Support.VALUES, null),
    WASSERSTEIN(
            Source.DRIFT, "wasserstein", "normalized Wasserstein distance", Support.VALUES, null),
    KOLMOGOROV_SMIRNOV(
            Source.DRIFT, "kolmogorov_smirnov", "Kolmogorov-Smirnov D", Support.VALUES, null),
    CHI_SQUARE(Source.DRIFT, "chi_square", "chi-square", Support.VALUES, null),
    UNSEEN_CATEGORIES(
            Source.DRIFT, "unseen_categories", "share of unseen categories", Support.VALUES, null),
    MISSING_RATE(Source.DRIFT, "missing_rate", "missing rate", Support.PREDICTIONS, null),
    OUT_OF_RANGE_RATE(Source.DRIFT, "out_of_range_rate", "out-of-range rate", Support.VALUES, null),

    /** A discovered slice's effect: how much worse than the rest of its cohort it is. */
    DISCOVERY_EFFECT(Source.DISCOVERY, "effect", "effect", Support.SUPPORT, null);

    enum Source {
        METRICS,
        DRIFT,
        DISCOVERY
    }

    /** The count a row must reach for the rule to judge it. */
    enum Support {
        /** SliceMetric.support: rows the label-based metrics were computed from. */
        SUPPORT,
        /** SliceMetric / DriftResult .predictions. */
        PREDICTIONS,
        /** SliceMetric.labeled. */
        LABELED,
        /** DriftResult.values: predictions that carry the feature. */
        VALUES
    }

    private final Source source;
    private final String column;
    private final String label;
    private final Support support;
    private final Function<SliceMetric, Double> metricColumn;

    /** A label-based slice metric, gated on {@code support}. */
    Measure(String column, String label, Function<SliceMetric, Double> metricColumn) {
        this(Source.METRICS, column, label, Support.SUPPORT, metricColumn);
    }

    Measure(
            Source source,
            String column,
            String label,
            Support support,
            Function<SliceMetric, Double> metricColumn) {
        this.source = source;
        this.column = column;
        this.label = label;
        this.support = support;
        this.metricColumn = metricColumn;
    }

    /** The measure of a metrics rule; {@code score-mean} depends on the task. */
    static Measure of(MetricName metric, MetricsTask task) {
        return switch (metric) {
            case COUNT -> COUNT;
            case ACCURACY -> ACCURACY;
            case PRECISION -> PRECISION;
            case RECALL -> RECALL;
            case F1 -> F1;
            case AUC -> AUC;
            case LOG_LOSS -> LOG_LOSS;
            case CALIBRATION_ERROR -> CALIBRATION_ERROR;
            case MAE -> MAE;
            case RMSE -> RMSE;
            case MAPE -> MAPE;
            case BIAS -> BIAS;
            case CTR -> CTR;
            case PRECISION_AT_K -> PRECISION_AT_K;
            case THUMBS_UP_RATE -> THUMBS_UP_RATE;
            case SCORE_MEAN -> task == MetricsTask.LLM_FEEDBACK ? MEAN_RATING : SCORE_MEAN;
            case LABEL_COVERAGE -> LABEL_COVERAGE;
            case LABEL_DELAY -> LABEL_DELAY;
            case LABEL_DELAY_P99 -> LABEL_DELAY_P99;
            case FALSE_POSITIVE_RATE -> FALSE_POSITIVE_RATE;
            case BRIER_SCORE -> BRIER_SCORE;
            case BASE_RATE -> BASE_RATE;
            case PREDICTED_POSITIVE_RATE -> PREDICTED_POSITIVE_RATE;
            case ESTIMATED_ACCURACY -> ESTIMATED_ACCURACY;
            case ESTIMATED_PRECISION -> ESTIMATED_PRECISION;
            case ESTIMATED_RECALL -> ESTIMATED_RECALL;
            case ESTIMATED_F1 -> ESTIMATED_F1;
            case ESTIMATED_AUC -> ESTIMATED_AUC;
            case ACCURACY_DELTA -> ACCURACY_DELTA;
            case PRECISION_DELTA -> PRECISION_DELTA;
            case RECALL_DELTA -> RECALL_DELTA;
            case F1_DELTA -> F1_DELTA;
            case AUC_DELTA -> AUC_DELTA;
            case CONFUSION_MATRIX ->
                    throw new IllegalArgumentException(
                            "confusion-matrix is four columns, not an alert measure");
        };
    }

    /** The measure of a drift rule. */
    static Measure of(DriftStatistic statistic) {
        return switch (statistic) {
            case JENSEN_SHANNON -> JENSEN_SHANNON;
            case PSI -> PSI;
            case WASSERSTEIN -> WASSERSTEIN;
            case KOLMOGOROV_SMIRNOV -> KOLMOGOROV_SMIRNOV;
            case CHI_SQUARE -> CHI_SQUARE;
            case UNSEEN_CATEGORIES -> UNSEEN_CATEGORIES;
            case MISSING_RATE -> MISSING_RATE;
            case OUT_OF_RANGE_RATE -> OUT_OF_RANGE_RATE;
        };
    }

    Source source() {
        return source;
    }

    /** The row's column (snake case), as in the tables; the alert's {@code measure}. */
    String column() {
        return column;
    }

    /** How a person reads it, e.g. "AUC", "missing rate". */
    String label() {
        return label;
    }

    Support supportKind() {
        return support;
    }

    Double value(SliceMetric row) {
        return switch (this) {
            case COUNT -> (double) row.getPredictions();
            case LABEL_COVERAGE -> row.getLabelCoverage();
            default -> metricColumn.apply(row);
        };
    }

    Double value(DriftResult row) {
        return switch (this) {
            case JENSEN_SHANNON -> row.getJensenShannon();
            case PSI -> row.getPsi();
            case WASSERSTEIN -> row.getWasserstein();
            case KOLMOGOROV_SMIRNOV -> row.getKolmogorovSmirnov();
            case CHI_SQUARE -> row.getChiSquare();
            case UNSEEN_CATEGORIES -> row.getUnseenCategories();
            case MISSING_RATE -> row.getMissingRate();
            case OUT_OF_RANGE_RATE -> row.getOutOfRangeRate();
            default -> throw new IllegalStateException(this + " is not a drift measure");
        };
    }

    long support(SliceMetric row) {
        return switch (support) {
            case SUPPORT -> row.getSupport();
            case PREDICTIONS -> row.getPredictions();
            case LABELED -> row.getLabeled();
            case VALUES -> throw new IllegalStateException(this + " is not a metrics measure");
        };
    }

    long support(DriftResult row) {
        return switch (support) {
            case VALUES -> row.getValues();
            case PREDICTIONS -> row.getPredictions();
            default -> throw new IllegalStateException(this + " is not a drift measure");
        };
    }

    /** The drift test's p-value that goes with this row: KS for numeric, chi-square otherwise. */
    static Double pValue(DriftResult row) {
        return row.getKind() == FeatureKind.NUMERIC ? row.getKsPValue() : row.getChiSquarePValue();
    }
}
