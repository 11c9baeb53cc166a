package io.hindsight.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes Avro records ({@link org.apache.avro.generic.GenericRecord} or {@link SpecificRecord})
 * into Confluent-framed bytes, registering each record schema under the encoder's subject once and
 * reusing its id. Used by the simulator and tests to produce what a team's producers would.
 *
 * <p>Not thread-safe: it reuses one buffer and encoder.
 */
public final class ConfluentAvroEncoder {

    private final SchemaRegistryClient registry;
    private final String subject;
    private final Map<Schema, Integer> ids = new HashMap<>();
    private final Map<Schema, DatumWriter<IndexedRecord>> writers = new HashMap<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private BinaryEncoder encoder;

    public ConfluentAvroEncoder(SchemaRegistryClient registry, String subject) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.subject = Objects.requireNonNull(subject, "subject");
    }

    /**
     * An encoder for a topic's values under the TopicNameStrategy: subject {@code <topic>-value}.
     */
    public static ConfluentAvroEncoder forTopicValue(SchemaRegistryClient registry, String topic) {
        return new ConfluentAvroEncoder(registry, topic + "-value");
    }

    public String subject() {
        return subject;
    }

    /**
     * Returns the framed bytes of {@code record}.
     *
     * @throws SchemaRegistryException if the schema cannot be registered
     */
    public byte[] encode(IndexedRecord record) {
        Schema schema = record.getSchema();
        Integer id = ids.get(schema);
        if (id == null) {
            id = registry.register(subject, schema);
            ids.put(schema, id);
        }
        DatumWriter<IndexedRecord> writer =
                writers.computeIfAbsent(
                        schema,
                        s ->
                                record instanceof SpecificRecord
                                        ? new SpecificDatumWriter<>(s)
                                        : new GenericDatumWriter<>(s));
        buffer.reset();
        try {
            ConfluentWireFormat.writeHeader(buffer, id);
            encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a record in memory", e);
        }
        return buffer.toByteArray();
    }
}
