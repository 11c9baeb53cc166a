package io.hindsight.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.UnmatchedFeedback;
import io.hindsight.schemas.UnmatchedKind;
import io.hindsight.spec.FeedbackPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The feedback join's timers, watermarks, state entries and policies, in event time. */
class FeedbackJoinFunctionTest {

    static final long MIN = 60_000L;
    static final long HOUR = 60 * MIN;
    static final long DAY = 24 * HOUR;
    static final long WINDOW = 60 * DAY;
    static final long HOLD = HOUR;
    static final long RETENTION = 7 * DAY;
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Feedback, Outcome> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    static JoinRules rules(FeedbackPolicy policy) {
        return JoinRules.of(
                "fraud",
                Duration.ofMillis(WINDOW),
                Duration.ofMillis(HOLD),
                Duration.ofMillis(RETENTION),
                policy);
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Feedback, Outcome> harness(
            FeedbackPolicy policy) throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new FeedbackJoinFunction(rules(policy))),
                        Prediction::getPredictionId,
                        Feedback::getPredictionId,
                        Types.STRING);
        h.setup();
        h.open();
        return h;
    }

    static Prediction prediction(String id, long time, double score) {
        return Prediction.newBuilder()
                .setApplication("fraud")
                .setPredictionId(id)
                .setEventTime(Instant.ofEpochMilli(time))
                .setModelName("gbm")
                .setModelVersion("v7")
                .setScore(score)
                .setNumericFeatures(Map.of("amount", 42.0))
                .setCategoricalFeatures(Map.of("channel", "web"))
                .setTags(Map.of("country", "BR"))
                .build();
    }

    static Feedback feedback(String id, String predictionId, long time, Double label) {
        return Feedback.newBuilder()
                .setApplication("fraud")
                .setFeedbackId(id)
                .setPredictionId(predictionId)
                .setEventTime(Instant.ofEpochMilli(time))
                .setLabel(label)
                .build();
    }

    void predict(String id, long time) throws Exception {
        harness.processElement1(new StreamRecord<>(prediction(id, time, 0.9), time));
    }

    void feed(String id, String predictionId, long time, Double label) throws Exception {
        harness.processElement2(new StreamRecord<>(feedback(id, predictionId, time, label), time));
    }

    void watermark(long time) throws Exception {
        harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(time));
    }

    List<Outcome> outcomes() {
        return harness.extractOutputValues();
    }

    List<UnmatchedFeedback> unmatched() {
        var queue = harness.getSideOutput(FeedbackJoinFunction.UNMATCHED);
        return queue == null
                ? List.of()
                : queue.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    List<Prediction> predictionsOut() {
        var queue = harness.getSideOutput(FeedbackJoinFunction.PREDICTIONS);
        return queue == null
                ? List.of()
                : queue.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void predictionWaitsTheWholeLabelWindowThenExpires() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        predict("p1", T0);
        assertThat(predictionsOut()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        watermark(T0 + WINDOW - 1);
        assertThat(outcomes()).isEmpty();

        watermark(T0 + WINDOW);
        assertThat(outcomes())
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.getStatus()).isEqualTo(OutcomeStatus.EXPIRED);
                            assertThat(o.getIsFinal()).isTrue();
                            assertThat(o.getRevision()).isEqualTo(1);
                            assertThat(o.getFeedbackCount()).isZero();
                            assertThat(o.getLabel()).isNull();
                            assertThat(o.getResolvedTime())
                                    .isEqualTo(Instant.ofEpochMilli(T0 + WINDOW));
                        });
        // A tombstone remains for the late-feedback retention, then nothing.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        watermark(T0 + WINDOW + RETENTION);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void firstPolicyEmitsFinalRowWhenWatermarkPassesFeedback() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        predict("p1", T0);
        feed("f1", "p1", T0 + 3 * DAY, 1.0);
        assertThat(outcomes()).isEmpty();

        watermark(T0 + 3 * DAY);
        Outcome o = outcomes().get(0);
        assertThat(outcomes()).hasSize(1);
        assertThat(o.getStatus()).isEqualTo(OutcomeStatus.LABELED);
        assertThat(o.getIsFinal()).isTrue();
        assertThat(o.getLabel()).isEqualTo(1.0);
        assertThat(o.getFeedbackId()).isEqualTo("f1");
        assertThat(o.getLabelDelayMs()).isEqualTo(3 * DAY);
        assertThat(o.getScore()).isEqualTo(0.9);
        assertThat(o.getTags()).containsEntry("country", "BR");
        assertThat(o.getPolicy()).isEqualTo("first");

        // A second feedback inside the window is EXTRA, never a second final row.
        feed("f2", "p1", T0 + 4 * DAY, 0.0);
        watermark(T0 + WINDOW + RETENTION);
        assertThat(outcomes()).hasSize(1);
        assertThat(unmatched())
                .extracting(UnmatchedFeedback::getKind)
                .containsExactly(UnmatchedKind.EXTRA);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aPredictionResolvedEarlyWaitsOnlyForItsTombstoneTimer() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        predict("p1", T0);
        feed("f1", "p1", T0 + MIN, 1.0);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2); // deadline, feedback time
        watermark(T0 + MIN);
        assertThat(outcomes()).hasSize(1);
        // The deadline timer was replaced by the one that forgets the key.
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        // Past the deadline, feedback stamped inside the window is still EXTRA and feedback stamped
        // after it LATE: by event time, as while the window was open.
        watermark(T0 + WINDOW + DAY);
        feed("inside", "p1", T0 + DAY, 0.0);
        feed("beyond", "p1", T0 + WINDOW + HOUR, 0.0);
        assertThat(unmatched())
                .extracting(u -> u.getFeedbackId() + ":" + u.getKind())
                .containsExactly("inside:EXTRA", "beyond:LATE");

        watermark(T0 + WINDOW + RETENTION - 1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        watermark(T0 + WINDOW + RETENTION);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(outcomes()).hasSize(1);
    }

    @Test
    void feedbackBeyondTheRetentionIsHeldUntilTheWindowClosesThenOrphanAndItsIdKept()
            throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        predict("p1", T0);
        feed("f1", "p1", T0 + MIN, 1.0);
        feed("beyond", "p1", T0 + WINDOW + DAY, 0.0);
        feed("forgotten", "p1", T0 + WINDOW + RETENTION + 1, 0.0);
        // Late by its own time: reported on arrival.
        assertThat(unmatched())
                .extracting(u -> u.getFeedbackId() + ":" + u.getKind())
                .containsExactly("beyond:LATE");
        watermark(T0 + MIN);
        assertThat(outcomes()).hasSize(1);
        // Stamped after deadline + retention: orphan, as if the prediction were forgotten, decided
        // when the window closes.
        watermark(T0 + WINDOW);
        assertThat(unmatched())
                .extracting(u -> u.getFeedbackId() + ":" + u.getKind() + "@" + u.getResolvedTime())
                .containsExactly(
                        "beyond:LATE@" + Instant.ofEpochMilli(T0 + WINDOW + DAY),
                        "forgotten:ORPHAN@"
                                + Instant.ofEpochMilli(T0 + WINDOW + RETENTION + 1 + HOLD));
        // Its id outlives the tombstone until its orphan time: a re-sent copy is a duplicate.
        watermark(T0 + WINDOW + RETENTION);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        feed("forgotten", "p1", T0 + WINDOW + RETENTION + 1, 0.0);
        assertThat(unmatched().get(2).getKind()).isEqualTo(UnmatchedKind.DUPLICATE);
        watermark(T0 + WINDOW + RETENTION + 1 + HOLD);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void feedbackStampedMoreThanTheHoldBeforeItsPredictionIsOrphanInEveryArrivalOrder()
            throws Exception {
        String reason =
                "no prediction with id 'p1' arrived within the early-feedback hold of 3600000 ms"
                        + " after the feedback's event time";
        // Arrival orders: feedback first with the hold timer not yet fired; feedback first with
        // the watermark held back; feedback after the prediction; feedback after the final row.
        for (int order = 0; order < 4; order++) {
            harness = harness(FeedbackPolicy.FIRST);
            long tooEarly = T0 - HOLD - 1;
            long justInTime = T0 - HOLD;
            if (order < 2) {
                feed("too-early", "p1", tooEarly, 1.0);
                feed("just-in-time", "p1", justInTime, 0.0);
                if (order == 1) {
                    watermark(tooEarly - 1);
                }
                predict("p1", T0);
            } else if (order == 2) {
                predict("p1", T0);
                feed("just-in-time", "p1", justInTime, 0.0);
                feed("too-early", "p1", tooEarly, 1.0);
            } else {
                predict("p1", T0);
                feed("just-in-time", "p1", justInTime, 0.0);
                watermark(T0);
                feed("too-early", "p1", tooEarly, 1.0);
            }
            watermark(Long.MAX_VALUE);
            int o = order;
            assertThat(outcomes())
                    .as("order %d", o)
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.getFeedbackId()).isEqualTo("just-in-time");
                                assertThat(r.getLabelDelayMs()).isEqualTo(-HOLD);
                                assertThat(r.getResolvedTime()).isEqualTo(Instant.ofEpochMilli(T0));
                            });
            assertThat(unmatched())
                    .as("order %d", o)
                    .singleElement()
                    .satisfies(
                            u -> {
                                assertThat(u.getFeedbackId()).isEqualTo("too-early");
                                assertThat(u.getKind()).isEqualTo(UnmatchedKind.ORPHAN);
                                assertThat(u.getPredictionTime()).isNull();
                                assertThat(u.getReason()).isEqualTo(reason);
                                assertThat(u.getResolvedTime())
                                        .isEqualTo(Instant.ofEpochMilli(tooEarly + HOLD));
                            });
            assertThat(harness.numKeyedStateEntries()).isZero();
            harness.close();
        }
        harness = null;
    }

    @Test
    void firstMeansEarliestEventTimeNotEarliestArrival() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        predict("p1", T0);
        feed("late-arriving-but-later", "p1", T0 + 10 * MIN, 0.0);
        feed("early", "p1", T0 + 5 * MIN, 1.0);
        watermark(T0 + HOUR);
        assertThat(outcomes())
                .singleElement()
                .satisfies(o -> assertThat(o.getFeedbackId()).isEqualTo("early"));
        assertThat(unmatched())
                .extracting(UnmatchedFeedback::getFeedbackId)
                .containsExactly("late-arriving-but-later");
    }

    @Test
    void lateOrExtraIsDecidedByTheFeedbacksTimeNotByItsArrival() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        predict("p1", T0);
        feed("first", "p1", T0 + MIN, 1.0);
        watermark(T0 + MIN);
        // Both arrive while the prediction is resolved but its window is open.
        feed("inside", "p1", T0 + DAY, 0.0);
        feed("beyond", "p1", T0 + WINDOW + DAY, 0.0);
        assertThat(unmatched())
                .extracting(u -> u.getFeedbackId() + ":" + u.getKind() + "@" + u.getResolvedTime())
                .containsExactly(
                        "inside:EXTRA@" + Instant.ofEpochMilli(T0 + DAY),
                        "beyond:LATE@" + Instant.ofEpochMilli(T0 + WINDOW + DAY));
        assertThat(outcomes().get(0).getResolvedTime()).isEqualTo(Instant.ofEpochMilli(T0 + MIN));
    }

    @Test
    void feedbackBeforePredictionIsHeldAndJoined() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        feed("f1", "p1", T0 - 2 * MIN, 1.0);
        watermark(T0 + 10 * MIN);
        assertThat(outcomes()).isEmpty();
        assertThat(unmatched()).isEmpty();

        predict("p1", T0);
        watermark(T0 + 11 * MIN);
        assertThat(outcomes())
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.getFeedbackId()).isEqualTo("f1");
                            assertThat(o.getLabelDelayMs()).isEqualTo(-2 * MIN);
                        });
    }

    @Test
    void feedbackWithoutPredictionBecomesOrphanAfterTheHold() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        feed("f1", "ghost", T0, 1.0);
        watermark(T0 + HOLD - 1);
        assertThat(unmatched()).isEmpty();
        watermark(T0 + HOLD);
        assertThat(unmatched())
                .singleElement()
                .satisfies(
                        u -> {
                            assertThat(u.getKind()).isEqualTo(UnmatchedKind.ORPHAN);
                            assertThat(u.getPredictionTime()).isNull();
                            assertThat(u.getReason())
                                    .isEqualTo(
                                            "no prediction with id 'ghost' arrived within the"
                                                    + " early-feedback hold of 3600000 ms after the"
                                                    + " feedback's event time");
                        });
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void duplicatesAreIdempotent() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        predict("p1", T0);
        predict("p1", T0);
        feed("f1", "p1", T0 + MIN, 1.0);
        feed("f1", "p1", T0 + MIN, 1.0);
        watermark(T0 + WINDOW + RETENTION);

        assertThat(predictionsOut())
                .extracting(Prediction::getDuplicate)
                .containsExactly(false, true);
        assertThat(outcomes()).hasSize(1);
        assertThat(unmatched())
                .extracting(UnmatchedFeedback::getKind)
                .containsExactly(UnmatchedKind.DUPLICATE);
    }

    @Test
    void feedbackAfterTheWindowIsLateWhileTheTombstoneLivesThenOrphan() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        predict("p1", T0);
        // Feedback stamped after the deadline, arriving while the prediction still waits.
        feed("beyond", "p1", T0 + WINDOW + DAY, 1.0);
        watermark(T0 + WINDOW);
        assertThat(outcomes())
                .extracting(Outcome::getStatus)
                .containsExactly(OutcomeStatus.EXPIRED);
        assertThat(unmatched())
                .extracting(UnmatchedFeedback::getKind)
                .containsExactly(UnmatchedKind.LATE);
        assertThat(unmatched().get(0).getPredictionTime()).isEqualTo(Instant.ofEpochMilli(T0));

        // Arriving after the window closed, during retention: late.
        feed("after-close", "p1", T0 + 2 * DAY, 1.0);
        assertThat(unmatched())
                .extracting(UnmatchedFeedback::getKind)
                .containsExactly(UnmatchedKind.LATE, UnmatchedKind.LATE);

        // After retention the key is forgotten: feedback is then orphan.
        watermark(T0 + WINDOW + RETENTION);
        feed("much-later", "p1", T0 + WINDOW + RETENTION + 1, 1.0);
        watermark(T0 + WINDOW + RETENTION + 1 + HOLD);
        assertThat(unmatched())
                .extracting(UnmatchedFeedback::getKind)
                .containsExactly(UnmatchedKind.LATE, UnmatchedKind.LATE, UnmatchedKind.ORPHAN);
        assertThat(outcomes()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void lastPolicyRevisesUntilTheWindowEnds() throws Exception {
        harness = harness(FeedbackPolicy.LAST);
        predict("p1", T0);
        feed("up", "p1", T0 + MIN, 1.0);
        watermark(T0 + MIN);
        feed("down", "p1", T0 + 2 * MIN, 0.0);
        watermark(T0 + 2 * MIN);
        watermark(T0 + WINDOW);

        List<Outcome> rows = outcomes();
        assertThat(rows).extracting(Outcome::getRevision).containsExactly(1, 2, 3);
        assertThat(rows).extracting(Outcome::getIsFinal).containsExactly(false, false, true);
        assertThat(rows).extracting(Outcome::getLabel).containsExactly(1.0, 0.0, 0.0);
        assertThat(rows.get(2).getFeedbackId()).isEqualTo("down");
        assertThat(rows.get(2).getFeedbackCount()).isEqualTo(2);
        assertThat(rows.get(2).getLabelDelayMs()).isEqualTo(MIN);
    }

    @Test
    void allPolicyEmitsOneFinalRowPerFeedback() throws Exception {
        harness = harness(FeedbackPolicy.ALL);
        predict("p1", T0);
        predict("p2", T0);
        feed("c1", "p1", T0 + MIN, 1.0);
        feed("c2", "p1", T0 + 2 * MIN, 1.0);
        watermark(T0 + WINDOW);
        assertThat(outcomes())
                .extracting(o -> o.getPredictionId() + "/" + o.getRevision() + "/" + o.getStatus())
                .containsExactlyInAnyOrder("p1/1/LABELED", "p1/2/LABELED", "p2/1/EXPIRED");
        assertThat(outcomes()).allMatch(Outcome::getIsFinal);
    }

    @Test
    void aggregatePoliciesComputeTheirLabel() throws Exception {
        for (var c :
                List.of(
                        Map.entry(FeedbackPolicy.MAX, 5.0),
                        Map.entry(FeedbackPolicy.MIN, 1.0),
                        Map.entry(FeedbackPolicy.SUM, 9.0),
                        Map.entry(FeedbackPolicy.MEAN, 3.0),
                        Map.entry(FeedbackPolicy.COUNT, 3.0))) {
            harness = harness(c.getKey());
            predict("p1", T0);
            feed("a", "p1", T0 + MIN, 3.0);
            feed("b", "p1", T0 + 2 * MIN, 5.0);
            feed("c", "p1", T0 + 3 * MIN, 1.0);
            watermark(T0 + WINDOW);
            Outcome last = outcomes().get(outcomes().size() - 1);
            assertThat(last.getIsFinal()).as(c.getKey().name()).isTrue();
            assertThat(last.getLabel()).as(c.getKey().name()).isEqualTo(c.getValue());
            assertThat(last.getFeedbackCount()).isEqualTo(3);
            assertThat(outcomes().stream().filter(Outcome::getIsFinal)).hasSize(1);
            harness.close();
        }
        harness = null;
    }

    @Test
    void snapshotRestoreContinue() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        predict("p1", T0);
        predict("p2", T0 + HOUR);
        feed("early", "p3", T0, 1.0);
        watermark(T0 + MIN);
        OperatorSubtaskState snapshot = harness.snapshot(1L, T0 + MIN);
        harness.close();

        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(
                                new FeedbackJoinFunction(rules(FeedbackPolicy.FIRST))),
                        Prediction::getPredictionId,
                        Feedback::getPredictionId,
                        Types.STRING);
        harness.setup();
        harness.initializeState(snapshot);
        harness.open();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(3);

        predict("p3", T0 + 2 * MIN);
        feed("f2", "p2", T0 + 2 * HOUR, 0.0);
        watermark(T0 + WINDOW + HOUR + RETENTION);
        assertThat(outcomes())
                .extracting(o -> o.getPredictionId() + ":" + o.getStatus())
                .containsExactlyInAnyOrder("p1:EXPIRED", "p2:LABELED", "p3:LABELED");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Feedback, Outcome> restored(
            OperatorSubtaskState snapshot, JoinRules rules) throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new FeedbackJoinFunction(rules)),
                        Prediction::getPredictionId,
                        Feedback::getPredictionId,
                        Types.STRING);
        h.setup();
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    @Test
    void aPredictionKeepsTheLabelWindowItWasAdmittedUnder() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        predict("old", T0);
        OperatorSubtaskState snapshot = harness.snapshot(1L, T0);
        harness.close();

        // The next job version lengthens the label window to 90 days. The old prediction's timer
        // was registered for day 60; it must still resolve then, not be stranded.
        harness =
                restored(
                        snapshot,
                        JoinRules.of(
                                "fraud",
                                Duration.ofDays(90),
                                Duration.ofMillis(HOLD),
                                Duration.ofMillis(RETENTION),
                                FeedbackPolicy.FIRST));
        predict("new", T0);
        watermark(T0 + WINDOW);
        assertThat(outcomes()).extracting(Outcome::getPredictionId).containsExactly("old");
        watermark(T0 + 90 * DAY);
        assertThat(outcomes()).extracting(Outcome::getPredictionId).containsExactly("old", "new");
        watermark(T0 + 90 * DAY + RETENTION);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aLongerHoldAfterAnUpgradeStillEndsInOrphan() throws Exception {
        harness = harness(FeedbackPolicy.FIRST);
        feed("f", "ghost", T0, 1.0);
        OperatorSubtaskState snapshot = harness.snapshot(1L, T0);
        harness.close();

        harness =
                restored(
                        snapshot,
                        JoinRules.of(
                                "fraud",
                                Duration.ofMillis(WINDOW),
                                Duration.ofMillis(2 * HOLD),
                                Duration.ofMillis(RETENTION),
                                FeedbackPolicy.FIRST));
        watermark(T0 + HOLD);
        assertThat(unmatched()).isEmpty();
        watermark(T0 + 2 * HOLD);
        assertThat(unmatched())
                .extracting(UnmatchedFeedback::getKind)
                .containsExactly(UnmatchedKind.ORPHAN);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void anUnknownStateVersionIsRefusedWithAPointerToTheMigrations() {
        byte[] v1 = {1, 0};
        assertThatThrownBy(() -> JoinState.decode(v1))
                .hasMessage(
                        "unrecognized feedback-join state version 1 (this build reads versions 2"
                                + " and 3); migrate the savepoint with state-migrations first");
    }

    @Test
    void endOfInputDrainsEveryEntry() throws Exception {
        harness = harness(FeedbackPolicy.LAST);
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            long t = T0 + random.nextLong(30 * DAY);
            if (random.nextInt(10) < 8) {
                predict("p" + i, t);
            }
            for (int k = random.nextInt(3); k > 0; k--) {
                feed("f" + i + "-" + k, "p" + i, t + random.nextLong(-HOUR, 70 * DAY), 1.0);
            }
        }
        watermark(Long.MAX_VALUE);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
