package io.hindsight.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hindsight.registry.ConfluentAvroDecoder;
import io.hindsight.registry.DecodeException;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.spec.InputFormat;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Turns the bytes of one Kafka record into a tree the field mapping reads: an Avro {@link
 * GenericRecord} or a Jackson {@link JsonNode}. One instance per operator; not thread-safe.
 */
public interface InputDecoder {

    Object decode(byte[] value) throws DecodeException;

    /** Serializable recipe for a decoder, opened inside the Flink operator. */
    interface Factory extends Serializable {
        InputDecoder create();
    }

    /**
     * The decoder for an input's format. The Avro schema file is read now, on the client, and
     * shipped as text, so that TaskManagers need not see the spec's folder.
     */
    static Factory factory(InputFormat format, String schemaFile, RegistryConfig registry) {
        switch (format) {
            case AVRO_CONFLUENT -> {
                if (registry == null) {
                    throw new IllegalArgumentException(
                            "format avro-confluent needs kafka.schema-registry.url");
                }
                return () -> {
                    ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(registry.create());
                    return decoder::decode;
                };
            }
            case AVRO -> {
                String schemaText;
                try {
                    schemaText = Files.readString(Path.of(schemaFile));
                } catch (IOException e) {
                    throw new IllegalArgumentException(
                            "cannot read Avro schema file " + schemaFile + ": " + e.getMessage(),
                            e);
                }
                return () -> new PlainAvro(new Schema.Parser().parse(schemaText));
            }
            case JSON -> {
                return new JsonFactory();
            }
            default -> throw new IllegalArgumentException("unsupported format " + format);
        }
    }

    /** Plain Avro binary written with a known schema (no framing). */
    final class PlainAvro implements InputDecoder {
        private final GenericDatumReader<GenericRecord> reader;
        private BinaryDecoder decoder;

        PlainAvro(Schema schema) {
            this.reader = new GenericDatumReader<>(schema);
        }

        @Override
        public Object decode(byte[] value) throws DecodeException {
            decoder = DecoderFactory.get().binaryDecoder(value, decoder);
            try {
                GenericRecord record = reader.read(null, decoder);
                if (!decoder.isEnd()) {
                    throw new DecodeException(
                            DecodeException.CORRUPT_AVRO,
                            "the record has bytes left over after an Avro "
                                    + reader.getSchema().getFullName()
                                    + "; was it written with another schema or framed for a"
                                    + " registry (format avro-confluent)?");
                }
                return record;
            } catch (IOException | RuntimeException e) {
                throw new DecodeException(
                        DecodeException.CORRUPT_AVRO,
                        "the record is not valid Avro for schema "
                                + reader.getSchema().getFullName()
                                + ": "
                                + e.getMessage(),
                        e);
            }
        }
    }

    /** JSON objects, read with Jackson. */
    final class JsonFactory implements Factory {
        private static final long serialVersionUID = 1L;

        @Override
        public InputDecoder create() {
            ObjectMapper mapper = new ObjectMapper();
            return value -> {
                try {
                    JsonNode node = mapper.readTree(value);
                    if (node == null || !node.isObject()) {
                        throw new DecodeException(
                                "NOT_JSON_OBJECT",
                                "the record is not a JSON object"
                                        + (node == null ? " (it is empty)" : ""));
                    }
                    return node;
                } catch (JsonProcessingException e) {
                    throw new DecodeException(
                            "CORRUPT_JSON",
                            "the record is not valid JSON: " + e.getOriginalMessage(),
                            e);
                } catch (IOException e) {
                    throw new DecodeException("CORRUPT_JSON", "cannot read the record as JSON", e);
                }
            };
        }
    }
}
