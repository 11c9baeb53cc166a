package io.hindsight.join;

import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.PredictionBinary;
import java.time.Instant;
import java.util.Objects;

/**
 * A waiting prediction's Avro bytes in join state, without the three fields the state entry already
 * knows: {@code application} (the job's), {@code prediction_id} (the join key, RocksDB's key of the
 * entry) and {@code event_time} (the prediction time in the entry's header).
 *
 * <p>The record is encoded with those fields blanked ({@code ""}, {@code ""}, the epoch) and
 * decoded with the blanks filled in again from the key, the application and the prediction time. A
 * field is blanked only when it equals what decoding will put back, so the bytes always decode to
 * the record that was encoded: a payload written whole (layout v2, or a prediction whose fields do
 * not match its entry) decodes as it is. Not thread-safe; one instance per operator.
 */
public final class PredictionPayload {

    private static final String BLANK = "";

    private final String application;
    private final PredictionBinary avro = new PredictionBinary();

    /** For the join of {@code application} (the spec's {@code application}). */
    public PredictionPayload(String application) {
        this.application = Objects.requireNonNull(application, "application");
    }

    /**
     * The Avro bytes of {@code p}, stored under join key {@code key} with prediction time {@code
     * predictionTime}. {@code p} is left as it was (it is also emitted downstream, and the job
     * reuses objects).
     */
    public byte[] encode(Prediction p, String key, long predictionTime) {
        String app = p.getApplication();
        String id = p.getPredictionId();
        Instant time = p.getEventTime();
        boolean blankApp = app.equals(application);
        boolean blankId = id.equals(key);
        boolean blankTime = time.toEpochMilli() == predictionTime;
        // A blank that decoding would fill with something else would change the record.
        requireRestorable(app, blankApp, application, "application");
        requireRestorable(id, blankId, key, "prediction_id");
        if (!blankTime && time.equals(Instant.EPOCH)) {
            throw new IllegalArgumentException(
                    "prediction '"
                            + id
                            + "' has event_time 0 but is stored with prediction time "
                            + predictionTime);
        }
        try {
            if (blankApp) {
                p.setApplication(BLANK);
            }
            if (blankId) {
                p.setPredictionId(BLANK);
            }
            if (blankTime) {
                p.setEventTime(Instant.EPOCH);
            }
            return avro.encode(p);
        } finally {
            p.setApplication(app);
            p.setPredictionId(id);
            p.setEventTime(time);
        }
    }

    /** The prediction of {@code bytes} (from {@link #encode} or a whole record), blanks filled. */
    public Prediction decode(byte[] bytes, String key, long predictionTime) {
        Prediction p = avro.decode(bytes);
        if (p.getApplication().isEmpty()) {
            p.setApplication(application);
        }
        if (p.getPredictionId().isEmpty()) {
            p.setPredictionId(key);
        }
        if (p.getEventTime().equals(Instant.EPOCH)) {
            p.setEventTime(Instant.ofEpochMilli(predictionTime));
        }
        return p;
    }

    /**
     * {@code bytes} (any payload {@link #decode} reads, e.g. a whole v2 record) re-encoded with the
     * three fields blanked: what state-migrations writes for a v2 entry. A record that does not
     * match its entry (another application: the migration was given the wrong one) is refused.
     */
    public byte[] compact(byte[] bytes, String key, long predictionTime) {
        Prediction p = decode(bytes, key, predictionTime);
        if (!p.getApplication().equals(application)
                || !p.getPredictionId().equals(key)
                || p.getEventTime().toEpochMilli() != predictionTime) {
            throw new IllegalArgumentException(
                    "prediction '"
                            + p.getPredictionId()
                            + "' of application '"
                            + p.getApplication()
                            + "' at "
                            + p.getEventTime()
                            + " does not belong to the state entry of key '"
                            + key
                            + "', application '"
                            + application
                            + "', prediction time "
                            + Instant.ofEpochMilli(predictionTime));
        }
        return encode(p, key, predictionTime);
    }

    private static void requireRestorable(
            String value, boolean blanked, String restored, String field) {
        if (!blanked && value.isEmpty()) {
            throw new IllegalArgumentException(
                    "a prediction with an empty "
                            + field
                            + " cannot be stored in the join's state for '"
                            + restored
                            + "'");
        }
    }
}
