package io.hindsight.kafka;

import io.hindsight.registry.ConfluentAvroEncoder;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.schemas.AvroBinary;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes Hindsight's Avro records to a Kafka topic: in the Confluent wire format, registered under
 * {@code <topic>-value}, when the spec names a schema registry; as plain Avro binary otherwise (the
 * schema is in the hindsight-schemas jar). The key bytes are chosen per record type.
 */
public final class AvroRecordSerializer<T extends SpecificRecordBase>
        implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final RegistryConfig registry;
    private final SerializableFunction<T, byte[]> key;

    private transient ConfluentAvroEncoder framed;
    private transient AvroBinary<T> plain;

    public AvroRecordSerializer(
            String topic, RegistryConfig registry, SerializableFunction<T, byte[]> key) {
        this.topic = topic;
        this.registry = registry;
        this.key = key;
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        if (registry != null) {
            framed = ConfluentAvroEncoder.forTopicValue(registry.create(), topic);
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T record, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, key.apply(record), encode(record));
    }

    @SuppressWarnings("unchecked")
    private byte[] encode(T record) {
        if (framed != null) {
            return framed.encode(record);
        }
        if (plain == null) {
            plain = new AvroBinary<>((Class<T>) record.getClass());
        }
        return plain.encode(record);
    }
}
