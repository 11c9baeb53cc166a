package io.hindsight.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.FeedbackPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link FeedbackJoinOperator} (feedback held in memory until the watermark passes it) against the
 * reference of {@link FeedbackJoinPropertyTest}: the same random arrivals and watermarks, for every
 * policy, with a random queue capacity (0 = every feedback takes the function's timer path, 1 and 2
 * = mixed) and a checkpoint and restore into a new operator at a random point.
 */
class FeedbackJoinOperatorTest {

    static final long WINDOW = FeedbackJoinPropertyTest.WINDOW;
    static final long HOLD = FeedbackJoinPropertyTest.HOLD;
    static final long TP = FeedbackJoinPropertyTest.TP;

    @ParameterizedTest
    @EnumSource(FeedbackPolicy.class)
    void heldInMemoryGivesTheReferenceRows(FeedbackPolicy policy) throws Exception {
        SplittableRandom random = new SplittableRandom(policy.ordinal() * 104_729L + 3);
        for (int trial = 0; trial < FeedbackJoinPropertyTest.TRIALS; trial++) {
            int predictionCopies = random.nextInt(10) < 2 ? 0 : 1 + random.nextInt(2);
            List<FeedbackJoinPropertyTest.Fb> feedback = new ArrayList<>();
            int n = random.nextInt(6);
            for (int i = 0; i < n; i++) {
                long[] edges = FeedbackJoinPropertyTest.EDGES;
                long offset =
                        random.nextBoolean()
                                ? edges[random.nextInt(edges.length)]
                                : random.nextLong(
                                        -3 * HOLD,
                                        WINDOW + FeedbackJoinPropertyTest.RETENTION + 3 * HOLD);
                int l = random.nextInt(10);
                Double label = l == 0 ? null : l < 4 ? 0.0 : l < 8 ? 1.0 : 2.5;
                feedback.add(new FeedbackJoinPropertyTest.Fb("f" + i, TP + offset, label));
            }
            List<Object> arrivals = new ArrayList<>();
            for (int c = 0; c < predictionCopies; c++) {
                arrivals.add(FeedbackJoinFunctionTest.prediction("p", TP, 0.7));
            }
            for (FeedbackJoinPropertyTest.Fb f : feedback) {
                for (int c = random.nextInt(4) == 0 ? 2 : 1; c > 0; c--) {
                    arrivals.add(
                            FeedbackJoinFunctionTest.feedback(f.id(), "p", f.time(), f.label()));
                }
            }
            Collections.shuffle(arrivals, new java.util.Random(random.nextLong()));
            int capacity =
                    switch (random.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> 1;
                        case 2 -> 2;
                        default -> FeedbackJoinOperator.DEFAULT_CAPACITY;
                    };
            int restoreAt = random.nextInt(arrivals.size() + 1);
            // 0: every write goes to the state at once; 1: each is flushed as it is kept.
            int keptWrites =
                    switch (random.nextInt(3)) {
                        case 0 -> 0;
                        case 1 -> 1;
                        default -> FeedbackJoinOperator.DEFAULT_KEPT_WRITES;
                    };

            FeedbackJoinPropertyTest.Observed got =
                    run(policy, arrivals, random, capacity, keptWrites, restoreAt);
            FeedbackJoinPropertyTest.Observed want =
                    FeedbackJoinPropertyTest.reference(
                            policy, predictionCopies, feedback, arrivals);
            String context =
                    "policy "
                            + policy
                            + ", trial "
                            + trial
                            + ", capacity "
                            + capacity
                            + ", kept writes "
                            + keptWrites
                            + ", restore before arrival "
                            + restoreAt
                            + ", arrivals "
                            + arrivals;
            assertThat(got.outcomes())
                    .as(context)
                    .containsExactlyInAnyOrderElementsOf(want.outcomes());
            assertThat(got.unmatched())
                    .as(context)
                    .containsExactlyInAnyOrderElementsOf(want.unmatched());
            assertThat(got.predictions())
                    .as(context)
                    .containsExactlyInAnyOrderElementsOf(want.predictions());
        }
    }

    @Test
    void aCheckpointCarriesTheHeldFeedbackToTheRestoredOperator() throws Exception {
        var h = harness(FeedbackPolicy.FIRST, FeedbackJoinOperator.DEFAULT_CAPACITY);
        h.setup();
        h.open();
        h.processElement1(record(FeedbackJoinFunctionTest.prediction("p", TP, 0.7)));
        h.processElement2(record(FeedbackJoinFunctionTest.feedback("f1", "p", TP + 10, 1.0)));
        h.processElement2(record(FeedbackJoinFunctionTest.feedback("f2", "q", TP + 20, 1.0)));
        assertThat(((FeedbackJoinOperator) h.getOperator()).held()).isEqualTo(2);
        h.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        var restored = harness(FeedbackPolicy.FIRST, 10);
        restored.setup();
        restored.initializeState(snapshot);
        restored.open();
        assertThat(((FeedbackJoinOperator) restored.getOperator()).held()).isEqualTo(2);
        restored.processWatermark1(new Watermark(TP + 100));
        restored.processWatermark2(new Watermark(TP + 100));
        assertThat(restored.extractOutputValues())
                .extracting(Outcome::getFeedbackId)
                .containsExactly("f1");
        assertThat(((FeedbackJoinOperator) restored.getOperator()).held()).isZero();
        restored.close();
    }

