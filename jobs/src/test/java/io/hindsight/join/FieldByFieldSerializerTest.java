package io.hindsight.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.AvroBinary;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Prediction;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Flink's own serializer contract (copy, duplicate, snapshot and restore, serialized views, reading
 * from partial buffers) for both serializers, and the bytes after the length equal to Avro's binary
 * encoding of the record.
 */
class FieldByFieldSerializerTest {

    static final Prediction[] PREDICTIONS = {
        Prediction.newBuilder()
                .setApplication("fraud")
                .setPredictionId("pay-1")
                .setEventTime(Instant.parse("2026-02-12T10:00:00Z"))
                .setModelName("fraud")
                .setModelVersion("v7")
                .setScore(0.93)
                .setNumericFeatures(Map.of("amount", 120.5, "age_days", 3.0))
                .setCategoricalFeatures(Map.of("merchant_category", "grocery"))
                .setTags(Map.of("country", "BR", "channel", "web"))
                .build(),
        Prediction.newBuilder()
                .setApplication("ranker")
                .setPredictionId("q-ü-日本")
                .setEventTime(Instant.ofEpochMilli(-1))
                .setModelName("ranker")
                .setModelVersion("2")
                .setScores(Map.of("a", 0.1, "b", Double.NaN))
                .setPredictedClass("a")
                .setPredictedValue(-0.0)
                .setRankedItems(List.of("x", "y", ""))
                .setOutputText("😀")
                .setDuplicate(true)
                .build(),
        Prediction.newBuilder()
                .setApplication("")
                .setPredictionId("")
                .setEventTime(Instant.ofEpochMilli(Long.MAX_VALUE / 4))
                .setModelName("")
                .setModelVersion("")
                .setRankedItems(List.of())
                .build()
    };

    static final Feedback[] FEEDBACK = {
        Feedback.newBuilder()
                .setApplication("fraud")
                .setFeedbackId("cb-1")
                .setPredictionId("pay-1")
                .setEventTime(Instant.parse("2026-03-01T00:00:00Z"))
                .setLabel(1.0)
                .setAttributes(Map.of("reason", "stolen card"))
                .build(),
        Feedback.newBuilder()
                .setApplication("ranker")
                .setFeedbackId("")
                .setPredictionId("q-ü-日本")
                .setEventTime(Instant.ofEpochMilli(Long.MIN_VALUE / 4))
                .setLabelClass("y")
                .build()
    };

    @Nested
    class Predictions extends SerializerTestBase<Prediction> {
        @Override
        protected TypeSerializer<Prediction> createSerializer() {
            return new FieldByFieldSerializer.Predictions();
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<Prediction> getTypeClass() {
            return Prediction.class;
        }

        @Override
        protected Prediction[] getTestData() {
            return PREDICTIONS;
        }
    }

    @Nested
    class Feedbacks extends SerializerTestBase<Feedback> {
        @Override
        protected TypeSerializer<Feedback> createSerializer() {
            return new FieldByFieldSerializer.Feedbacks();
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<Feedback> getTypeClass() {
            return Feedback.class;
        }

        @Override
        protected Feedback[] getTestData() {
            return FEEDBACK;
        }
    }

    @Test
    void carriesTheRecordsAvroBytesAfterTheirLength() throws Exception {
        assertAvroBytes(
                new FieldByFieldSerializer.Predictions(),
                new AvroBinary<>(Prediction.class),
                PREDICTIONS);
        assertAvroBytes(
                new FieldByFieldSerializer.Feedbacks(), new AvroBinary<>(Feedback.class), FEEDBACK);
    }

    @Test
    void typeInformationCreatesTheSerializers() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        assertThat(FieldByFieldTypeInfo.PREDICTIONS.createSerializer(config))
                .isInstanceOf(FieldByFieldSerializer.Predictions.class);
        assertThat(FieldByFieldTypeInfo.FEEDBACK.createSerializer(config))
                .isInstanceOf(FieldByFieldSerializer.Feedbacks.class);
        assertThat(FieldByFieldTypeInfo.PREDICTIONS).isNotEqualTo(FieldByFieldTypeInfo.FEEDBACK);
    }

    private static <T extends SpecificRecordBase> void assertAvroBytes(
            TypeSerializer<T> ours, AvroBinary<T> avro, T[] records) throws Exception {
        for (T r : records) {
            DataOutputSerializer b = new DataOutputSerializer(64);
            ours.serialize(r, b);
            DataInputDeserializer in = new DataInputDeserializer(b.getCopyOfBuffer());
            int length = in.readInt();
            assertThat(length).isEqualTo(b.length() - Integer.BYTES);
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            assertThat(bytes).as("%s", r).isEqualTo(avro.encode(r));
        }
    }
}
