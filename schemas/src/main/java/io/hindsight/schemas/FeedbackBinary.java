package io.hindsight.schemas;

import java.time.Instant;

/**
 * The Avro binary encoding of a {@link Feedback}, field by field ({@link FieldByFieldAvro}): the
 * same bytes as {@code AvroBinary<Feedback>}. Not thread-safe; one instance per operator.
 */
public final class FeedbackBinary extends FieldByFieldAvro<Feedback> {

    /**
     * The fingerprint of the Feedback schema written below ({@link FieldByFieldAvro#fingerprint}).
     * Change the schema, then this codec and its fingerprint together.
     */
    static final long FINGERPRINT = 2934802781233469707L;

    public FeedbackBinary() {
        super(Feedback.getClassSchema(), FINGERPRINT);
    }

    /** The fingerprint of the current Feedback schema (for tests and error messages). */
    static long currentFingerprint() {
        return fingerprint(Feedback.getClassSchema());
    }

    @Override
    protected void writeFields(Feedback f) {
        writeString(f.getApplication());
        writeString(f.getFeedbackId());
        writeString(f.getPredictionId());
        writeLong(f.getEventTime().toEpochMilli());
        writeOptionalDouble(f.getLabel());
        writeOptionalString(f.getLabelClass());
        writeStringMap(f.getAttributes());
    }

    @Override
    protected Feedback readFields() {
        String application = readString();
        String feedbackId = readString();
        String predictionId = readString();
        Instant eventTime = Instant.ofEpochMilli(readLong());
        Double label = union() ? readDouble() : null;
        String labelClass = union() ? readString() : null;
        return new Feedback(
                application,
                feedbackId,
                predictionId,
                eventTime,
                label,
                labelClass,
                readStringMap());
    }
}
