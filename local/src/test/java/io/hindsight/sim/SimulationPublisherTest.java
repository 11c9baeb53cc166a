package io.hindsight.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.embedded.KafkaBrokerProcess;
import io.hindsight.sim.SimulatedEvent.Kind;
import io.hindsight.sim.SimulatedEvent.TopicRole;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulationPublisherTest {

    @TempDir Path tempDir;

    @Test
    void publishesEverySimulatedRecordToItsTopic() throws IOException {
        FraudSimulator simulator =
                new FraudSimulator(
                        SimulationPlan.defaults(
                                21, Instant.parse("2026-03-02T00:00:00Z"), Duration.ofDays(2), 200),
                        FraudSchemas.load(FraudSimulatorTest.exampleDir()));
        // Expected records per topic, computed from the events: key|timestamp|value.
        PlainAvroEncoder encoder = new PlainAvroEncoder();
        Map<TopicRole, List<String>> expected = new HashMap<>();
        long malformed = 0;
        for (SimulatedEvent e : simulator) {
            expected.computeIfAbsent(e.topic(), t -> new ArrayList<>())
                    .add(
                            fingerprint(
                                    e.key().getBytes(),
                                    e.timestampMillis(),
                                    FraudSimulatorTest.bytes(encoder, e)));
            malformed += e.kind() == Kind.MALFORMED ? 1 : 0;
        }

        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(tempDir.resolve("kafka"))) {
            broker.createTopics(Map.of("fraud-scores", 2, "chargebacks", 2));
            List<Long> progress = new ArrayList<>();
            SimulationPublisher publisher =
                    new SimulationPublisher(
                            broker.bootstrapServers(),
                            "fraud-scores",
                            "chargebacks",
                            new PlainAvroEncoder());

            SimulationPublisher.Summary summary =
                    publisher.publish(simulator, (sent, simulatedTime) -> progress.add(sent));

            int predictions = expected.get(TopicRole.PREDICTIONS).size();
            int feedback = expected.get(TopicRole.FEEDBACK).size();
            assertThat(summary.predictionsTopicRecords()).isEqualTo(predictions);
            assertThat(summary.feedbackTopicRecords()).isEqualTo(feedback);
            assertThat(summary.malformedRecords()).isEqualTo(malformed);
            assertThat(progress).isNotEmpty().isSorted();
            assertThat(progress.get(progress.size() - 1)).isEqualTo(predictions + feedback);

            assertThat(consume(broker.bootstrapServers(), "fraud-scores", predictions))
                    .containsExactlyInAnyOrderElementsOf(expected.get(TopicRole.PREDICTIONS));
            assertThat(consume(broker.bootstrapServers(), "chargebacks", feedback))
                    .containsExactlyInAnyOrderElementsOf(expected.get(TopicRole.FEEDBACK));
        }
    }

    private static String fingerprint(byte[] key, long timestamp, byte[] value) {
        Base64.Encoder b64 = Base64.getEncoder();
        return b64.encodeToString(key) + "|" + timestamp + "|" + b64.encodeToString(value);
    }

    private static List<String> consume(String bootstrap, String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "publisher-test-" + topic);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        List<String> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            // Read until the expected count, then one more poll to catch any extra record; the
            // deadline only guards against a hang.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int emptyPollsAfterExpected = 0;
            while (System.nanoTime() < deadline && emptyPollsAfterExpected < 2) {
                int before = records.size();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    records.add(fingerprint(r.key(), r.timestamp(), r.value()));
                }
                if (records.size() >= expected && records.size() == before) {
                    emptyPollsAfterExpected++;
                }
            }
        }
        return records;
    }
}
