package io.hindsight.sim;

import io.hindsight.registry.ConfluentAvroEncoder;
import io.hindsight.registry.SchemaRegistryClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.generic.GenericRecord;

/**
 * Encodes records in the Confluent wire format through a schema registry, under each topic's {@code
 * <topic>-value} subject: what a producer with Confluent's serializer writes. One {@link
 * ConfluentAvroEncoder} per topic, made on first use (it registers or looks up the schema then).
 */
public final class ConfluentRecordEncoder implements RecordEncoder {

    private final SchemaRegistryClient registry;
    private final Map<String, ConfluentAvroEncoder> byTopic = new ConcurrentHashMap<>();

    public ConfluentRecordEncoder(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public byte[] encode(String topic, GenericRecord record) {
        return byTopic.computeIfAbsent(topic, t -> ConfluentAvroEncoder.forTopicValue(registry, t))
                .encode(record);
    }
}
