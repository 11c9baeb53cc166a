package io.hindsight.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The layout's round trip (v3 written and read back, v2 read), for random states of every flag and
 * presence combination, and the tombstone header read used by the last timer of a key.
 */
class JoinStateTest {

    private final DataOutputSerializer buffer = new DataOutputSerializer(64);

    private static JoinState tombstone(long closeUntil) {
        JoinState s = new JoinState();
        s.flags = JoinState.CLOSED;
        s.predictionTime = 1_000L;
        s.deadline = 2_000L;
        s.closeUntil = closeUntil;
        s.markSeen(42L);
        return s;
    }

    /**
     * Layout v2, written field by field from its description (JoinState's javadoc), independently
     * of the code that reads it.
     */
    static byte[] v2(JoinState s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(2);
        out.writeByte(s.flags);
        boolean timed = (s.flags & 7) != 0;
        if (timed) {
            out.writeLong(s.predictionTime);
            out.writeLong(s.deadline);
        }
        if ((s.flags & 4) != 0) {
            out.writeLong(s.closeUntil);
        }
        if ((s.flags & 1) != 0 && (s.flags & 6) == 0) {
            out.writeInt(s.prediction.length);
            out.write(s.prediction);
        }
        out.writeInt(s.applied);
        out.writeInt(s.revision);
        out.writeLong(s.firstFeedbackTime);
        out.writeDouble(s.labelSum);
        out.writeInt(s.labelCount);
        out.writeDouble(s.best);
        out.writeBoolean(s.chosen != null);
        if (s.chosen != null) {
            out.writeInt(s.chosen.length);
            out.write(s.chosen);
        }
        out.writeInt(s.pending.size());
        for (JoinState.Pending p : s.pending) {
            out.writeLong(p.time());
            out.writeInt(p.feedback().length);
            out.write(p.feedback());
        }
        out.writeInt(s.seen.length);
        for (long h : s.seen) {
            out.writeLong(h);
        }
        return bytes.toByteArray();
    }

