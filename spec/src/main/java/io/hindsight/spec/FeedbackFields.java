package io.hindsight.spec;

import java.io.Serializable;

/**
 * Where the feedback's canonical fields are; {@code feedbackId} null means the id is derived from
 * the record's content, {@code label}/{@code labelClass} null when not mapped.
 */
public record FeedbackFields(
        FieldPath joinKey,
        FieldPath eventTime,
        FieldPath feedbackId,
        FieldPath label,
        FieldPath labelClass)
        implements Serializable {}
