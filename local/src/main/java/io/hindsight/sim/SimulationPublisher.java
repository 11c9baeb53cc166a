package io.hindsight.sim;

import io.hindsight.kafka.ClientTimeouts;
import io.hindsight.sim.SimulatedEvent.AvroPayload;
import io.hindsight.sim.SimulatedEvent.RawPayload;
import io.hindsight.sim.SimulatedEvent.TopicRole;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes simulated events to the predictions and feedback topics as fast as the broker takes them:
 * one idempotent producer ({@code acks=all}), large batches with a short linger, record timestamps
 * set to the events' event time, keys set to the payment id (so a payment's records stay in one
 * partition, in order). Timeouts and retries are {@link ClientTimeouts}': a slow broker slows the
 * publisher down (its bounded buffer blocks {@code send}) instead of expiring records.
 */
public final class SimulationPublisher {

    /** How often (in events) progress is reported, besides once at the end. */
    public static final int PROGRESS_EVERY = 1_000;

    private final String bootstrapServers;
    private final String predictionsTopic;
    private final String feedbackTopic;
    private final RecordEncoder encoder;

    /** Receives progress: events handed to the producer so far, and the simulated time reached. */
    @FunctionalInterface
    public interface Progress {
        void report(long eventsSent, Instant simulatedTime);
    }

    /**
     * What was written.
     *
     * @param predictionsTopicRecords records written to the predictions topic (malformed included)
     * @param feedbackTopicRecords records written to the feedback topic (malformed included)
     * @param malformedRecords malformed records among them
     * @param simulatedUntil timestamp of the last event sent, or the epoch if none was
     */
    public record Summary(
            long predictionsTopicRecords,
            long feedbackTopicRecords,
            long malformedRecords,
            Instant simulatedUntil) {

        public long totalRecords() {
            return predictionsTopicRecords + feedbackTopicRecords;
        }
    }

    public SimulationPublisher(
            String bootstrapServers,
            String predictionsTopic,
            String feedbackTopic,
            RecordEncoder encoder) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.predictionsTopic = Objects.requireNonNull(predictionsTopic, "predictionsTopic");
        this.feedbackTopic = Objects.requireNonNull(feedbackTopic, "feedbackTopic");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
    }

    /**
     * Sends every event, waits until the broker has acknowledged all of them, and returns what was
     * written.
     *
     * @throws KafkaException if any record could not be written (with the first failure as its
     *     cause); sending stops at the first failure
     */
    public Summary publish(Iterable<SimulatedEvent> events, Progress progress) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long predictions = 0;
        long feedback = 0;
        long malformed = 0;
        long lastTimestamp = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (SimulatedEvent event : events) {
                if (failure.get() != null) {
                    break;
                }
                String topic =
                        event.topic() == TopicRole.PREDICTIONS ? predictionsTopic : feedbackTopic;
                byte[] value =
                        event.payload() instanceof AvroPayload avro
                                ? encoder.encode(topic, avro.record())
                                : ((RawPayload) event.payload()).bytes();
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                null,
                                event.timestampMillis(),
                                event.key().getBytes(StandardCharsets.UTF_8),
                                value),
                        (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                if (event.topic() == TopicRole.PREDICTIONS) {
                    predictions++;
                } else {
                    feedback++;
                }
                if (event.kind() == SimulatedEvent.Kind.MALFORMED) {
                    malformed++;
                }
                lastTimestamp = event.timestampMillis();
                long sent = predictions + feedback;
                if (sent % PROGRESS_EVERY == 0) {
                    progress.report(sent, Instant.ofEpochMilli(lastTimestamp));
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new KafkaException(
                    "Could not write the simulation to " + bootstrapServers, failure.get());
        }
        Summary summary =
                new Summary(predictions, feedback, malformed, Instant.ofEpochMilli(lastTimestamp));
        progress.report(summary.totalRecords(), summary.simulatedUntil());
        return summary;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "hindsight-simulator");
        return new KafkaProducer<>(
                ClientTimeouts.producer(props),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }
}
