package io.hindsight.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.kafka.ClientTimeouts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessTest {

    @TempDir Path tempDir;

    @Test
    void runsARealBrokerInItsOwnProcessAndStopsIt() throws Exception {
        long pid;
        int port;
        Path dataDir = tempDir.resolve("kafka");
        KafkaBrokerProcess broker = KafkaBrokerProcess.start(dataDir);
        try {
            pid = broker.pid();
            port = broker.port();
            assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            assertThat(handle).isPresent();
            assertThat(handle.get().isAlive()).isTrue();
            assertThat(handle.get().info().commandLine().orElse("kafka.Kafka"))
                    .contains("kafka.Kafka");
            assertThat(accepts(port)).isTrue();
            assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            assertThat(Files.readString(dataDir.resolve("broker.pid")).strip())
                    .isEqualTo(String.valueOf(pid));

            broker.createTopics(Map.of("payments", 3));
            // Idempotent: a second call with an existing topic and a new one succeeds.
            broker.createTopics(Map.of("payments", 3, "chargebacks", 1));
            try (Admin admin = admin(broker.bootstrapServers())) {
                Map<String, TopicDescription> topics =
                        admin.describeTopics(Set.of("payments", "chargebacks"))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS);
                assertThat(topics.get("payments").partitions()).hasSize(3);
                assertThat(topics.get("chargebacks").partitions()).hasSize(1);
            }

            List<String> sent = List.of("a", "b", "c", "d", "e");
            try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
                for (String value : sent) {
                    producer.send(new ProducerRecord<>("payments", value, "payment-" + value))
                            .get(30, TimeUnit.SECONDS);
                }
            }
            assertThat(consumeValues(broker.bootstrapServers(), "payments", sent.size()))
                    .containsExactlyInAnyOrder(
                            "payment-a", "payment-b", "payment-c", "payment-d", "payment-e");
        } finally {
            broker.close();
        }

        assertThat(broker.isAlive()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                .isNotEqualTo(Optional.of(true));
        assertThat(accepts(port)).isFalse();
        // Closing twice is harmless.
        broker.close();
        assertThat(Files.readString(dataDir.resolve("broker.log"))).isNotEmpty();
    }

    @Test
    void refusesToStartOverExistingBrokerData() throws IOException {
        Path dataDir = tempDir.resolve("used");
        Files.createDirectories(dataDir.resolve("kafka-logs"));

        assertThatThrownBy(() -> KafkaBrokerProcess.start(dataDir))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Kafka data directory "
                                + dataDir.resolve("kafka-logs").toAbsolutePath()
                                + " already exists; start the broker in an empty directory");
    }

    @Test
    void missingClasspathSaysToBuildFirst() {
        String home = System.getProperty(KafkaBrokerProcess.HOME_PROPERTY);
        String classpath = System.getProperty(KafkaBrokerProcess.CLASSPATH_PROPERTY);
        System.setProperty(KafkaBrokerProcess.HOME_PROPERTY, tempDir.toString());
        System.clearProperty(KafkaBrokerProcess.CLASSPATH_PROPERTY);
        try {
            assertThatThrownBy(() -> KafkaBrokerProcess.start(tempDir.resolve("kafka")))
                    .isInstanceOf(IOException.class)
                    .hasMessage(
                            "Kafka broker classpath not found: "
                                    + tempDir.resolve("local/embedded/target/broker.classpath")
                                    + " does not exist; run mvn package first (cd "
                                    + tempDir
                                    + " && mvn -q -B -pl local/embedded package), or set"
                                    + " -Dhindsight.broker.classpath");
        } finally {
            restore(KafkaBrokerProcess.HOME_PROPERTY, home);
            restore(KafkaBrokerProcess.CLASSPATH_PROPERTY, classpath);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Admin admin(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(ClientTimeouts.admin(props));
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(
                ClientTimeouts.producer(props), new StringSerializer(), new StringSerializer());
    }

    private static List<String> consumeValues(String bootstrap, String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "broker-test");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            // Safety net against a hang only; the assertion is on the values read.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
