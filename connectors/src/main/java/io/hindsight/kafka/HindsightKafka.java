package io.hindsight.kafka;

import io.hindsight.registry.RegistryConfig;
import io.hindsight.spec.KafkaSpec;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Kafka sources and exactly-once sinks for Hindsight's jobs, configured from the spec. */
public final class HindsightKafka {

    /**
     * Kafka transactions must outlive the longest checkpoint interval plus recovery, and brokers
     * refuse anything above their transaction.max.timeout.ms (15 minutes by default).
     */
    static final String TRANSACTION_TIMEOUT_MS = "900000";

    private HindsightKafka() {}

    public static <T> KafkaSource<T> source(
            KafkaSpec kafka,
            String topic,
            OffsetsInitializer startingOffsets,
            OffsetsInitializer stoppingOffsets,
            KafkaRecordDeserializationSchema<T> deserializer) {
        Properties props = KafkaConnections.clientProperties(kafka);
        // Commit offsets on checkpoints so that operators can see progress; recovery itself
        // always uses the offsets in Flink's checkpoint.
        props.setProperty("commit.offsets.on.checkpoint", "true");
        var builder =
                KafkaSource.<T>builder()
                        .setProperties(props)
                        .setTopics(topic)
                        .setGroupId(kafka.groupId())
                        .setStartingOffsets(startingOffsets)
                        .setDeserializer(deserializer);
        if (stoppingOffsets != null) {
            builder.setBounded(stoppingOffsets);
        }
        return builder.build();
    }

    /**
     * An exactly-once Kafka sink of Avro records (Confluent framing when a registry is configured,
     * plain Avro otherwise): records become visible to read_committed consumers on commit.
     */
    public static <T extends SpecificRecordBase> KafkaSink<T> exactlyOnceSink(
            KafkaSpec kafka,
            String topic,
            RegistryConfig registry,
            SerializableFunction<T, byte[]> key,
            String transactionalIdPrefix) {
        return exactlyOnceSink(
                kafka, new AvroRecordSerializer<>(topic, registry, key), transactionalIdPrefix);
    }

    /** An exactly-once Kafka sink with the given record serializer (e.g. JSON for alerts). */
    public static <T> KafkaSink<T> exactlyOnceSink(
            KafkaSpec kafka,
            KafkaRecordSerializationSchema<T> serializer,
            String transactionalIdPrefix) {
        Properties props = KafkaConnections.clientProperties(kafka);
        props.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(props)
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
    }
}
