package io.hindsight.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a consumer group has come through topics: their end offsets against the group's committed
 * offsets. A Flink Kafka source commits its offsets when a checkpoint completes, so a group at the
 * end of its topics means a completed checkpoint covers every record read.
 */
public final class ConsumerGroupProgress {

    private ConsumerGroupProgress() {}

    /** The current end offset of every partition of the topics. */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<String> topics)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (var topic : admin.describeTopics(topics).allTopicNames().get().values()) {
            topic.partitions()
                    .forEach(
                            p ->
                                    request.put(
                                            new TopicPartition(topic.name(), p.partition()),
                                            OffsetSpec.latest()));
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, r) -> ends.put(tp, r.offset()));
        return ends;
    }

    /** The group's committed offset per partition (partitions it never committed are absent). */
    public static Map<TopicPartition, Long> committedOffsets(Admin admin, String groupId)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> raw =
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
        raw.forEach((tp, o) -> offsets.put(tp, o == null ? 0 : o.offset()));
        return offsets;
    }

    /** Records behind the committed offsets, counting each partition up to its end only. */
    public static long consumed(
            Map<TopicPartition, Long> committed, Map<TopicPartition, Long> ends) {
        long done = 0;
        for (var e : ends.entrySet()) {
            done += Math.min(committed.getOrDefault(e.getKey(), 0L), e.getValue());
        }
        return done;
    }

    /** Whether every partition's committed offset has reached its end. */
    public static boolean atEnd(
            Map<TopicPartition, Long> committed, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream()
                .allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }
}
