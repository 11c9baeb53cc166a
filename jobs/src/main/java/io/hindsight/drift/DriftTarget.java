package io.hindsight.drift;

import io.hindsight.ingest.PredictionMapper;
import io.hindsight.schemas.FeatureKind;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.FeatureSpec;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.PredictionFields;
import io.hindsight.spec.TextProjection;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One thing drift is measured on: a feature, a text projection or a model output, with where its
 * value is in a {@link Prediction}. The {@code scores} map is one target whose rows are {@code
 * scores.<class>}.
 *
 * @param min lower end of the expected range (numeric features only), or null
 * @param max upper end of the expected range (numeric features only), or null
 */
public record DriftTarget(String name, Kind kind, Source source, Double min, Double max)
        implements Serializable {

    /** What is accumulated for a target. */
    public enum Kind {
        NUMERIC,
        CATEGORICAL,
        /** A map of numeric values by class (the multiclass {@code scores}). */
        NUMERIC_MAP
    }

    /** Where the value comes from. */
    public enum Source {
        NUMERIC_FEATURE,
        CATEGORICAL_FEATURE,
        SCORE,
        PREDICTED_VALUE,
        PREDICTED_CLASS,
        OUTPUT_TEXT_LENGTH,
        OUTPUT_TEXT_TOKEN_COUNT,
        SCORES
    }

    /** The model outputs' names, as {@code DriftResult.feature} carries them. */
    public static final String SCORE = "score";

    public static final String PREDICTED_VALUE = "predicted_value";
    public static final String PREDICTED_CLASS = "predicted_class";
    public static final String SCORES = "scores";
    public static final String OUTPUT_TEXT_LENGTH =
            PredictionMapper.projectedName("output_text", TextProjection.LENGTH);
    public static final String OUTPUT_TEXT_TOKEN_COUNT =
            PredictionMapper.projectedName("output_text", TextProjection.TOKEN_COUNT);

    /** The row kind of this target's rows. */
    public FeatureKind featureKind() {
        return kind == Kind.CATEGORICAL ? FeatureKind.CATEGORICAL : FeatureKind.NUMERIC;
    }

    /** The feature name of a row of class {@code className} of a {@link Kind#NUMERIC_MAP}. */
    public String rowName(String className) {
        return name + "." + className;
    }

    /** Whether {@code value} lies outside the declared range (false without one). */
    boolean outOfRange(double value) {
        return (min != null && value < min) || (max != null && value > max);
    }

    /** Whether a range is declared, so that an out-of-range rate is reported. */
    public boolean hasRange() {
        return min != null || max != null;
    }

    /** The numeric value of a numeric target in {@code p}, or null if absent. */
    Double numeric(Prediction p) {
        return switch (source) {
            case NUMERIC_FEATURE -> p.getNumericFeatures().get(name);
            case SCORE -> p.getScore();
            case PREDICTED_VALUE -> p.getPredictedValue();
            case OUTPUT_TEXT_LENGTH ->
                    p.getOutputText() == null
                            ? null
                            : PredictionMapper.project(p.getOutputText(), TextProjection.LENGTH);
            case OUTPUT_TEXT_TOKEN_COUNT ->
                    p.getOutputText() == null
                            ? null
                            : PredictionMapper.project(
                                    p.getOutputText(), TextProjection.TOKEN_COUNT);
            default -> throw new IllegalStateException(name + " is not numeric");
        };
    }

    /** The category of a categorical target in {@code p}, or null if absent. */
    String category(Prediction p) {
        return switch (source) {
            case CATEGORICAL_FEATURE -> p.getCategoricalFeatures().get(name);
            case PREDICTED_CLASS -> p.getPredictedClass();
            default -> throw new IllegalStateException(name + " is not categorical");
        };
    }

    /** The values by class of a {@link Kind#NUMERIC_MAP} in {@code p}, or null if absent. */
    Map<String, Double> numericMap(Prediction p) {
        if (source != Source.SCORES) {
            throw new IllegalStateException(name + " is not a numeric map");
        }
        return p.getScores();
    }

    /**
     * The targets of {@code spec}: the watched features in the spec's order (text features by
     * projection), then the mapped model outputs when {@code drift.model-outputs} is on.
     *
     * @throws IllegalArgumentException if a watched feature is not declared, or two targets have
     *     the same name
     */
    public static List<DriftTarget> of(JobSpec spec) {
        Map<String, DriftTarget> targets = new LinkedHashMap<>();
        List<FeatureSpec> declared = spec.inputs().predictions().features();
        for (String name : spec.drift().features()) {
            FeatureSpec feature =
                    declared.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
            if (feature == null) {
                throw new IllegalArgumentException(
                        String.format(
                                "drift.features: unknown feature '%s' (declared: %s)",
                                name, declared.stream().map(FeatureSpec::name).toList()));
            }
            switch (feature.type()) {
                case NUMERIC ->
                        add(
                                targets,
                                new DriftTarget(
                                        name,
                                        Kind.NUMERIC,
                                        Source.NUMERIC_FEATURE,
                                        feature.min(),
                                        feature.max()));
                case CATEGORICAL ->
                        add(
                                targets,
                                new DriftTarget(
                                        name,
                                        Kind.CATEGORICAL,
                                        Source.CATEGORICAL_FEATURE,
                                        null,
                                        null));
                case TEXT -> {
                    for (TextProjection projection : feature.projections()) {
                        add(
                                targets,
                                new DriftTarget(
                                        PredictionMapper.projectedName(name, projection),
                                        Kind.NUMERIC,
                                        Source.NUMERIC_FEATURE,
                                        null,
                                        null));
                    }
                }
            }
        }
        if (spec.drift().modelOutputs()) {
            PredictionFields f = spec.inputs().predictions().fields();
            if (f.score() != null) {
                add(targets, new DriftTarget(SCORE, Kind.NUMERIC, Source.SCORE, null, null));
            }
            if (f.predictedValue() != null) {
                add(
                        targets,
                        new DriftTarget(
                                PREDICTED_VALUE, Kind.NUMERIC, Source.PREDICTED_VALUE, null, null));
            }
            if (f.predictedClass() != null) {
                add(
                        targets,
                        new DriftTarget(
                                PREDICTED_CLASS,
                                Kind.CATEGORICAL,
                                Source.PREDICTED_CLASS,
                                null,
                                null));
            }
            if (f.scores() != null) {
                add(targets, new DriftTarget(SCORES, Kind.NUMERIC_MAP, Source.SCORES, null, null));
            }
            if (f.outputText() != null) {
                add(
                        targets,
                        new DriftTarget(
                                OUTPUT_TEXT_LENGTH,
                                Kind.NUMERIC,
                                Source.OUTPUT_TEXT_LENGTH,
                                null,
                                null));
                add(
                        targets,
                        new DriftTarget(
                                OUTPUT_TEXT_TOKEN_COUNT,
                                Kind.NUMERIC,
                                Source.OUTPUT_TEXT_TOKEN_COUNT,
                                null,
                                null));
            }
        }
        return List.copyOf(new ArrayList<>(targets.values()));
    }

    private static void add(Map<String, DriftTarget> targets, DriftTarget target) {
        if (targets.putIfAbsent(target.name(), target) != null) {
            throw new IllegalArgumentException(
                    String.format(
                            "drift: two targets are named '%s' (a feature and a model output,"
                                    + " or a text projection); rename the feature",
                            target.name()));
        }
    }
}