    @Test
    void aLabelledPredictionIsForgottenByItsOwnTimerAtDeadlinePlusRetention() throws Exception {
        long retention = FeedbackJoinPropertyTest.RETENTION;
        long forgetAt = TP + WINDOW + retention;
        var h = harness(FeedbackPolicy.FIRST, FeedbackJoinOperator.DEFAULT_CAPACITY, retention);
        h.setup();
        h.open();
        h.processElement1(record(FeedbackJoinFunctionTest.prediction("p", TP, 0.7)));
        h.processElement2(record(FeedbackJoinFunctionTest.feedback("f1", "p", TP + 10, 1.0)));
        watermark(h, TP + 100);
        assertThat(h.extractOutputValues())
                .extracting(Outcome::getFeedbackId)
                .containsExactly("f1");
        // The tombstone is kept in memory until the barrier, and written then.
        FeedbackJoinOperator operator = (FeedbackJoinOperator) h.getOperator();
        assertThat(operator.keptWrites()).isEqualTo(1);
        assertThat(h.numKeyedStateEntries()).isZero();
        h.prepareSnapshotPreBarrier(1);
        assertThat(operator.keptWrites()).isZero();
        // The tombstone, and one timer: the deadline's was replaced by the forget timer.
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        watermark(h, forgetAt - 1);
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        watermark(h, forgetAt);
        h.prepareSnapshotPreBarrier(2);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();

        // Restored with twice the retention: the entry is read and kept until deadline + the new
        // retention, as the function's own timers would keep it.
        var longer = harness(FeedbackPolicy.FIRST, 10, 2 * retention);
        longer.setup();
        longer.initializeState(snapshot);
        longer.open();
        watermark(longer, forgetAt);
        longer.prepareSnapshotPreBarrier(2);
        assertThat(longer.numKeyedStateEntries()).isEqualTo(1);
        // Feedback for it is still recognised: late (after the deadline), not orphan.
        longer.processElement2(
                record(FeedbackJoinFunctionTest.feedback("f2", "p", forgetAt + 1, 1.0)));
        watermark(longer, forgetAt + 2);
        assertThat(longer.getSideOutput(FeedbackJoinFunction.UNMATCHED))
                .extracting(r -> r.getValue().getKind().toString())
                .containsExactly("LATE");
        watermark(longer, TP + WINDOW + 2 * retention);
        longer.prepareSnapshotPreBarrier(3);
        assertThat(longer.numKeyedStateEntries()).isZero();
        assertThat(longer.numEventTimeTimers()).isZero();
        longer.close();
    }

    @Test
    void aKeptPredictionExpiresAtTheWatermarkThatPassesItsDeadline() throws Exception {
        var h = harness(FeedbackPolicy.FIRST, FeedbackJoinOperator.DEFAULT_CAPACITY);
        h.setup();
        h.open();
        h.processElement1(record(FeedbackJoinFunctionTest.prediction("p", TP, 0.7)));
        h.processElement1(record(FeedbackJoinFunctionTest.prediction("q", TP + 5, 0.2)));
        FeedbackJoinOperator operator = (FeedbackJoinOperator) h.getOperator();
        // Kept in memory, their deadline timers not registered yet.
        assertThat(operator.keptWrites()).isEqualTo(2);
        assertThat(h.numEventTimeTimers()).isZero();
        watermark(h, TP + WINDOW - 1);
        assertThat(h.extractOutputValues()).isEmpty();
        // No barrier in between: the watermark that passes p's deadline writes the entries out
        // first, and p's deadline timer fires in that same advance; q's lies ahead.
        watermark(h, TP + WINDOW);
        assertThat(h.extractOutputValues())
                .extracting(o -> o.getPredictionId() + " " + o.getStatus())
                .containsExactly("p EXPIRED");
        assertThat(h.numEventTimeTimers()).isEqualTo(2); // q's deadline, p's forget
        h.close();
    }

