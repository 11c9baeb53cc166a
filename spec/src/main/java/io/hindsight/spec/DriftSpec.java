package io.hindsight.spec;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * Drift of the prediction stream per window: {@code features} are the feature names watched (the
 * spec's {@code all} already expanded), {@code modelOutputs} adds the mapped model outputs; {@code
 * thresholds} are the effect-size floors and {@code decision} how the verdict accounts for the
 * window's size.
 */
public record DriftSpec(
        boolean enabled,
        Duration window,
        DriftReference reference,
        List<String> features,
        boolean modelOutputs,
        int sketchK,
        int maxCategories,
        DriftThresholds thresholds,
        DriftDecision decision)
        implements Serializable {

    public DriftSpec {
        features = Collections2.list(features);
    }

    /** A drift spec with the default {@link DriftDecision}. */
    public DriftSpec(
            boolean enabled,
            Duration window,
            DriftReference reference,
            List<String> features,
            boolean modelOutputs,
            int sketchK,
            int maxCategories,
            DriftThresholds thresholds) {
        this(
                enabled,
                window,
                reference,
                features,
                modelOutputs,
                sketchK,
                maxCategories,
                thresholds,
                DriftDecision.DEFAULTS);
    }

    /** This section with another window and reference, everything else as it is. */
    public DriftSpec withWindow(Duration window, DriftReference reference) {
        return new DriftSpec(
                enabled,
                window,
                reference,
                features,
                modelOutputs,
                sketchK,
                maxCategories,
                thresholds,
                decision);
    }

    /** What a spec without a {@code drift} section gets. */
    public static DriftSpec disabled() {
        return new DriftSpec(false, null, null, List.of(), false, 0, 0, null, null);
    }
}
