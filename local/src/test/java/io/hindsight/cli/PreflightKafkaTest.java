package io.hindsight.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.cli.Hindsight.UserError;
import io.hindsight.embedded.KafkaBrokerProcess;
import io.hindsight.spec.KafkaSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka preflight check against a real broker: present topics pass, missing ones are named. */
class PreflightKafkaTest {

    @TempDir static Path dir;
    static KafkaBrokerProcess broker;

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBrokerProcess.start(dir.resolve("kafka"));
        broker.createTopics(Map.of("predictions", 1));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void presentTopicsPassAndMissingOnesAreNamed() {
        KafkaSpec kafka = new KafkaSpec(broker.bootstrapServers(), "g", Map.of(), null);
        Duration timeout = Duration.ofSeconds(30);
        Preflight.kafka(kafka, List.of("predictions"), timeout);
        assertThatThrownBy(
                        () ->
                                Preflight.kafka(
                                        kafka, List.of("predictions", "feedback", "fb2"), timeout))
                .isInstanceOf(UserError.class)
                .hasMessage(
                        "Kafka at "
                                + broker.bootstrapServers()
                                + " has no topic 'feedback', 'fb2' — create it, or check"
                                + " inputs.predictions.topic and inputs.feedback.topic");
    }
}
