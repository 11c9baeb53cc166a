package io.hindsight.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The Confluent wire format for Avro records: magic byte {@code 0}, the writer schema's registry id
 * as a 4-byte big-endian int, then the Avro binary encoding of the record.
 *
 * <p>Hand-written because Confluent's serializers are not served by this build's repositories; the
 * format is five bytes of header and documented by Confluent ("Wire format" in the Schema Registry
 * docs).
 */
public final class ConfluentWireFormat {

    /** The only magic byte Confluent serializers have ever written. */
    public static final byte MAGIC_BYTE = 0x00;

    /** Magic byte plus schema id: where the Avro payload starts. */
    public static final int HEADER_LENGTH = 5;

    private ConfluentWireFormat() {}

    /** Returns {@code avroPayload} framed with the magic byte and {@code schemaId}. */
    public static byte[] frame(int schemaId, byte[] avroPayload) {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_LENGTH + avroPayload.length);
        buffer.put(MAGIC_BYTE).putInt(schemaId).put(avroPayload);
        return buffer.array();
    }

    /** Writes the five header bytes for {@code schemaId}; the Avro payload follows. */
    public static void writeHeader(OutputStream out, int schemaId) throws IOException {
        out.write(MAGIC_BYTE);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
    }

    /**
     * Returns the schema id of a framed record.
     *
     * @throws WireFormatException if the record is too short or its first byte is not the magic
     *     byte
     */
    public static int schemaId(byte[] record) {
        if (record == null) {
            throw new WireFormatException(
                    "record has no value (null); a Confluent-framed record has at least "
                            + HEADER_LENGTH
                            + " bytes (magic byte + 4-byte schema id)");
        }
        if (record.length < HEADER_LENGTH) {
            throw new WireFormatException(
                    "record is "
                            + record.length
                            + " bytes long; a Confluent-framed record has at least "
                            + HEADER_LENGTH
                            + " (magic byte + 4-byte schema id)");
        }
        if (record[0] != MAGIC_BYTE) {
            throw new WireFormatException(
                    String.format(
                            "unknown magic byte 0x%02x (expected 0x00): the record is not in the"
                                    + " Confluent wire format — %s",
                            record[0] & 0xff, guessFormat(record[0])));
        }
        return ByteBuffer.wrap(record, 1, 4).getInt();
    }

    private static String guessFormat(byte first) {
        if (first == '{' || first == '[') {
            return "is the topic JSON?";
        }
        return "was it written by a plain Avro serializer without a schema registry?";
    }
}
