package io.hindsight.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Plain Avro binary with no header: the {@code avro} format of a spec, read with the schema file
 * the spec names. Not thread-safe.
 */
public final class PlainAvroEncoder implements RecordEncoder {

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private BinaryEncoder encoder;

    @Override
    public byte[] encode(String topic, GenericRecord record) {
        buffer.reset();
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        try {
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot encode a " + record.getSchema().getFullName() + " for " + topic, e);
        }
        return buffer.toByteArray();
    }
}
