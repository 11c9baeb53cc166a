package io.hindsight.ingest;

import io.hindsight.schemas.Prediction;
import io.hindsight.spec.FeatureSpec;
import io.hindsight.spec.FieldPath;
import io.hindsight.spec.InputsSpec;
import io.hindsight.spec.PredictionFields;
import io.hindsight.spec.PredictionInput;
import io.hindsight.spec.TextProjection;
import io.hindsight.spec.ValueSource;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a decoded prediction record onto the canonical {@link Prediction}, as the spec says.
 *
 * <p>Problems with the fields the join needs (join key, event time, model, outputs) reject the
 * record to the dead-letter topic. A feature value of the wrong type does not: the prediction is
 * kept without that value and the problem is counted ({@link #featureTypeErrors()}), because data
 * quality is monitored per window rather than by losing predictions.
 */
public final class PredictionMapper implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Pattern TOKEN =
            Pattern.compile("\\w+|[^\\w\\s]", Pattern.UNICODE_CHARACTER_CLASS);

    private final String application;
    private final PredictionInput input;
    private final Duration maxLag;
    private final Duration maxLead;
    private transient long featureTypeErrors;

    public PredictionMapper(String application, InputsSpec inputs) {
        this.application = application;
        this.input = inputs.predictions();
        this.maxLag = inputs.maxEventTimeLag();
        this.maxLead = inputs.maxEventTimeLead();
    }

    /** Feature values skipped because of their type, since this mapper was created. */
    public long featureTypeErrors() {
        return featureTypeErrors;
    }

    public Prediction map(Object tree, long kafkaTimestamp) throws MappingException {
        PredictionFields f = input.fields();
        String id = FieldReader.requiredString(tree, f.joinKey(), "join key");
        if (id.isBlank()) {
            throw new MappingException(
                    MappingException.EMPTY_JOIN_KEY,
                    "field '" + f.joinKey() + "' (join key) is empty");
        }
        Prediction.Builder p =
                Prediction.newBuilder()
                        .setApplication(application)
                        .setPredictionId(id)
                        .setEventTime(
                                FieldReader.eventTime(
                                        tree,
                                        f.eventTime(),
                                        input.eventTimeFormat(),
                                        kafkaTimestamp,
                                        maxLag,
                                        maxLead))
                        .setModelName(value(tree, f.modelName(), "model name"))
                        .setModelVersion(value(tree, f.modelVersion(), "model version"))
                        .setScore(FieldReader.optionalDouble(tree, f.score(), "score"))
                        .setScores(FieldReader.optionalNumberMap(tree, f.scores(), "scores"))
                        .setPredictedClass(
                                FieldReader.optionalString(
                                        tree, f.predictedClass(), "predicted class"))
                        .setPredictedValue(
                                FieldReader.optionalDouble(
                                        tree, f.predictedValue(), "predicted value"))
                        .setRankedItems(
                                FieldReader.optionalStringList(
                                        tree, f.rankedItems(), "ranked items"))
                        .setOutputText(
                                FieldReader.optionalString(tree, f.outputText(), "output text"));

        Map<String, Double> numeric = new HashMap<>();
        Map<String, String> categorical = new HashMap<>();
        for (FeatureSpec feature : input.features()) {
            FieldValues.Value v = FieldValues.resolve(tree, feature.path());
            if (v.absent()) {
                continue; // missing values are a data-quality figure, not an error
            }
            try {
                switch (feature.type()) {
                    case NUMERIC ->
                            numeric.put(
                                    feature.name(),
                                    FieldReader.number(v.value(), feature.path(), "feature"));
                    case CATEGORICAL ->
                            categorical.put(
                                    feature.name(),
                                    FieldReader.scalarText(v.value(), feature.path(), "feature"));
                    case TEXT -> {
                        String text = FieldReader.scalarText(v.value(), feature.path(), "feature");
                        for (TextProjection projection : feature.projections()) {
                            numeric.put(
                                    projectedName(feature.name(), projection),
                                    project(text, projection));
                        }
                    }
                }
            } catch (MappingException e) {
                featureTypeErrors++;
            }
        }
        p.setNumericFeatures(numeric).setCategoricalFeatures(categorical);

        Map<String, String> tags = new HashMap<>();
        for (Map.Entry<String, FieldPath> tag : input.tags().entrySet()) {
            String value = FieldReader.optionalString(tree, tag.getValue(), "tag " + tag.getKey());
            if (value != null) {
                tags.put(tag.getKey(), value);
            }
        }
        p.setTags(tags);
        return p.build();
    }

    /** The name of a text projection as a numeric feature, e.g. {@code answer.token_count}. */
    public static String projectedName(String feature, TextProjection projection) {
        return feature + "." + projection.name().toLowerCase();
    }

    /** The value of a text projection, as the mapper computes it for text features. */
    public static double project(String text, TextProjection projection) {
        return switch (projection) {
            case LENGTH -> text.codePointCount(0, text.length());
            case TOKEN_COUNT -> {
                Matcher m = TOKEN.matcher(text);
                int n = 0;
                while (m.find()) {
                    n++;
                }
                yield n;
            }
            case LINE_COUNT -> text.isEmpty() ? 0 : text.split("\\R", -1).length;
        };
    }

    private static String value(Object tree, ValueSource source, String role)
            throws MappingException {
        if (source.constant() != null) {
            return source.constant();
        }
        return FieldReader.requiredString(tree, source.path(), role);
    }
}
