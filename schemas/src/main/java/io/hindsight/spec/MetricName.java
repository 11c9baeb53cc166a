package io.hindsight.spec;

/** A slice metric; YAML spells it in lower case with dashes ({@code precision-at-k}). */
public enum MetricName {
    /** Number of predictions in the cohort. */
    COUNT,
    ACCURACY,
    PRECISION,
    RECALL,
    F1,
    AUC,
    LOG_LOSS,
    CALIBRATION_ERROR,
    MAE,
    RMSE,
    MAPE,
    BIAS,
    CTR,
    PRECISION_AT_K,
    THUMBS_UP_RATE,
    /** Binary classification: mean predicted score; LLM feedback: mean feedback rating. */
    SCORE_MEAN,
    /** Share of the cohort's predictions that have feedback so far. */
    LABEL_COVERAGE,
    /** Distribution of feedback delays; alerts compare its median, in seconds. */
    LABEL_DELAY
}
