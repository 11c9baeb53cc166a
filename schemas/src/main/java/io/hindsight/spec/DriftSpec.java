package io.hindsight.spec;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * Drift of the prediction stream per window: {@code features} are the feature names watched (the
 * spec's {@code all} already expanded), {@code modelOutputs} adds the mapped model outputs.
 */
public record DriftSpec(
        boolean enabled,
        Duration window,
        DriftReference reference,
        List<String> features,
        boolean modelOutputs,
        int sketchK,
        int maxCategories,
        DriftThresholds thresholds)
        implements Serializable {

    public DriftSpec {
        features = Collections2.list(features);
    }

    /** What a spec without a {@code drift} section gets. */
    public static DriftSpec disabled() {
        return new DriftSpec(false, null, null, List.of(), false, 0, 0, null);
    }
}
