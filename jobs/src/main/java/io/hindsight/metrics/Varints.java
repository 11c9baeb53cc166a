package io.hindsight.metrics;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** LEB128 variable-length integers (zig-zag for signed), as Avro and protobuf write them. */
public final class Varints {

    private Varints() {}

    public static void writeUnsigned(DataOutputView out, long value) throws IOException {
        if (value < 0) {
            throw new IllegalArgumentException("negative count " + value);
        }
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    public static long readUnsigned(DataInputView in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalStateException("corrupt varint: more than 10 bytes");
    }

    public static void writeSigned(DataOutputView out, long value) throws IOException {
        long zigzag = (value << 1) ^ (value >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            out.writeByte((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.writeByte((int) zigzag);
    }

    public static long readSigned(DataInputView in) throws IOException {
        long zigzag = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            zigzag |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (zigzag >>> 1) ^ -(zigzag & 1);
            }
        }
        throw new IllegalStateException("corrupt varint: more than 10 bytes");
    }

    /** A length or element count: non-negative and fits an int. */
    public static int readCount(DataInputView in) throws IOException {
        long n = readUnsigned(in);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException("corrupt length " + n);
        }
        return (int) n;
    }
}
