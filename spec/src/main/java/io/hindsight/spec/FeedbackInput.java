package io.hindsight.spec;

import java.io.Serializable;
import java.util.Map;

/**
 * The user's feedback events and how their fields map onto Hindsight's feedback; {@code attributes}
 * are extra fields kept for analysis.
 */
public record FeedbackInput(
        String topic,
        InputFormat format,
        String schemaFile,
        StartingOffsets startingOffsets,
        TimestampFormat eventTimeFormat,
        FeedbackFields fields,
        Map<String, FieldPath> attributes)
        implements Serializable {

    public FeedbackInput {
        attributes = Collections2.map(attributes);
    }
}
