package io.hindsight.join;

import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Prediction;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of prediction and feedback streams between the sources and the join, serialized by
 * {@link FieldByFieldSerializer}.
 */
public final class FieldByFieldTypeInfo<T> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    public static final FieldByFieldTypeInfo<Prediction> PREDICTIONS =
            new FieldByFieldTypeInfo<>(Prediction.class);
    public static final FieldByFieldTypeInfo<Feedback> FEEDBACK =
            new FieldByFieldTypeInfo<>(Feedback.class);

    private final Class<T> type;

    private FieldByFieldTypeInfo(Class<T> type) {
        this.type = type;
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return (TypeSerializer<T>)
                (type == Prediction.class
                        ? new FieldByFieldSerializer.Predictions()
                        : new FieldByFieldSerializer.Feedbacks());
    }

    @Override
    public String toString() {
        return type.getSimpleName() + " (Avro binary, field by field)";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FieldByFieldTypeInfo<?> other && other.type == type;
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof FieldByFieldTypeInfo;
    }
}
