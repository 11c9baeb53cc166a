package io.hindsight.discovery;

import io.hindsight.spec.MetricsTask;
import java.util.List;

/** A metric slices are tested on, and the one-sided test that fits it. */
public enum DiscoveryMetric {
    /** Share of labelled rows misclassified at the threshold (binary) or by the predicted class. */
    ERROR_RATE("error-rate"),
    /** ROC AUC of the binary scores; worse is lower. */
    AUC("auc"),
    /** Regression: squared error per row. */
    SQUARED_ERROR("squared-error"),
    /** Regression: absolute error per row. */
    ABSOLUTE_ERROR("absolute-error");

    private final String specName;

    DiscoveryMetric(String specName) {
        this.specName = specName;
    }

    /** The name in the spec and in the {@code metric} column. */
    public String specName() {
        return specName;
    }

    /** The metric of a spec name ({@code error-rate}, ...). */
    public static DiscoveryMetric of(String specName) {
        for (DiscoveryMetric m : values()) {
            if (m.specName.equals(specName)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown discovery metric '" + specName + "'");
    }

    /** The metrics tested when the spec names none. */
    public static List<DiscoveryMetric> defaults(MetricsTask task) {
        return switch (task) {
            case BINARY_CLASSIFICATION -> List.of(ERROR_RATE, AUC);
            case MULTICLASS_CLASSIFICATION -> List.of(ERROR_RATE);
            case REGRESSION -> List.of(SQUARED_ERROR);
            case RANKING, LLM_FEEDBACK -> List.of();
        };
    }

    /** Whether this metric can be tested for the task. */
    public boolean fits(MetricsTask task) {
        return switch (this) {
            case ERROR_RATE ->
                    task == MetricsTask.BINARY_CLASSIFICATION
                            || task == MetricsTask.MULTICLASS_CLASSIFICATION;
            case AUC -> task == MetricsTask.BINARY_CLASSIFICATION;
            case SQUARED_ERROR, ABSOLUTE_ERROR -> task == MetricsTask.REGRESSION;
        };
    }
}
