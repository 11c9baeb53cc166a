package io.hindsight.spec;

import java.io.Serializable;

/**
 * Effect sizes above which a feature's window is flagged as drifted. {@code pValue} is opt-in (null
 * by default): when set, a KS / chi-square p-value below it flags drift as well.
 */
public record DriftThresholds(double jensenShannon, double psi, double wasserstein, Double pValue)
        implements Serializable {

    public static final DriftThresholds DEFAULTS =
            new DriftThresholds(
                    SpecDefaults.JENSEN_SHANNON, SpecDefaults.PSI, SpecDefaults.WASSERSTEIN, null);

    /** The default alert threshold of an effect-size statistic. */
    public double threshold(DriftStatistic statistic) {
        return switch (statistic) {
            case JENSEN_SHANNON -> jensenShannon;
            case PSI -> psi;
            case WASSERSTEIN -> wasserstein;
            default ->
                    throw new IllegalArgumentException(
                            String.format("%s has no default threshold", statistic));
        };
    }
}