    private static void watermark(
            KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Feedback, Outcome> h,
            long time)
            throws Exception {
        h.processWatermark1(new Watermark(time));
        h.processWatermark2(new Watermark(time));
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> StreamRecord<T> record(
            T value) {
        long time =
                value instanceof Prediction p
                        ? p.getEventTime().toEpochMilli()
                        : ((Feedback) value).getEventTime().toEpochMilli();
        return new StreamRecord<>(value, time);
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Feedback, Outcome> harness(
            FeedbackPolicy policy, int capacity) throws Exception {
        return harness(policy, capacity, FeedbackJoinPropertyTest.RETENTION);
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Feedback, Outcome> harness(
            FeedbackPolicy policy, int capacity, long retention) throws Exception {
        return harness(policy, capacity, retention, FeedbackJoinOperator.DEFAULT_KEPT_WRITES);
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Feedback, Outcome> harness(
            FeedbackPolicy policy, int capacity, long retention, int keptWrites) throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new FeedbackJoinOperator(
                        new FeedbackJoinFunction(
                                JoinRules.of(
                                        "fraud",
                                        Duration.ofMillis(WINDOW),
                                        Duration.ofMillis(HOLD),
                                        Duration.ofMillis(retention),
                                        policy)),
                        capacity,
                        keptWrites),
                Prediction::getPredictionId,
                Feedback::getPredictionId,
                Types.STRING);
    }

    /**
     * As {@link FeedbackJoinPropertyTest#run}, with a checkpoint and restore before one arrival.
     */
    static FeedbackJoinPropertyTest.Observed run(
            FeedbackPolicy policy,
            List<Object> arrivals,
            SplittableRandom random,
            int capacity,
            int keptWrites,
            int restoreAt)
            throws Exception {
        long retention = FeedbackJoinPropertyTest.RETENTION;
        var h = harness(policy, capacity, retention, keptWrites);
        List<Outcome> outcomes = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        List<String> predictions = new ArrayList<>();
        try {
            h.setup();
            h.open();
            long wm1 = Long.MIN_VALUE;
            long wm2 = Long.MIN_VALUE;
            long end = TP + WINDOW + FeedbackJoinPropertyTest.RETENTION + 5 * HOLD;
            for (int i = 0; i < arrivals.size(); i++) {
                if (i == restoreAt) {
                    h.prepareSnapshotPreBarrier(i);
                    OperatorSubtaskState snapshot = h.snapshot(i, i);
                    collect(h, outcomes, unmatched, predictions);
                    h.close();
                    h = harness(policy, capacity, retention, keptWrites);
                    h.setup();
                    h.initializeState(snapshot);
                    h.open();
                    // The restored operator starts without watermarks, as after a failover.
                    wm1 = Long.MIN_VALUE;
                    wm2 = Long.MIN_VALUE;
                }
                long bound1 = end;
                long bound2 = end;
                for (Object later : arrivals.subList(i, arrivals.size())) {
                    if (later instanceof Prediction p) {
                        bound1 = Math.min(bound1, p.getEventTime().toEpochMilli() - 1);
                    } else {
                        bound2 =
                                Math.min(
                                        bound2,
                                        ((Feedback) later).getEventTime().toEpochMilli() - 1);
                    }
                }
                if (random.nextInt(3) == 0 && bound1 > wm1) {
                    wm1 = random.nextLong(Math.max(wm1, TP - 5 * HOLD), bound1 + 1);
                    h.processWatermark1(new Watermark(wm1));
                }
                if (random.nextInt(3) == 0 && bound2 > wm2) {
                    wm2 = random.nextLong(Math.max(wm2, TP - 5 * HOLD), bound2 + 1);
                    h.processWatermark2(new Watermark(wm2));
                }
                Object a = arrivals.get(i);
                if (a instanceof Prediction p) {
                    Prediction copy = Prediction.newBuilder(p).build();
                    h.processElement1(new StreamRecord<>(copy, p.getEventTime().toEpochMilli()));
                } else {
                    Feedback f = Feedback.newBuilder((Feedback) a).build();
                    h.processElement2(new StreamRecord<>(f, f.getEventTime().toEpochMilli()));
                }
            }
            h.processWatermark1(new Watermark(Long.MAX_VALUE));
            h.processWatermark2(new Watermark(Long.MAX_VALUE));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(((FeedbackJoinOperator) h.getOperator()).held()).isZero();
            collect(h, outcomes, unmatched, predictions);
        } finally {
            h.close();
        }
        return new FeedbackJoinPropertyTest.Observed(
                outcomes.stream().map(FeedbackJoinPropertyTest::outcome).toList(),
                unmatched,
                predictions);
    }

    private static void collect(
            KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Feedback, Outcome> h,
            List<Outcome> outcomes,
            List<String> unmatched,
            List<String> predictions) {
        outcomes.addAll(h.extractOutputValues());
        var u = h.getSideOutput(FeedbackJoinFunction.UNMATCHED);
        if (u != null) {
            u.forEach(r -> unmatched.add(FeedbackJoinPropertyTest.unmatched(r.getValue())));
        }
        var p = h.getSideOutput(FeedbackJoinFunction.PREDICTIONS);
        if (p != null) {
            p.forEach(r -> predictions.add("duplicate=" + r.getValue().getDuplicate()));
        }
    }
}
