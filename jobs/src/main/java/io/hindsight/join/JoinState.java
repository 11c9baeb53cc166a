package io.hindsight.join;

import io.hindsight.metrics.Varints;
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
 * a presence byte, then only the fields the flags and the presence bits say are there. A prediction
 * and held feedback are kept as Avro bytes and decoded only when a row is emitted. See the module
 * README for the life of an entry; {@code state-migrations/} reads the same layout through {@link
 * #decode(byte[])}.
 *
 * <pre>
 * v3: version:byte(3) flags:byte presence:byte
 *     [predictionTime:zz deadline-predictionTime:zz]     HAS_PREDICTION | RESOLVED | CLOSED
 *     [closeUntil-deadline:zz]                           CLOSED
 *     [prediction:bytes]                                 HAS_PREDICTION and not RESOLVED/CLOSED
 *     [applied:uv]                                       presence APPLIED
 *     [revision:uv]                                      presence REVISION
 *     [firstFeedbackTime-base:zz]                        presence FIRST_FEEDBACK
 *     [labelCount:uv labelSum:double]                    presence LABELS
 *     [best:double]                                      presence BEST
 *     [chosen:bytes]                                     presence CHOSEN
 *     [n:uv { time-base:zz feedback:bytes }*n]           presence PENDING
 *     [n:uv { idHash:long }*n]                           presence SEEN
 *
 *     uv: unsigned LEB128 varint; zz: zig-zag LEB128 varint; bytes: uv length, then the bytes;
 *     base: the prediction time if there is one, else 0; long, double: 8 bytes big-endian.
 *     prediction: Avro of the record without application, prediction_id and event_time
 *     ({@link PredictionPayload}: the job's application, the key and the prediction time).
 *
 * v2: version:byte(2) flags:byte
 *     [predictionTime:long deadline:long]        HAS_PREDICTION | RESOLVED | CLOSED
 *     [closeUntil:long]                          CLOSED
 *     [prediction:bytes4]                        HAS_PREDICTION and not RESOLVED/CLOSED
 *     applied:int revision:int firstFeedbackTime:long
 *     labelSum:double labelCount:int best:double chosen?:boolean [chosen:bytes4]
 *     pending:int { time:long feedback:bytes4 }*
 *     seen:int { idHash:long }*
 *
 *     bytes4: int length, then the bytes; prediction: the whole Avro record.
 * </pre>
 *
 * <p>v3 drops what the entry's key and the job already know and what is still at its initial value
 * (a presence bit per field, 0 / {@link Long#MIN_VALUE} / none; label count and sum share one,
 * since they change together and the nine fields get one byte), so a waiting prediction with no
 * feedback is the header, the two times and the payload. It reads v2 values as they are (a whole
 * prediction record decodes as well as a compacted one) and writes v3; state-migrations'
 * JoinStateV2ToV3 rewrites a savepoint at once. v2 added the deadline: a prediction keeps the label
 * window it was admitted under, so that changing {@code join.label-window} between job versions
 * never strands a prediction whose timer was registered for the old deadline. v1 savepoints are
 * rewritten to v2 by state-migrations first.
 */
public final class JoinState {

    /** The layout version written by this code; it also reads {@link #V2} and refuses any other. */
    public static final byte VERSION = 3;

    /** The previous layout, still read (a savepoint of the previous release restores as it is). */
    public static final byte V2 = 2;

    static final byte HAS_PREDICTION = 1;

    /** The final outcome was emitted early (policy FIRST); the prediction payload is dropped. */
    static final byte RESOLVED = 2;

    /** The label window ended; only the prediction time and seen feedback ids remain. */
    static final byte CLOSED = 4;

    // Presence bits of v3: a field at its initial value takes no bytes.
    private static final int P_APPLIED = 1;
    private static final int P_REVISION = 2;
    private static final int P_FIRST_FEEDBACK = 4;
    private static final int P_LABELS = 8;
    private static final int P_BEST = 16;
    private static final int P_CHOSEN = 32;
    private static final int P_PENDING = 64;
    private static final int P_SEEN = 128;

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

    /**
     * Not stored: the entry's deadline timer is still to be registered, when the entry is written
     * to the state (FeedbackJoinFunction's kept writes). A kept entry resolved before then never
     * registers it.
     */
    transient boolean deadlineTimerDeferred;

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

    /** The value in the current layout (v3), written through {@code out}. */
    public byte[] encode(DataOutputSerializer out) {
        out.clear();
        boolean timed = hasPredictionTime();
        long base = timed ? predictionTime : 0;
        int presence =
                (applied != 0 ? P_APPLIED : 0)
                        | (revision != 0 ? P_REVISION : 0)
                        | (firstFeedbackTime != Long.MIN_VALUE ? P_FIRST_FEEDBACK : 0)
                        | (labelCount != 0 || Double.doubleToRawLongBits(labelSum) != 0
                                ? P_LABELS
                                : 0)
                        | (Double.doubleToRawLongBits(best) != 0 ? P_BEST : 0)
                        | (chosen != null ? P_CHOSEN : 0)
                        | (!pending.isEmpty() ? P_PENDING : 0)
                        | (seen.length != 0 ? P_SEEN : 0);
        try {
            out.writeByte(VERSION);
            out.writeByte(flags);
            out.writeByte(presence);
            if (timed) {
                Varints.writeSigned(out, predictionTime);
                Varints.writeSigned(out, deadline - predictionTime);
            }
            if (has(CLOSED)) {
                Varints.writeSigned(out, closeUntil - deadline);
            }
            if (waiting()) {
                writeVarBytes(out, prediction);
            }
            if ((presence & P_APPLIED) != 0) {
                Varints.writeUnsigned(out, Integer.toUnsignedLong(applied));
            }
            if ((presence & P_REVISION) != 0) {
                Varints.writeUnsigned(out, Integer.toUnsignedLong(revision));
            }
            if ((presence & P_FIRST_FEEDBACK) != 0) {
                Varints.writeSigned(out, firstFeedbackTime - base);
            }
            if ((presence & P_LABELS) != 0) {
                Varints.writeUnsigned(out, Integer.toUnsignedLong(labelCount));
                out.writeDouble(labelSum);
            }
            if ((presence & P_BEST) != 0) {
                out.writeDouble(best);
            }
            if ((presence & P_CHOSEN) != 0) {
                writeVarBytes(out, chosen);
            }
            if ((presence & P_PENDING) != 0) {
                Varints.writeUnsigned(out, pending.size());
                for (Pending p : pending) {
                    Varints.writeSigned(out, p.time() - base);
                    writeVarBytes(out, p.feedback());
                }
            }
            if ((presence & P_SEEN) != 0) {
                Varints.writeUnsigned(out, seen.length);
                for (long h : seen) {
                    out.writeLong(h);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode join state", e);
        }
        return out.getCopyOfBuffer();
    }

    /**
     * Whether {@code bytes} hold a tombstone ({@link #CLOSED}) to forget at {@code timestamp}, read
     * from the header (version, flags, prediction time, deadline, close-until) without decoding the
     * rest. False for anything else, including an unknown version, which {@link #decode} reports.
     */
    static boolean expiredTombstone(byte[] bytes, long timestamp) {
        if (bytes.length < 2 || (bytes[1] & CLOSED) == 0) {
            return false;
        }
        if (bytes[0] == V2) {
            // v2 header: version, flags, prediction time (2..9), deadline (10..17), close-until
            // (18..25)
            if (bytes.length < 26) {
                return false;
            }
            long closeUntil = 0;
            for (int i = 18; i < 26; i++) {
                closeUntil = (closeUntil << 8) | (bytes[i] & 0xFF);
            }
            return timestamp >= closeUntil;
        }
        if (bytes[0] != VERSION) {
            return false;
        }
        // v3 header: version, flags, presence, then three zig-zag varints from byte 3.
        DataInputDeserializer in = new DataInputDeserializer(bytes, 3, bytes.length - 3);
        try {
            long predictionTime = Varints.readSigned(in);
            long deadline = predictionTime + Varints.readSigned(in);
            return timestamp >= deadline + Varints.readSigned(in);
        } catch (IOException | IllegalStateException e) {
            return false; // truncated: decode() reports it
        }
    }

    /** The state of a v3 or v2 value; any other version is refused. */
    public static JoinState decode(byte[] bytes) {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        try {
            byte version = in.readByte();
            if (version == VERSION) {
                return decodeV3(in);
            }
            if (version == V2) {
                return decodeV2(in);
            }
            throw new IllegalStateException(
                    "unrecognized feedback-join state version "
                            + version
                            + " (this build reads versions "
                            + V2
                            + " and "
                            + VERSION
                            + "); migrate the savepoint with state-migrations first");
        } catch (IOException e) {
            throw new IllegalStateException("corrupt feedback-join state", e);
        }
    }

    private static JoinState decodeV3(DataInputDeserializer in) throws IOException {
        JoinState s = new JoinState();
        s.flags = in.readByte();
        int presence = in.readUnsignedByte();
        boolean timed = s.hasPredictionTime();
        if (timed) {
            s.predictionTime = Varints.readSigned(in);
            s.deadline = s.predictionTime + Varints.readSigned(in);
        }
        long base = timed ? s.predictionTime : 0;
        if (s.has(CLOSED)) {
            s.closeUntil = s.deadline + Varints.readSigned(in);
        }
        if (s.waiting()) {
            s.prediction = readVarBytes(in);
        }
        if ((presence & P_APPLIED) != 0) {
            s.applied = (int) Varints.readUnsigned(in);
        }
        if ((presence & P_REVISION) != 0) {
            s.revision = (int) Varints.readUnsigned(in);
        }
        if ((presence & P_FIRST_FEEDBACK) != 0) {
            s.firstFeedbackTime = base + Varints.readSigned(in);
        }
        if ((presence & P_LABELS) != 0) {
            s.labelCount = (int) Varints.readUnsigned(in);
            s.labelSum = in.readDouble();
        }
        if ((presence & P_BEST) != 0) {
            s.best = in.readDouble();
        }
        if ((presence & P_CHOSEN) != 0) {
            s.chosen = readVarBytes(in);
        }
        if ((presence & P_PENDING) != 0) {
            int n = Varints.readCount(in);
            for (int i = 0; i < n; i++) {
                long time = base + Varints.readSigned(in);
                s.pending.add(new Pending(time, readVarBytes(in)));
            }
        }
        if ((presence & P_SEEN) != 0) {
            s.seen = new long[Varints.readCount(in)];
            for (int i = 0; i < s.seen.length; i++) {
                s.seen[i] = in.readLong();
            }
        }
        return s;
    }

    private static JoinState decodeV2(DataInputDeserializer in) throws IOException {
        JoinState s = new JoinState();
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
        return s;
    }

    /**
     * A value of any version {@link #decode} reads, rewritten in the current layout with its
     * waiting prediction compacted ({@link PredictionPayload#compact}): what state-migrations
     * writes for each entry. {@code key} is the entry's join key.
     */
    public static byte[] rewrite(
            byte[] value, String key, PredictionPayload payload, DataOutputSerializer out) {
        JoinState s = decode(value);
        if (s.waiting()) {
            s.prediction = payload.compact(s.prediction, key, s.predictionTime);
        }
        return s.encode(out);
    }

    private static void writeVarBytes(DataOutputSerializer out, byte[] b) throws IOException {
        Varints.writeUnsigned(out, b.length);
        out.write(b);
    }

    private static byte[] readVarBytes(DataInputDeserializer in) throws IOException {
        byte[] b = new byte[Varints.readCount(in)];
        in.readFully(b);
        return b;
    }

    private static byte[] readBytes(DataInputDeserializer in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
