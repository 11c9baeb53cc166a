package io.hindsight.spec;

/** How an event-time field is read. */
public enum TimestampFormat {
    /**
     * Avro timestamp logical types as declared; other numbers as epoch millis; text as ISO-8601.
     */
    AUTO,
    EPOCH_MILLIS,
    EPOCH_SECONDS,
    EPOCH_MICROS,
    ISO_8601
}
