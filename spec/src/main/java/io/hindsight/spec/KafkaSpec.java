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

    /** Never shows a secret: specs end up in logs and exception messages ({@link SpecSecrets}). */
    @Override
    public String toString() {
        return "KafkaSpec[bootstrapServers="
                + SpecSecrets.maskUrl(bootstrapServers)
                + ", groupId="
                + groupId
                + ", properties="
                + SpecSecrets.masked(properties)
                + ", schemaRegistry="
                + schemaRegistry
                + "]";
    }
}
