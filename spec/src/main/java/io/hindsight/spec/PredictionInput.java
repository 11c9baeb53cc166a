package io.hindsight.spec;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The user's prediction log and how its fields map onto Hindsight's prediction; {@code schemaFile}
 * is an absolute path or null.
 */
public record PredictionInput(
        String topic,
        InputFormat format,
        String schemaFile,
        StartingOffsets startingOffsets,
        TimestampFormat eventTimeFormat,
        PredictionFields fields,
        List<FeatureSpec> features,
        Map<String, FieldPath> tags)
        implements Serializable {

    public PredictionInput {
        features = Collections2.list(features);
        tags = Collections2.map(tags);
    }
}
