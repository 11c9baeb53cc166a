package io.hindsight.sim;

import org.apache.avro.generic.GenericRecord;

/** Turns a record into the bytes of a Kafka record value, in the topic's wire format. */
@FunctionalInterface
public interface RecordEncoder {

    /** Encodes {@code record} for {@code topic}; the same input always yields the same bytes. */
    byte[] encode(String topic, GenericRecord record);
}
