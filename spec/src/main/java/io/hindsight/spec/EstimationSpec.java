package io.hindsight.spec;

import java.io.Serializable;

/**
 * Confidence-based performance estimation (CBPE) of a binary classifier: how wide the stated
 * sampling error is, and when the estimate is trusted.
 *
 * @param confidence the probability that the realized value falls within {@code estimated ± error}
 *     when the scores are calibrated
 * @param calibrationBound the largest expected calibration error of the reference for which the
 *     estimate is trusted
 * @param minReferenceRows the fewest labelled reference rows for which it is trusted
 * @param referenceCohorts the reference: the slice's most recent final cohorts, this many
 */
public record EstimationSpec(
        double confidence, double calibrationBound, int minReferenceRows, int referenceCohorts)
        implements Serializable {

    public static final EstimationSpec DEFAULTS =
            new EstimationSpec(
                    SpecDefaults.ESTIMATION_CONFIDENCE,
                    SpecDefaults.ESTIMATION_CALIBRATION_BOUND,
                    SpecDefaults.ESTIMATION_MIN_REFERENCE_ROWS,
                    SpecDefaults.ESTIMATION_REFERENCE_COHORTS);
}
