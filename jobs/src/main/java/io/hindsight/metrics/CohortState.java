package io.hindsight.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * One cohort-slice in the merge stage's state: when it ends and becomes final, what was emitted,
 * and its accumulator. The header comes first and the accumulator stays as bytes until it is
 * needed, so a timer that only checks a cohort does not decode it.
 *
 * <p>Layout (version 1): version byte, window end, final time (window end + the label window the
 * cohort began with), revisions emitted, time of the last emission, changed-since flag, accumulator
 * ({@link CohortAccumulator} bytes, to the end).
 */
final class CohortState {

    static final int VERSION = 1;
    private static final int HEADER = 1 + 8 + 8 + 4 + 8 + 1;

    final long windowEnd;
    final long finalAt;
    int revision;
    long lastEmitted;
    boolean changed;
    byte[] accumulator;

    CohortState(long windowEnd, long finalAt, byte[] accumulator) {
        this.windowEnd = windowEnd;
        this.finalAt = finalAt;
        this.revision = 0;
        this.lastEmitted = Long.MIN_VALUE;
        this.accumulator = accumulator;
    }

    byte[] encode() {
        DataOutputSerializer out = new DataOutputSerializer(HEADER + accumulator.length);
        try {
            out.writeByte(VERSION);
            out.writeLong(windowEnd);
            out.writeLong(finalAt);
            out.writeInt(revision);
            out.writeLong(lastEmitted);
            out.writeBoolean(changed);
            out.write(accumulator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.getCopyOfBuffer();
    }

    static CohortState decode(byte[] bytes) {
        try {
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalStateException(
                        "unrecognized slice-metrics cohort state version " + version);
            }
            long windowEnd = in.readLong();
            long finalAt = in.readLong();
            int revision = in.readInt();
            long lastEmitted = in.readLong();
            boolean changed = in.readBoolean();
            CohortState s =
                    new CohortState(
                            windowEnd, finalAt, Arrays.copyOfRange(bytes, HEADER, bytes.length));
            s.revision = revision;
            s.lastEmitted = lastEmitted;
            s.changed = changed;
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt slice-metrics cohort state", e);
        }
    }
}
