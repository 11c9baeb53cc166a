package io.hindsight.schemas;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Avro binary encoding of a {@link Prediction}, field by field ({@link FieldByFieldAvro}): the
 * same bytes as {@code AvroBinary<Prediction>}. Not thread-safe; one instance per operator.
 */
public final class PredictionBinary extends FieldByFieldAvro<Prediction> {

    /**
     * The fingerprint of the Prediction schema written below ({@link
     * FieldByFieldAvro#fingerprint}). Change the schema, then this codec and its fingerprint
     * together.
     */
    static final long FINGERPRINT = 1203862749496454307L;

    public PredictionBinary() {
        super(Prediction.getClassSchema(), FINGERPRINT);
    }

    /** The fingerprint of the current Prediction schema (for tests and error messages). */
    static long currentFingerprint() {
        return fingerprint(Prediction.getClassSchema());
    }

    @Override
    protected void writeFields(Prediction p) {
        writeString(p.getApplication());
        writeString(p.getPredictionId());
        writeLong(p.getEventTime().toEpochMilli());
        writeString(p.getModelName());
        writeString(p.getModelVersion());
        writeOptionalDouble(p.getScore());
        Map<String, Double> scores = p.getScores();
        if (writeBranch(scores)) {
            writeDoubleMap(scores);
        }
        writeOptionalString(p.getPredictedClass());
        writeOptionalDouble(p.getPredictedValue());
        List<String> ranked = p.getRankedItems();
        if (writeBranch(ranked)) {
            if (!ranked.isEmpty()) {
                writeLong(ranked.size());
                for (String item : ranked) {
                    writeString(item);
                }
            }
            writeLong(0);
        }
        writeOptionalString(p.getOutputText());
        writeDoubleMap(p.getNumericFeatures());
        writeStringMap(p.getCategoricalFeatures());
        writeStringMap(p.getTags());
        writeBoolean(p.getDuplicate());
    }

    @Override
    protected Prediction readFields() {
        String application = readString();
        String id = readString();
        Instant eventTime = Instant.ofEpochMilli(readLong());
        String modelName = readString();
        String modelVersion = readString();
        Double score = union() ? readDouble() : null;
        Map<String, Double> scores = union() ? readDoubleMap() : null;
        String predictedClass = union() ? readString() : null;
        Double predictedValue = union() ? readDouble() : null;
        List<String> ranked = null;
        if (union()) {
            ranked = new ArrayList<>();
            for (long n = blockCount(); n != 0; n = blockCount()) {
                for (long i = 0; i < n; i++) {
                    ranked.add(readString());
                }
            }
        }
        String outputText = union() ? readString() : null;
        Map<String, Double> numeric = readDoubleMap();
        Map<String, String> categorical = readStringMap();
        Map<String, String> tags = readStringMap();
        boolean duplicate = readBoolean();
        return new Prediction(
                application,
                id,
                eventTime,
                modelName,
                modelVersion,
                score,
                scores,
                predictedClass,
                predictedValue,
                ranked,
                outputText,
                numeric,
                categorical,
                tags,
                duplicate);
    }
}
