package io.hindsight.kafka;

import io.hindsight.registry.RegistryConfig;
import io.hindsight.spec.KafkaSpec;
import io.hindsight.spec.SchemaRegistrySpec;
import io.hindsight.spec.StartingOffsets;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Kafka client settings from the spec: every user property passes through unchanged. */
public final class KafkaConnections {

    private KafkaConnections() {}

    /** The spec's client properties plus bootstrap servers; SASL/SSL settings are among them. */
    public static Properties clientProperties(KafkaSpec kafka) {
        Properties p = new Properties();
        p.putAll(kafka.properties());
        p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return p;
    }

    /** The registry client configuration, or null when the spec names no registry. */
    public static RegistryConfig registry(KafkaSpec kafka) {
        SchemaRegistrySpec r = kafka.schemaRegistry();
        if (r == null) {
            return null;
        }
        return new RegistryConfig(r.url(), r.username(), r.password(), r.properties());
    }

    public static OffsetsInitializer startingOffsets(StartingOffsets startingOffsets) {
        return switch (startingOffsets) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }
}
