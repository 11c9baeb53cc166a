package io.hindsight.spec;

/** A statistic reported per feature and window by the drift job, usable in alert rules. */
public enum DriftStatistic {
    /** Jensen–Shannon distance (base 2, in [0, 1]); numeric and categorical. */
    JENSEN_SHANNON(true),
    /** Population stability index; numeric and categorical. */
    PSI(true),
    /**
     * Wasserstein-1 distance divided by the reference's population standard deviation (computed
     * exactly from every reference value); numeric.
     */
    WASSERSTEIN(true),
    /** Kolmogorov–Smirnov statistic D; numeric. */
    KOLMOGOROV_SMIRNOV(false),
    /** Chi-square statistic; categorical. */
    CHI_SQUARE(false),
    /** Share of values in categories never seen in the reference; categorical. */
    UNSEEN_CATEGORIES(false),
    /**
     * Share of predictions where the feature is missing; a value of the wrong type is dropped by
     * the mapper (and counted in its metrics), so it counts as missing here.
     */
    MISSING_RATE(false),
    /** Share of values outside the feature's declared min/max. */
    OUT_OF_RANGE_RATE(false);

    private final boolean effectSize;

    DriftStatistic(boolean effectSize) {
        this.effectSize = effectSize;
    }

    /** Whether {@code drift.thresholds} holds a default threshold for this statistic. */
    public boolean effectSize() {
        return effectSize;
    }
}
