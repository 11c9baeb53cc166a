package io.hindsight.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic as a {@code read_committed} consumer sees it: committed records only. */
final class CommittedTopic {

    private CommittedTopic() {}

    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // For read_committed, the end offsets are the last stable offsets: every transaction
            // before them is decided, so reading up to them sees all committed records.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + topic + " up to " + end + " within 60 s");
                }
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Waits until the consumer group has committed offsets at the end of every partition of the
     * topics. A Flink Kafka source commits on checkpoint completion, so by then a checkpoint
     * covering every record has completed. Fails if the job ends first or the time runs out.
     */
    static void awaitConsumed(
            String bootstrap,
            String groupId,
            List<String> topics,
            org.apache.flink.core.execution.JobClient job,
            java.time.Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(
                        io.hindsight.kafka.ClientTimeouts.admin(bootstrap))) {
            java.util.Map<org.apache.kafka.common.TopicPartition, Long> ends =
                    io.hindsight.kafka.ConsumerGroupProgress.endOffsets(admin, topics);
            while (true) {
                boolean all =
                        io.hindsight.kafka.ConsumerGroupProgress.atEnd(
                                io.hindsight.kafka.ConsumerGroupProgress.committedOffsets(
                                        admin, groupId),
                                ends);
                if (all) {
                    return;
                }
                if (job.getJobStatus().get().isGloballyTerminalState()) {
                    job.getJobExecutionResult().get();
                    throw new IllegalStateException("the job ended before consuming its input");
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the job did not consume its input within " + timeout);
                }
                Thread.sleep(500);
            }
        }
    }
}
