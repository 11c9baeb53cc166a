package io.hindsight.spec;

import java.io.Serializable;
import java.util.Map;

/**
 * The Kafka cluster of the inputs and outputs. {@code properties} pass through to every client
 * (SASL, SSL, ...); {@code schemaRegistry} is null when no registry is configured.
 */
public record KafkaSpec(
        String bootstrapServers,
        String groupId,
        Map<String, String> properties,
        SchemaRegistrySpec schemaRegistry)
        implements Serializable {

    public KafkaSpec {
        properties = Collections2.map(properties);
    }
}
