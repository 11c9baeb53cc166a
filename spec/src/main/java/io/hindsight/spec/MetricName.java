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
    LABEL_DELAY,
    /** The 99th percentile of the feedback delays, in seconds (alerts compare it). */
    LABEL_DELAY_P99,
    /** Binary: the confusion counts tp, fp, tn, fn (four columns; not an alert measure). */
    CONFUSION_MATRIX,
    /** fp / (fp + tn); multiclass: macro one-vs-rest. */
    FALSE_POSITIVE_RATE,
    /** Mean squared error of the scores; multiclass: of the score vectors. */
    BRIER_SCORE,
    /** Binary: share of positive labels among the support rows. */
    BASE_RATE,
    /** Binary: share of the cohort's scored predictions at or above the threshold (no label). */
    PREDICTED_POSITIVE_RATE,
    /** Binary, CBPE: accuracy estimated from the scores alone. */
    ESTIMATED_ACCURACY,
    ESTIMATED_PRECISION,
    ESTIMATED_RECALL,
    ESTIMATED_F1,
    ESTIMATED_AUC,
    /** Binary, CBPE: realized accuracy − estimated accuracy, on the final revision. */
    ACCURACY_DELTA,
    PRECISION_DELTA,
    RECALL_DELTA,
    F1_DELTA,
    AUC_DELTA
}
