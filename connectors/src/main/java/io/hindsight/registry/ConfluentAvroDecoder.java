package io.hindsight.registry;

import java.io.EOFException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes Confluent-framed Avro records into {@link GenericRecord}s, fetching each writer schema
 * from the registry by the id in the record's header.
 *
 * <p>Without a reader schema, records come out in their writer schema. With one, every writer
 * schema is resolved to it by Avro's schema resolution, so records of all versions come out alike.
 *
 * <p>Every failure is a {@link DecodeException} with one of the codes {@link
 * DecodeException#NOT_CONFLUENT_FRAMED}, {@link DecodeException#UNKNOWN_SCHEMA_ID}, {@link
 * DecodeException#CORRUPT_AVRO}, {@link DecodeException#INCOMPATIBLE_SCHEMA} or {@link
 * DecodeException#REGISTRY_UNAVAILABLE}.
 *
 * <p>Not thread-safe: it reuses one {@link BinaryDecoder}. Create one per operator instance, in
 * {@code open()}.
 */
public final class ConfluentAvroDecoder {

    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
    private BinaryDecoder decoder;

    /** Decodes records in their writer schemas. */
    public ConfluentAvroDecoder(SchemaRegistryClient registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.readerSchema = null;
    }

    /** Decodes records resolved to {@code readerSchema}. */
    public ConfluentAvroDecoder(SchemaRegistryClient registry, Schema readerSchema) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.readerSchema = Objects.requireNonNull(readerSchema, "readerSchema");
    }

    /** Decodes one framed record. */
    public GenericRecord decode(byte[] record) throws DecodeException {
        int schemaId;
        try {
            schemaId = ConfluentWireFormat.schemaId(record);
        } catch (WireFormatException e) {
            throw new DecodeException(DecodeException.NOT_CONFLUENT_FRAMED, e.getMessage(), e);
        }
        GenericDatumReader<GenericRecord> reader = reader(schemaId);
        int payloadLength = record.length - ConfluentWireFormat.HEADER_LENGTH;
        decoder =
                DecoderFactory.get()
                        .binaryDecoder(
                                record, ConfluentWireFormat.HEADER_LENGTH, payloadLength, decoder);
        GenericRecord result;
        try {
            result = reader.read(null, decoder);
        } catch (EOFException e) {
            throw corrupt(
                    schemaId,
                    "the Avro payload ("
                            + payloadLength
                            + " bytes) ends before the record does; truncated record?",
                    e);
        } catch (IOException | RuntimeException e) {
            // Avro reports garbage in many ways (negative lengths, union branches that do not
            // exist, bad UTF-8, oversized allocations); all of them mean the same for the record.
            throw corrupt(schemaId, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        int trailing;
        try {
            trailing = decoder.inputStream().available();
        } catch (IOException e) {
            throw corrupt(schemaId, "cannot tell where the payload ends: " + e.getMessage(), e);
        }
        if (trailing > 0) {
            throw corrupt(
                    schemaId,
                    trailing
                            + " bytes left after the record; the payload was not written with"
                            + " this schema",
                    null);
        }
        return result;
    }

    private GenericDatumReader<GenericRecord> reader(int schemaId) throws DecodeException {
        GenericDatumReader<GenericRecord> reader = readers.get(schemaId);
        if (reader != null) {
            return reader;
        }
        Schema writer;
        try {
            writer = registry.getById(schemaId);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                throw new DecodeException(
                        DecodeException.UNKNOWN_SCHEMA_ID,
                        "schema id "
                                + schemaId
                                + " is not in the schema registry ("
                                + e.getMessage()
                                + "); was the record produced against another registry?",
                        e);
            }
            throw new DecodeException(
                    DecodeException.REGISTRY_UNAVAILABLE,
                    "cannot fetch writer schema " + schemaId + ": " + e.getMessage(),
                    e);
        }
        if (readerSchema == null) {
            reader = new GenericDatumReader<>(writer);
        } else {
            SchemaCompatibility.SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
            if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new DecodeException(
                        DecodeException.INCOMPATIBLE_SCHEMA,
                        "writer schema "
                                + schemaId
                                + " ("
                                + writer.getFullName()
                                + ") cannot be read as "
                                + readerSchema.getFullName()
                                + ": "
                                + compatibility.getResult().getIncompatibilities());
            }
            reader = new GenericDatumReader<>(writer, readerSchema);
        }
        readers.put(schemaId, reader);
        return reader;
    }

    private static DecodeException corrupt(int schemaId, String detail, Throwable cause) {
        return new DecodeException(
                DecodeException.CORRUPT_AVRO,
                "record does not decode with its writer schema " + schemaId + ": " + detail,
                cause);
    }
}
