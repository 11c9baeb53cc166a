package io.hindsight.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The layout's round trip and the tombstone header read used by the last timer of a key. */
class JoinStateTest {

    private final DataOutputSerializer buffer = new DataOutputSerializer(64);

    private static JoinState tombstone(long closeUntil) {
        JoinState s = new JoinState();
        s.flags = JoinState.CLOSED;
        s.predictionTime = 1_000L;
        s.closeUntil = closeUntil;
        s.markSeen(42L);
        return s;
    }

    @Test
    void tombstoneExpiresAtItsCloseUntil() {
        byte[] bytes = tombstone(5_000_000_000L).encode(buffer);
        assertThat(JoinState.expiredTombstone(bytes, 4_999_999_999L)).isFalse();
        assertThat(JoinState.expiredTombstone(bytes, 5_000_000_000L)).isTrue();
        assertThat(JoinState.expiredTombstone(bytes, Long.MAX_VALUE)).isTrue();
        JoinState back = JoinState.decode(bytes);
        assertThat(back.closeUntil).isEqualTo(5_000_000_000L);
        assertThat(back.seen(42L)).isTrue();
    }

    @Test
    void aWaitingPredictionIsNoTombstone() {
        JoinState s = new JoinState();
        s.flags = JoinState.HAS_PREDICTION;
        s.predictionTime = Long.MAX_VALUE - 1;
        s.prediction = new byte[] {1, 2, 3};
        byte[] bytes = s.encode(buffer);
        assertThat(JoinState.expiredTombstone(bytes, Long.MAX_VALUE)).isFalse();
        assertThat(JoinState.decode(bytes).prediction).containsExactly(1, 2, 3);
    }

    @Test
    void anUnknownVersionIsLeftToDecodeToReport() {
        byte[] bytes = tombstone(0).encode(buffer);
        bytes[0] = 3;
        assertThat(JoinState.expiredTombstone(bytes, Long.MAX_VALUE)).isFalse();
        assertThatThrownBy(() -> JoinState.decode(bytes))
                .hasMessageStartingWith("unrecognized feedback-join state version 3");
    }
}
