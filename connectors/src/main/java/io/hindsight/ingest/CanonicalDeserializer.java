package io.hindsight.ingest;

import io.hindsight.registry.DecodeException;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.InputStream;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.FeedbackInput;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.PredictionInput;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads one input topic: decodes each Kafka record and maps it onto a canonical event, or, when
 * that fails, onto a {@link DeadLetter} with the original bytes, where it came from and why.
 *
 * <p>Decoding happens in the source so that watermarks are generated per Kafka partition from the
 * mapped event time. Nothing is dropped: every record read leaves as a {@code Right} event or a
 * {@code Left} dead letter.
 */
public final class CanonicalDeserializer<T>
        implements KafkaRecordDeserializationSchema<Either<DeadLetter, T>> {

    private static final long serialVersionUID = 1L;

    /** Maps a decoded record; the raw bytes and Kafka timestamp are there for ids and checks. */
    @FunctionalInterface
    public interface Mapper<T> extends Serializable {
        T map(Object tree, byte[] raw, long kafkaTimestamp) throws MappingException;
    }

    private final String application;
    private final InputStream stream;
    private final InputDecoder.Factory decoderFactory;
    private final Mapper<T> mapper;
    private final Class<T> type;
    private transient InputDecoder decoder;

    public CanonicalDeserializer(
            String application,
            InputStream stream,
            InputDecoder.Factory decoderFactory,
            Mapper<T> mapper,
            Class<T> type) {
        this.application = application;
        this.stream = stream;
        this.decoderFactory = decoderFactory;
        this.mapper = mapper;
        this.type = type;
    }

    public static CanonicalDeserializer<Prediction> predictions(
            JobSpec spec, RegistryConfig registry) {
        PredictionInput in = spec.inputs().predictions();
        PredictionMapper mapper = new PredictionMapper(spec.application(), spec.inputs());
        return new CanonicalDeserializer<>(
                spec.application(),
                InputStream.PREDICTIONS,
                InputDecoder.factory(in.format(), in.schemaFile(), registry),
                (tree, raw, ts) -> mapper.map(tree, ts),
                Prediction.class);
    }

    public static CanonicalDeserializer<Feedback> feedback(JobSpec spec, RegistryConfig registry) {
        FeedbackInput in = spec.inputs().feedback();
        FeedbackMapper mapper = new FeedbackMapper(spec.application(), spec.inputs());
        return new CanonicalDeserializer<>(
                spec.application(),
                InputStream.FEEDBACK,
                InputDecoder.factory(in.format(), in.schemaFile(), registry),
                mapper::map,
                Feedback.class);
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        decoder = decoderFactory.create();
    }

    @Override
    public void deserialize(
            ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, T>> out) {
        out.collect(apply(record));
    }

    /** Decodes and maps one record; never throws for bad input. */
    public Either<DeadLetter, T> apply(ConsumerRecord<byte[], byte[]> record) {
        if (decoder == null) {
            decoder = decoderFactory.create();
        }
        byte[] value = record.value();
        if (value == null) {
            return Either.Left(
                    deadLetter(
                            record,
                            MappingException.NO_VALUE,
                            "the record has no value (a Kafka tombstone); Hindsight reads"
                                    + " events, not compacted-topic deletes"));
        }
        try {
            Object tree = decoder.decode(value);
            return Either.Right(mapper.map(tree, value, record.timestamp()));
        } catch (DecodeException e) {
            return Either.Left(deadLetter(record, e.code(), e.getMessage()));
        } catch (MappingException e) {
            return Either.Left(deadLetter(record, e.code(), e.getMessage()));
        }
    }

    private DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, String code, String why) {
        return DeadLetter.newBuilder()
                .setApplication(application)
                .setSourceTopic(record.topic())
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .setSourceTimestamp(
                        record.timestamp() < 0 ? null : Instant.ofEpochMilli(record.timestamp()))
                .setStream(stream)
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setErrorCode(code)
                .setReason(why)
                .build();
    }

    @Override
    public TypeInformation<Either<DeadLetter, T>> getProducedType() {
        return new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), typeInfo(type));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T> TypeInformation<T> typeInfo(Class<T> type) {
        return (TypeInformation<T>) new AvroTypeInfo(type);
    }
}
