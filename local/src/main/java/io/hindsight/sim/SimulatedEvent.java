package io.hindsight.sim;

import java.util.Arrays;
import java.util.Objects;
import org.apache.avro.generic.GenericRecord;

/**
 * One Kafka record the simulated payment system sends, with the ground truth a test needs.
 *
 * @param sequence position in the stream (0, 1, 2, ...): the order of arrival
 * @param kind what the record is
 * @param topic which of the two topics it goes to
 * @param key the Kafka record key: the payment request id (prediction and feedback alike)
 * @param payload the Avro record, or raw bytes for garbage
 * @param timestampMillis the Kafka record timestamp: the event time in epoch milliseconds
 * @param truth what the simulator knows about the record
 */
public record SimulatedEvent(
        long sequence,
        Kind kind,
        TopicRole topic,
        String key,
        Payload payload,
        long timestampMillis,
        Truth truth) {

    public SimulatedEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(truth, "truth");
    }

    /** What a record is. */
    public enum Kind {
        PREDICTION,
        FEEDBACK,
        MALFORMED
    }

    /** The two input topics of an application. */
    public enum TopicRole {
        PREDICTIONS,
        FEEDBACK
    }

    /** How a malformed record is broken. */
    public enum Malformation {
        NONE,
        /** Bytes that are not Avro of the topic's schema. */
        GARBAGE_BYTES,
        /**
         * A valid record whose join key ({@code request.id} / {@code payment_request_id}) is "".
         */
        EMPTY_ID,
        /** A valid record whose event time lies about 200 years in the future. */
        FUTURE_TIMESTAMP
    }

    /** The record's value: an Avro record to encode, or bytes to send as they are. */
    public sealed interface Payload permits AvroPayload, RawPayload {}

    /** An Avro record of the topic's schema. */
    public record AvroPayload(GenericRecord record) implements Payload {
        public AvroPayload {
            Objects.requireNonNull(record, "record");
        }
    }

    /** Bytes sent as they are. */
    public record RawPayload(byte[] bytes) implements Payload {
        public RawPayload {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RawPayload other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "RawPayload[" + bytes.length + " bytes]";
        }
    }

    /**
     * Ground truth, for tests and for the embedded demo's final report.
     *
     * @param paymentId the payment the record is about (for an empty-id record: the id it should
     *     have carried)
     * @param fraud whether the payment is actually fraud (for feedback: what it reports)
     * @param modelVersion the model version that scored the payment ("" for orphan feedback and
     *     garbage)
     * @param duplicate whether this record is an exact re-send of the previous record with the same
     *     {@code paymentId} and kind
     * @param beforePrediction feedback only: it arrives before its prediction
     * @param orphan feedback only: no prediction exists for its payment
     * @param malformation how the record is broken ({@code NONE} unless kind is MALFORMED)
     */
    public record Truth(
            String paymentId,
            boolean fraud,
            String modelVersion,
            boolean duplicate,
            boolean beforePrediction,
            boolean orphan,
            Malformation malformation) {}

    /** The Avro record, for events whose payload is one. */
    public GenericRecord record() {
        if (payload instanceof AvroPayload avro) {
            return avro.record();
        }
        throw new IllegalStateException("event " + sequence + " carries raw bytes, not a record");
    }
}
