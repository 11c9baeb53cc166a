package io.hindsight.join;

import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.FeedbackBinary;
import io.hindsight.schemas.FieldByFieldAvro;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.PredictionBinary;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for predictions and feedback on the job's network edges: the record's Avro
 * binary encoding, written by {@link FieldByFieldAvro}, after its length. Flink's {@code
 * AvroSerializer} walks the schema with Avro's datum writer and reader for every record, through an
 * encoder that calls the output view once per field and writes fixed-width ints and longs (so its
 * bytes are not Avro's binary encoding, and are longer); on the edges into the join that walk was
 * most of the network deserialization in the join thread's profile (BENCHMARKS.md).
 *
 * <p>For streams, not for keyed state (the join keeps its own layout, {@link JoinState}). Stateful
 * (its codec and read buffer), so {@link #duplicate} returns a new instance, as Flink requires of a
 * serializer that is not thread-safe.
 */
public abstract sealed class FieldByFieldSerializer<T> extends TypeSerializer<T> {

    private static final long serialVersionUID = 1L;

    private transient FieldByFieldAvro<T> codec;
    private transient byte[] buffer;

    private FieldByFieldSerializer() {}

    /** A new codec for this serializer's own use. */
    abstract FieldByFieldAvro<T> newCodec();

    /** Predictions: {@link PredictionBinary}. */
    public static final class Predictions extends FieldByFieldSerializer<Prediction> {
        private static final long serialVersionUID = 1L;

        @Override
        FieldByFieldAvro<Prediction> newCodec() {
            return new PredictionBinary();
        }

        @Override
        public Prediction createInstance() {
            return new Prediction();
        }

        @Override
        public TypeSerializer<Prediction> duplicate() {
            return new Predictions();
        }

        @Override
        public TypeSerializerSnapshot<Prediction> snapshotConfiguration() {
            return new PredictionsSnapshot();
        }
    }

    /** Feedback: {@link FeedbackBinary}. */
    public static final class Feedbacks extends FieldByFieldSerializer<Feedback> {
        private static final long serialVersionUID = 1L;

        @Override
        FieldByFieldAvro<Feedback> newCodec() {
            return new FeedbackBinary();
        }

        @Override
        public Feedback createInstance() {
            return new Feedback();
        }

        @Override
        public TypeSerializer<Feedback> duplicate() {
            return new Feedbacks();
        }

        @Override
        public TypeSerializerSnapshot<Feedback> snapshotConfiguration() {
            return new FeedbacksSnapshot();
        }
    }

    /** No configuration: the format is fixed by the schema {@link PredictionBinary} is bound to. */
    public static final class PredictionsSnapshot extends SimpleTypeSerializerSnapshot<Prediction> {
        public PredictionsSnapshot() {
            super(Predictions::new);
        }
    }

    /** No configuration: the format is fixed by the schema {@link FeedbackBinary} is bound to. */
    public static final class FeedbacksSnapshot extends SimpleTypeSerializerSnapshot<Feedback> {
        public FeedbacksSnapshot() {
            super(Feedbacks::new);
        }
    }

    private FieldByFieldAvro<T> codec() {
        if (codec == null) {
            codec = newCodec();
        }
        return codec;
    }

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    /** A deep copy: encoded and decoded again. */
    @Override
    public final T copy(T from) {
        FieldByFieldAvro<T> c = codec();
        int length = c.write(from); // first: it may replace the buffer
        return c.decode(c.written(), length);
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final void serialize(T record, DataOutputView target) throws IOException {
        FieldByFieldAvro<T> c = codec();
        int length = c.write(record);
        target.writeInt(length);
        target.write(c.written(), 0, length);
    }

    @Override
    public final T deserialize(DataInputView source) throws IOException {
        int length = source.readInt();
        if (buffer == null || buffer.length < length) {
            buffer = new byte[Math.max(length, buffer == null ? 256 : buffer.length * 2)];
        }
        source.readFully(buffer, 0, length);
        return codec().decode(buffer, length);
    }

    @Override
    public final T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        int length = source.readInt();
        target.writeInt(length);
        target.write(source, length);
    }

    @Override
    public final boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "(Avro binary, field by field)";
    }
}