    /** Any long, extremes included: v3 stores differences, which must not lose a bit. */
    private static long anyTime(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> Long.MAX_VALUE - r.nextInt(3);
            case 1 -> Long.MIN_VALUE + 1 + r.nextInt(3);
            case 2 -> r.nextLong();
            case 3 -> -r.nextLong(1L << 40);
            default -> 1_700_000_000_000L + r.nextLong(1L << 36);
        };
    }

    private static int nonZeroInt(SplittableRandom r) {
        int v = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(1, 300);
        return v == 0 ? 1 : v;
    }

    private static double nonZeroDouble(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> -0.0;
            case 1 -> Double.MAX_VALUE;
            default -> r.nextDouble(-1e6, 1e6) + 0.5;
        };
    }

    private static byte[] bytes(SplittableRandom r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    /**
     * A state with the given flags, and each field of {@code fields} (bit i: applied, revision,
     * first feedback time, labels, best, chosen, pending, seen) away from its initial value. Fields
     * the flags say are absent keep the value decoding gives them.
     */
    static JoinState random(SplittableRandom r, int flags, int fields) {
        JoinState s = new JoinState();
        s.flags = (byte) flags;
        if ((flags & 7) != 0) {
            s.predictionTime = anyTime(r);
            s.deadline = r.nextBoolean() ? s.predictionTime + 60L * 86_400_000L : anyTime(r);
        }
        if ((flags & 4) != 0) {
            s.closeUntil = r.nextBoolean() ? s.deadline + 14L * 86_400_000L : anyTime(r);
        }
        if (s.waiting()) {
            s.prediction = bytes(r, 300);
        }
        if ((fields & 1) != 0) {
            s.applied = nonZeroInt(r);
        }
        if ((fields & 2) != 0) {
            s.revision = nonZeroInt(r);
        }
        if ((fields & 4) != 0) {
            s.firstFeedbackTime = anyTime(r);
        }
        if ((fields & 8) != 0) {
            switch (r.nextInt(3)) {
                case 0 -> s.labelCount = nonZeroInt(r);
                case 1 -> s.labelSum = nonZeroDouble(r);
                default -> {
                    s.labelCount = nonZeroInt(r);
                    s.labelSum = nonZeroDouble(r);
                }
            }
        }
        if ((fields & 16) != 0) {
            s.best = nonZeroDouble(r);
        }
        if ((fields & 32) != 0) {
            s.chosen = bytes(r, 80);
        }
        if ((fields & 64) != 0) {
            for (int i = r.nextInt(1, 4); i > 0; i--) {
                s.pending.add(new JoinState.Pending(anyTime(r), bytes(r, 80)));
            }
        }
        if ((fields & 128) != 0) {
            for (int i = r.nextInt(1, 5); i > 0; i--) {
                s.markSeen(r.nextLong());
            }
        }
        return s;
    }

    @Test
    void everyFlagAndFieldCombinationRoundTripsInV3AndReadsFromV2() throws IOException {
        SplittableRandom r = new SplittableRandom(20261203);
        int checked = 0;
        for (int round = 0; round < 4; round++) {
            for (int flags = 0; flags < 8; flags++) {
                for (int fields = 0; fields < 256; fields++) {
                    JoinState s = random(r, flags, fields);
                    byte[] v3 = s.encode(buffer);
                    assertThat(v3[0]).isEqualTo(JoinState.VERSION);
                    JoinState back = JoinState.decode(v3);
                    assertThat(back).usingRecursiveComparison().isEqualTo(s);
                    assertThat(back.encode(buffer)).isEqualTo(v3);

                    JoinState fromV2 = JoinState.decode(v2(s));
                    assertThat(fromV2).usingRecursiveComparison().isEqualTo(s);
                    assertThat(fromV2.encode(buffer)).isEqualTo(v3);

                    long at = r.nextBoolean() ? s.closeUntil : anyTime(r);
                    boolean expired = s.closed() && at >= s.closeUntil;
                    assertThat(JoinState.expiredTombstone(v3, at)).isEqualTo(expired);
                    assertThat(JoinState.expiredTombstone(v2(s), at)).isEqualTo(expired);
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(4 * 8 * 256);
    }

    @Test
    void fieldsAtTheirInitialValueTakeNoBytes() {
        JoinState s = new JoinState();
        s.flags = JoinState.HAS_PREDICTION;
        s.predictionTime = 1_767_225_600_000L; // 2026-01-01: a 6-byte zig-zag varint
        s.deadline = s.predictionTime + 60L * 86_400_000L; // 60 days: 5 bytes
        s.prediction = new byte[150]; // length: 2 bytes
        // version, flags, presence; the two times; the payload's length and bytes
        assertThat(s.encode(buffer)).hasSize(3 + 6 + 5 + 2 + 150);
        assertThat(s.encode(buffer)[2]).isZero();
    }

    @Test
    void tombstoneExpiresAtItsCloseUntil() throws IOException {
        JoinState s = tombstone(5_000_000_000L);
        for (byte[] bytes : new byte[][] {s.encode(buffer), v2(s)}) {
            assertThat(JoinState.expiredTombstone(bytes, 4_999_999_999L)).isFalse();
            assertThat(JoinState.expiredTombstone(bytes, 5_000_000_000L)).isTrue();
            assertThat(JoinState.expiredTombstone(bytes, Long.MAX_VALUE)).isTrue();
            JoinState back = JoinState.decode(bytes);
            assertThat(back.closeUntil).isEqualTo(5_000_000_000L);
            assertThat(back.seen(42L)).isTrue();
        }
    }

    @Test
    void aTruncatedTombstoneIsLeftToDecodeToReport() {
        byte[] bytes = tombstone(5_000_000_000L).encode(buffer);
        byte[] truncated = java.util.Arrays.copyOf(bytes, 5);
        assertThat(JoinState.expiredTombstone(truncated, Long.MAX_VALUE)).isFalse();
        assertThatThrownBy(() -> JoinState.decode(truncated))
                .hasMessage("corrupt feedback-join state");
    }

    @Test
    void aWaitingPredictionIsNoTombstone() throws IOException {
        JoinState s = new JoinState();
        s.flags = JoinState.HAS_PREDICTION;
        s.predictionTime = Long.MAX_VALUE - 1;
        s.deadline = Long.MAX_VALUE;
        s.prediction = new byte[] {1, 2, 3};
        for (byte[] bytes : new byte[][] {s.encode(buffer), v2(s)}) {
            assertThat(JoinState.expiredTombstone(bytes, Long.MAX_VALUE)).isFalse();
            assertThat(JoinState.decode(bytes).prediction).containsExactly(1, 2, 3);
        }
    }

    @Test
    void anUnknownVersionIsLeftToDecodeToReport() {
        for (byte version : new byte[] {1, 4}) {
            byte[] bytes = tombstone(0).encode(buffer);
            bytes[0] = version;
            assertThat(JoinState.expiredTombstone(bytes, Long.MAX_VALUE)).isFalse();
            assertThatThrownBy(() -> JoinState.decode(bytes))
                    .hasMessage(
                            "unrecognized feedback-join state version "
                                    + version
                                    + " (this build reads versions 2 and 3); migrate the"
                                    + " savepoint with state-migrations first");
        }
    }
}
