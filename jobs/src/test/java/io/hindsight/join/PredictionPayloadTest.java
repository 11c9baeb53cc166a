package io.hindsight.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.schemas.AvroBinary;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.FeedbackPolicy;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The prediction stored without what its state entry knows, and what that saves for a waiting
 * prediction like the benchmark's against layout v2.
 */
class PredictionPayloadTest {

    static final long T = Instant.parse("2026-01-05T10:15:30.123Z").toEpochMilli();

    /** Shaped like the benchmark's canonical prediction (bench/spec.yaml over BenchData). */
    static Prediction benchmarkLike(String id, long time) {
        return Prediction.newBuilder()
                .setApplication("fraud")
                .setPredictionId(id)
                .setEventTime(Instant.ofEpochMilli(time))
                .setModelName("fraud-scorer")
                .setModelVersion("v7")
                .setScore(0.0731)
                .setNumericFeatures(Map.of("amount", 57.12, "account_age_days", 1873.0))
                .setCategoricalFeatures(
                        Map.of("merchant_category", "electronics", "card_present", "false"))
                .setTags(Map.of("country", "DE", "channel", "app"))
                .build();
    }

    @Test
    void decodingPutsBackWhatEncodingLeftOutAndTheRecordIsUntouched() {
        PredictionPayload payload = new PredictionPayload("fraud");
        Prediction p = benchmarkLike("pay-9f3a61c2d04b-17", T);
        Prediction copy = Prediction.newBuilder(p).build();
        byte[] bytes = payload.encode(p, "pay-9f3a61c2d04b-17", T);
        assertThat(p).isEqualTo(copy);

        Prediction stored = new AvroBinary<>(Prediction.class).decode(bytes);
        assertThat(stored.getApplication()).isEmpty();
        assertThat(stored.getPredictionId()).isEmpty();
        assertThat(stored.getEventTime()).isEqualTo(Instant.EPOCH);
        assertThat(payload.decode(bytes, "pay-9f3a61c2d04b-17", T)).isEqualTo(copy);
    }

    @Test
    void aWholeRecordAsLayoutV2StoredItDecodesAsItIsAndCompacts() {
        PredictionPayload payload = new PredictionPayload("fraud");
        Prediction p = benchmarkLike("pay-1", T);
        byte[] whole = new AvroBinary<>(Prediction.class).encode(p);
        assertThat(payload.decode(whole, "pay-1", T)).isEqualTo(p);
        byte[] compact = payload.compact(whole, "pay-1", T);
        // (Not byte-equal to encode(p): a decoded record's maps iterate in another order.)
        assertThat(compact).hasSameSizeAs(payload.encode(p, "pay-1", T));
        assertThat(whole.length - compact.length)
                .isEqualTo("fraud".length() + "pay-1".length() + zigZagLength(T) - 1);
        assertThat(payload.decode(compact, "pay-1", T)).isEqualTo(p);
    }

    @Test
    void aFieldThatDiffersFromItsEntryIsKeptAsItIs() {
        PredictionPayload payload = new PredictionPayload("fraud");
        Prediction p = benchmarkLike("pay-1", T);
        p.setApplication("churn");
        byte[] bytes = payload.encode(p, "another-key", T + 1);
        assertThat(payload.decode(bytes, "another-key", T + 1)).isEqualTo(p);
    }

    @Test
    void compactingARecordOfAnotherApplicationIsRefused() {
        Prediction p = benchmarkLike("pay-1", T);
        byte[] whole = new AvroBinary<>(Prediction.class).encode(p);
        assertThatThrownBy(() -> new PredictionPayload("churn").compact(whole, "pay-1", T))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "prediction 'pay-1' of application 'fraud' at 2026-01-05T10:15:30.123Z"
                                + " does not belong to the state entry of key 'pay-1',"
                                + " application 'churn', prediction time"
                                + " 2026-01-05T10:15:30.123Z");
    }

    @Test
    void anEmptyFieldThatDecodingWouldFillIsRefused() {
        Prediction p = benchmarkLike("pay-1", T);
        p.setApplication("");
        assertThatThrownBy(() -> new PredictionPayload("fraud").encode(p, "pay-1", T))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "a prediction with an empty application cannot be stored in the join's"
                                + " state for 'fraud'");
        assertThat(p.getApplication()).isEmpty();
    }

    private static int zigZagLength(long v) {
        long z = (v << 1) ^ (v >> 63);
        int n = 1;
        while ((z >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    /** The bytes the join writes for one waiting prediction, read back from its keyed state. */
    static byte[] waitingEntry(Prediction p) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Feedback, Outcome> h =
                FeedbackJoinFunctionTest.harness(FeedbackPolicy.FIRST);
        try {
            h.processElement1(new StreamRecord<>(p, p.getEventTime().toEpochMilli()));
            KeyedStateBackend<String> backend =
                    ((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
            backend.setCurrentKey(p.getPredictionId());
            return backend.getPartitionedState(
                            VoidNamespace.INSTANCE,
                            VoidNamespaceSerializer.INSTANCE,
                            FeedbackJoinFunction.STATE)
                    .value();
        } finally {
            h.close();
        }
    }

    @Test
    void aWaitingBenchmarkPredictionIsSmallerThanInV2ByItsIdApplicationAndZeroFields()
            throws Exception {
        String id = "pay-9f3a61c2d04b-1048575";
        Prediction p = benchmarkLike(id, T);
        byte[] v3 = waitingEntry(p);
        assertThat(v3[0]).isEqualTo((byte) 3);

        JoinState s = JoinState.decode(v3);
        assertThat(s.waiting()).isTrue();
        assertThat(new PredictionPayload("fraud").decode(s.prediction, id, T)).isEqualTo(p);
        // The same entry as v2 wrote it: the whole Avro record, every field fixed-width.
        JoinState asV2 = JoinState.decode(v3);
        asV2.prediction = new AvroBinary<>(Prediction.class).encode(p);
        byte[] v2 = JoinStateTest.v2(asV2);
        // A v2 value the job reads and writes again keeps its whole record (JoinStateV2ToV3
        // compacts it): still smaller, by the fixed-width fields.
        byte[] rewritten = JoinState.decode(v2).encode(new DataOutputSerializer(64));
        assertThat(rewritten.length).isBetween(v3.length + 1, v2.length - 1);
        // applied, revision, first feedback time, label sum and count, best, chosen flag,
        // pending and seen counts: 4 + 4 + 8 + 8 + 4 + 8 + 1 + 4 + 4
        int zeroFields = 45;
        System.out.printf(
                "waiting entry of a benchmark-like prediction: v2 %d B, v3 %d B (Avro %d B)%n",
                v2.length, v3.length, asV2.prediction.length);
        assertThat(v2.length - v3.length)
                .isGreaterThanOrEqualTo(id.length() + "fraud".length() + zeroFields);
    }
}
