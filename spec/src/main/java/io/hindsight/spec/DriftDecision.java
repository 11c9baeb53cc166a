package io.hindsight.spec;

import java.io.Serializable;
import java.util.List;

/**
 * How a drift row's verdict accounts for the window's size: the false-alarm rate a window drawn
 * from the reference may have, the fewest values that decide, the Monte Carlo replicates of the
 * statistics' null distribution, and the rate rule for low-rate categories.
 */
public record DriftDecision(
        double falseAlarmRate, int minValues, int nullSamples, RateShift rateShift)
        implements Serializable {

    public static final DriftDecision DEFAULTS =
            new DriftDecision(
                    SpecDefaults.FALSE_ALARM_RATE,
                    SpecDefaults.MIN_VALUES,
                    SpecDefaults.NULL_SAMPLES,
                    RateShift.DEFAULTS);

    /**
     * The rate rule: every category whose reference share is at most {@code maxShare} is tested on
     * its own (Fisher's exact test). {@code modelOutputs} applies it to {@code predicted_class},
     * {@code features} to the categorical features named.
     */
    public record RateShift(
            boolean modelOutputs,
            List<String> features,
            double maxShare,
            double minRelativeChange,
            int minCount)
            implements Serializable {

        public static final RateShift DEFAULTS =
                new RateShift(
                        SpecDefaults.RATE_SHIFT_MODEL_OUTPUTS,
                        List.of(),
                        SpecDefaults.RATE_SHIFT_MAX_SHARE,
                        SpecDefaults.RATE_SHIFT_MIN_RELATIVE_CHANGE,
                        SpecDefaults.RATE_SHIFT_MIN_COUNT);

        public RateShift {
            features = Collections2.list(features);
        }
    }
}
