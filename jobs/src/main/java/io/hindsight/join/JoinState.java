package io.hindsight.join;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Everything the feedback join keeps for one join key, stored as one compact byte array.
 *
 * <p>One value per key (rather than several state handles) means one RocksDB read and one write per
 * event. The layout is hand-written because it is read on every event: a version byte, a flag byte,
 * then only the fields the flags say are present. A prediction and held feedback are kept as Avro
 * bytes and decoded only when a row is emitted. See the module README for the life of an entry;
 * {@code state-migrations/} reads the same layout through {@link #decode(byte[])}.
 *
 * <pre>
 * v2: version:byte flags:byte
 *     [predictionTime:long deadline:long]        HAS_PREDICTION | RESOLVED | CLOSED
 *     [closeUntil:long]                          CLOSED
 *     [prediction:bytes]                         HAS_PREDICTION and not RESOLVED/CLOSED
 *     applied:int revision:int firstFeedbackTime:long
 *     labelSum:double labelCount:int best:double [chosen:bytes]   (chosen present flag inside)
 *     pending:int { time:long feedback:bytes }*
 *     seen:int { idHash:long }*
 * </pre>
 *
 * <p>v2 added the deadline: a prediction keeps the label window it was admitted under, so that
 * changing {@code join.label-window} between job versions never strands a prediction whose timer
 * was registered for the old deadline. v1 savepoints are rewritten by state-migrations.
 */
public final class JoinState {

    /** The layout version written by this code; readers refuse any other. */
    public static final byte VERSION = 2;

    static final byte HAS_PREDICTION = 1;

    /** The final outcome was emitted early (policy FIRST); the prediction payload is dropped. */
    static final byte RESOLVED = 2;

    /** The label window ended; only the prediction time and seen feedback ids remain. */
    static final byte CLOSED = 4;

    byte flags;
    long predictionTime;
    long deadline;
    long closeUntil;
    byte[] prediction;

    int applied;
    int revision;
    long firstFeedbackTime = Long.MIN_VALUE;
    double labelSum;
    int labelCount;
    double best;
    byte[] chosen;

    final List<Pending> pending = new ArrayList<>(2);
    long[] seen = new long[0];

    /** Feedback held until the watermark passes its event time, or until its prediction arrives. */
    record Pending(long time, byte[] feedback) {}

    boolean has(byte flag) {
        return (flags & flag) != 0;
    }

    /** A prediction is present and its final row has not been emitted yet. */
    public boolean waiting() {
        return has(HAS_PREDICTION) && !has(RESOLVED) && !has(CLOSED);
    }

    /** The window has ended; only a tombstone remains until {@link #closeUntil()}. */
    public boolean closed() {
        return has(CLOSED);
    }

    /** Whether a prediction was admitted (waiting, resolved early or closed). */
    public boolean hasPredictionTime() {
        return (flags & (HAS_PREDICTION | RESOLVED | CLOSED)) != 0;
    }

    public long deadline() {
        return deadline;
    }

    public long closeUntil() {
        return closeUntil;
    }

    boolean seen(long idHash) {
        for (long h : seen) {
            if (h == idHash) {
                return true;
            }
        }
        return false;
    }

    void markSeen(long idHash) {
        long[] grown = new long[seen.length + 1];
        System.arraycopy(seen, 0, grown, 0, seen.length);
        grown[seen.length] = idHash;
        seen = grown;
    }

    public byte[] encode(DataOutputSerializer out) {
        out.clear();
        try {
            out.writeByte(VERSION);
            out.writeByte(flags);
            if ((flags & (HAS_PREDICTION | RESOLVED | CLOSED)) != 0) {
                out.writeLong(predictionTime);
                out.writeLong(deadline);
            }
            if (has(CLOSED)) {
                out.writeLong(closeUntil);
            }
            if (waiting()) {
                writeBytes(out, prediction);
            }
            out.writeInt(applied);
            out.writeInt(revision);
            out.writeLong(firstFeedbackTime);
            out.writeDouble(labelSum);
            out.writeInt(labelCount);
            out.writeDouble(best);
            out.writeBoolean(chosen != null);
            if (chosen != null) {
                writeBytes(out, chosen);
            }
            out.writeInt(pending.size());
            for (Pending p : pending) {
                out.writeLong(p.time());
                writeBytes(out, p.feedback());
            }
            out.writeInt(seen.length);
            for (long h : seen) {
                out.writeLong(h);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode join state", e);
        }
        return out.getCopyOfBuffer();
    }

    /**
     * Whether {@code bytes} hold a tombstone ({@link #CLOSED}) to forget at {@code timestamp}, read
     * from the fixed header (version, flags, prediction time, close-until) without decoding the
     * rest. False for anything else, including an unknown version, which {@link #decode} reports.
     */
    static boolean expiredTombstone(byte[] bytes, long timestamp) {
        // v2 header: version, flags, prediction time (2..9), deadline (10..17), close-until
        // (18..25)
        if (bytes.length < 26 || bytes[0] != VERSION || (bytes[1] & CLOSED) == 0) {
            return false;
        }
        long closeUntil = 0;
        for (int i = 18; i < 26; i++) {
            closeUntil = (closeUntil << 8) | (bytes[i] & 0xFF);
        }
        return timestamp >= closeUntil;
    }

    public static JoinState decode(byte[] bytes) {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        JoinState s = new JoinState();
        try {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException(
                        "unrecognized feedback-join state version "
                                + version
                                + " (this build reads version "
                                + VERSION
                                + "); migrate the savepoint with state-migrations first");
            }
            s.flags = in.readByte();
            if ((s.flags & (HAS_PREDICTION | RESOLVED | CLOSED)) != 0) {
                s.predictionTime = in.readLong();
                s.deadline = in.readLong();
            }
            if (s.has(CLOSED)) {
                s.closeUntil = in.readLong();
            }
            if (s.waiting()) {
                s.prediction = readBytes(in);
            }
            s.applied = in.readInt();
            s.revision = in.readInt();
            s.firstFeedbackTime = in.readLong();
            s.labelSum = in.readDouble();
            s.labelCount = in.readInt();
            s.best = in.readDouble();
            if (in.readBoolean()) {
                s.chosen = readBytes(in);
            }
            int pendingCount = in.readInt();
            for (int i = 0; i < pendingCount; i++) {
                long time = in.readLong();
                s.pending.add(new Pending(time, readBytes(in)));
            }
            int seenCount = in.readInt();
            s.seen = new long[seenCount];
            for (int i = 0; i < seenCount; i++) {
                s.seen[i] = in.readLong();
            }
        } catch (IOException e) {
            throw new IllegalStateException("corrupt feedback-join state", e);
        }
        return s;
    }

    private static void writeBytes(DataOutputSerializer out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputDeserializer in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
