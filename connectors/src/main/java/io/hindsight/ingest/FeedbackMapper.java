package io.hindsight.ingest;

import io.hindsight.schemas.Feedback;
import io.hindsight.spec.FeedbackFields;
import io.hindsight.spec.FeedbackInput;
import io.hindsight.spec.FieldPath;
import io.hindsight.spec.InputsSpec;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Maps a decoded feedback record onto the canonical {@link Feedback}, as the spec says.
 *
 * <p>Without a mapped feedback id, the id is a digest of the record's bytes: an exact re-send is
 * then recognised as a duplicate, on replay too. Without a mapped label, the label is 1.0: the
 * feedback event itself is the signal (a click).
 */
public final class FeedbackMapper implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String application;
    private final FeedbackInput input;
    private final Duration maxLag;
    private final Duration maxLead;

    public FeedbackMapper(String application, InputsSpec inputs) {
        this.application = application;
        this.input = inputs.feedback();
        this.maxLag = inputs.maxEventTimeLag();
        this.maxLead = inputs.maxEventTimeLead();
    }

    public Feedback map(Object tree, byte[] rawValue, long kafkaTimestamp) throws MappingException {
        FeedbackFields f = input.fields();
        String predictionId = FieldReader.requiredString(tree, f.joinKey(), "join key");
        if (predictionId.isBlank()) {
            throw new MappingException(
                    MappingException.EMPTY_JOIN_KEY,
                    "field '" + f.joinKey() + "' (join key) is empty");
        }
        String feedbackId =
                f.feedbackId() == null
                        ? contentId(rawValue)
                        : FieldReader.requiredString(tree, f.feedbackId(), "feedback id");
        Double label = FieldReader.optionalDouble(tree, f.label(), "label");
        if (f.label() == null) {
            label = 1.0;
        }
        Map<String, String> attributes = new HashMap<>();
        for (Map.Entry<String, FieldPath> a : input.attributes().entrySet()) {
            String value =
                    FieldReader.optionalString(tree, a.getValue(), "attribute " + a.getKey());
            if (value != null) {
                attributes.put(a.getKey(), value);
            }
        }
        return Feedback.newBuilder()
                .setApplication(application)
                .setFeedbackId(feedbackId)
                .setPredictionId(predictionId)
                .setEventTime(
                        FieldReader.eventTime(
                                tree,
                                f.eventTime(),
                                input.eventTimeFormat(),
                                kafkaTimestamp,
                                maxLag,
                                maxLead))
                .setLabel(label)
                .setLabelClass(FieldReader.optionalString(tree, f.labelClass(), "label class"))
                .setAttributes(attributes)
                .build();
    }

    static String contentId(byte[] value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value);
            return "sha256:" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
