package io.hindsight.spec;

import java.io.Serializable;

/**
 * Where the prediction's canonical fields are in the user's record; the model output fields are
 * null when not mapped.
 */
public record PredictionFields(
        FieldPath joinKey,
        FieldPath eventTime,
        ValueSource modelName,
        ValueSource modelVersion,
        FieldPath score,
        FieldPath scores,
        FieldPath predictedClass,
        FieldPath predictedValue,
        FieldPath rankedItems,
        FieldPath outputText)
        implements Serializable {}
