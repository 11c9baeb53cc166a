package io.hindsight.metrics;

import static io.hindsight.metrics.MetricsTestData.DAY;
import static io.hindsight.metrics.MetricsTestData.HOUR;
import static io.hindsight.metrics.MetricsTestData.T0;
import static io.hindsight.metrics.MetricsTestData.outcome;
import static io.hindsight.metrics.MetricsTestData.prediction;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.ExpiredAs;
import io.hindsight.spec.MetricsTask;
import io.hindsight.window.Partial;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The merge stage in event time: revision 1 at the cohort's end, updates as labels arrive at most
 * once per metrics window, the final revision at end + label window, then no state and no timers.
 */
class SliceMetricsMergeFunctionTest {

    static final long LABEL_WINDOW = 3 * DAY;
    static final SliceMetricsConfig CONFIG =
            new SliceMetricsConfig(
                    "app",
                    MetricsTask.BINARY_CLASSIFICATION,
                    DAY,
                    LABEL_WINDOW,
                    List.of(),
                    MetricsTestData.all(MetricsTask.BINARY_CLASSIFICATION),
                    0.5,
                    10,
                    ExpiredAs.NEGATIVE,
                    10);
    static final String KEY = Slices.populationKey("app");
    static final long END = T0 + DAY;
    static final long FINAL = END + LABEL_WINDOW;

    private final List<KeyedOneInputStreamOperatorTestHarness<String, Partial, SliceMetric>>
            harnesses = new ArrayList<>();
    private final List<Prediction> predictions = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
    }

    KeyedOneInputStreamOperatorTestHarness<String, Partial, SliceMetric> harness(
            OperatorSubtaskState restoreFrom) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new SliceMetricsMergeFunction(CONFIG)),
                        new SliceMetricsPipeline.PartialKey(),
                        Types.STRING);
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        harnesses.add(h);
        return h;
    }

    /** A partial of the population of cohort [T0, END) holding these predictions. */
    Partial predictionsPartial(int count) {
        List<Prediction> ps = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Prediction p =
                    prediction("p" + predictions.size(), T0 + predictions.size() * 1000L)
                            .setScore(0.1 + 0.8 * (predictions.size() % 2))
                            .build();
            predictions.add(p);
            ps.add(p);
        }
        return partial(ps, List.of());
    }

    /** A partial holding a final labelled row for prediction i. */
    Partial label(int i, double label) {
        Prediction p = predictions.get(i);
        Outcome o =
                outcome(p, OutcomeStatus.LABELED, "first", 1, true, label, 3_600_000L * (i + 1))
                        .build();
        return partial(List.of(), List.of(o));
    }

    static Partial partial(List<Prediction> ps, List<Outcome> os) {
        CohortAccumulator a =
                TestingAccumulators.fold(CONFIG, ps, os).byWindow.isEmpty()
                        ? CohortAccumulator.create(CONFIG)
                        : TestingAccumulators.fold(CONFIG, ps, os).get(KEY, T0);
        return new Partial(KEY, T0, END, a.toBytes());
    }

    static void send(
            KeyedOneInputStreamOperatorTestHarness<String, Partial, SliceMetric> h, Partial p)
            throws Exception {
        h.processElement(new StreamRecord<>(p, p.windowEnd - 1));
    }

    /**
     * After the last final revision of a slice only its calibration reference is left, with one
     * timer per final cohort; the last ends a reference horizon after the cohort's final time.
     */
    static void assertOnlyTheReferenceLeftUntilItExpires(
            KeyedOneInputStreamOperatorTestHarness<String, Partial, SliceMetric> h,
            long lastWindowEnd)
            throws Exception {
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        long expiry = lastWindowEnd + LABEL_WINDOW + 7 * DAY;
        h.processWatermark(new Watermark(expiry - 1));
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        h.processWatermark(new Watermark(expiry));
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    static List<SliceMetric> rows(
            KeyedOneInputStreamOperatorTestHarness<String, Partial, SliceMetric> h) {
        List<SliceMetric> rows = h.extractOutputValues();
        return rows;
    }

    @Test
    void revisionOneAtWindowEndThenUpdatesAtMostOncePerWindowThenFinal() throws Exception {
        var h = harness(null);
        send(h, predictionsPartial(3));
        assertThat(h.numEventTimeTimers()).isEqualTo(2); // window end, final
        h.processWatermark(new Watermark(END - 1));
        assertThat(rows(h)).isEmpty();
        send(h, predictionsPartial(1)); // a second subtask's partial, before the window's end
        h.processWatermark(new Watermark(END));
        assertThat(rows(h))
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.getRevision()).isEqualTo(1);
                            assertThat(r.getIsFinal()).isFalse();
                            assertThat(r.getAsOf().toEpochMilli()).isEqualTo(END);
                            assertThat(r.getPredictions()).isEqualTo(4);
                            assertThat(r.getLabeled()).isZero();
                            assertThat(r.getScoreMean()).isEqualTo((0.1 + 0.9 + 0.1 + 0.9) / 4);
                            assertThat(r.getSlice()).isEqualTo("*");
                            assertThat(r.getAuc()).isNull();
                        });

        // Two labels within one window of event time: one revision, at the next multiple.
        h.processWatermark(new Watermark(END + HOUR));
        send(h, label(0, 0.0));
        h.processWatermark(new Watermark(END + 5 * HOUR));
        send(h, label(1, 1.0));
        h.processWatermark(new Watermark(END + DAY - 1));
        assertThat(rows(h)).hasSize(1);
        h.processWatermark(new Watermark(END + DAY));
        assertThat(rows(h)).hasSize(2);
        SliceMetric second = rows(h).get(1);
        assertThat(second.getRevision()).isEqualTo(2);
        assertThat(second.getAsOf().toEpochMilli()).isEqualTo(END + DAY);
        assertThat(second.getLabeled()).isEqualTo(2);
        assertThat(second.getLabelCoverage()).isEqualTo(0.5);
        assertThat(second.getAuc()).isEqualTo(1.0);

        // Nothing changed: no revision at the next multiple.
        h.processWatermark(new Watermark(END + 2 * DAY));
        assertThat(rows(h)).hasSize(2);

        // A label in the last window, then the final revision at end + label window.
        send(h, label(2, 0.0));
        h.processWatermark(new Watermark(FINAL - 1));
        assertThat(rows(h)).hasSize(2); // next multiple would be the final time: the final row
        h.processWatermark(new Watermark(FINAL));
        assertThat(rows(h)).hasSize(3);
        SliceMetric last = rows(h).get(2);
        assertThat(last.getRevision()).isEqualTo(3);
        assertThat(last.getIsFinal()).isTrue();
        assertThat(last.getAsOf().toEpochMilli()).isEqualTo(FINAL);
        assertThat(last.getLabeled()).isEqualTo(3);
        assertThat(last.getSupport()).isEqualTo(3);

        assertOnlyTheReferenceLeftUntilItExpires(h, END);

        // A partial after the final revision is counted and sent to the side output.
        send(h, label(3, 1.0));
        assertThat(h.getSideOutput(SliceMetricsMergeFunction.AFTER_FINAL)).hasSize(1);
        assertThat(h.numKeyedStateEntries()).isZero();
        h.processWatermark(new Watermark(FINAL + 10 * DAY));
        assertThat(rows(h)).hasSize(3);
    }

    @Test
    void atTheEndOfInputOnlyFinalRevisionsAreEmitted() throws Exception {
        // A drained run: every timer fires at watermark Long.MAX_VALUE with the whole input
        // merged. A revision 1 "as of" the window's end would count labels and expiries that
        // could not be known then, so the cohort gets its final row only.
        var h = harness(null);
        send(h, predictionsPartial(2));
        send(h, label(0, 1.0));
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(rows(h))
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.getRevision()).isEqualTo(1);
                            assertThat(r.getIsFinal()).isTrue();
                            assertThat(r.getAsOf().toEpochMilli()).isEqualTo(FINAL);
                            assertThat(r.getLabeled()).isEqualTo(1);
                        });
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void aStreamingRunDrainedAtTheEndSkipsTheUpdateThatWasStillDue() throws Exception {
        var h = harness(null);
        send(h, predictionsPartial(2));
        h.processWatermark(new Watermark(END));
        send(h, label(0, 1.0)); // its update is due at END + DAY
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(rows(h))
                .extracting(
                        SliceMetric::getRevision, SliceMetric::getIsFinal, SliceMetric::getLabeled)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, false, 0L),
                        org.assertj.core.groups.Tuple.tuple(2, true, 1L));
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void aPredictionLateForRevisionOneShowsInTheNextRevision() throws Exception {
        var h = harness(null);
        send(h, predictionsPartial(2));
        h.processWatermark(new Watermark(END + HOUR));
        send(h, predictionsPartial(1)); // behind the watermark, within the label window
        h.processWatermark(new Watermark(END + DAY));
        assertThat(rows(h)).extracting(SliceMetric::getPredictions).containsExactly(2L, 3L);
    }

    @Test
    void snapshotAndRestoreBetweenRevisionsGiveTheSameRows() throws Exception {
        var original = harness(null);
        send(original, predictionsPartial(4));
        original.processWatermark(new Watermark(END));
        send(original, label(0, 1.0));
        original.processWatermark(new Watermark(END + DAY));
        send(original, label(1, 0.0)); // changed, its update timer pending
        OperatorSubtaskState snapshot = original.snapshot(1, END + DAY);
        int before = rows(original).size();

        var restored = harness(snapshot);
        assertThat(restored.numKeyedStateEntries()).isEqualTo(original.numKeyedStateEntries());
        assertThat(restored.numEventTimeTimers()).isEqualTo(original.numEventTimeTimers());
        for (var h : List.of(original, restored)) {
            h.processWatermark(new Watermark(END + 2 * DAY));
            send(h, label(2, 1.0));
            h.processWatermark(new Watermark(FINAL));
        }
        List<SliceMetric> after = rows(original).subList(before, rows(original).size());
        // Revision 3 at END + 2 days; the last label's update would fall on the final time, so it
        // is in the final revision 4.
        assertThat(after)
                .extracting(SliceMetric::getRevision, SliceMetric::getIsFinal)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(3, false),
                        org.assertj.core.groups.Tuple.tuple(4, true));
        assertThat(rows(restored)).isEqualTo(after);
        assertThat(after.get(1).getLabeled()).isEqualTo(3);
        assertOnlyTheReferenceLeftUntilItExpires(restored, END);
    }

    @Test
    void cohortsOfOneSliceAreIndependent() throws Exception {
        var h = harness(null);
        send(h, predictionsPartial(1));
        Prediction next = prediction("next", END + 5).setScore(0.7).build();
        CohortAccumulator a =
                TestingAccumulators.fold(CONFIG, List.of(next), List.of()).get(KEY, END);
        send(h, new Partial(KEY, END, END + DAY, a.toBytes()));
        h.processWatermark(new Watermark(END + DAY));
        assertThat(rows(h))
                .extracting(r -> r.getWindowStart().toEpochMilli(), SliceMetric::getRevision)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(T0, 1),
                        org.assertj.core.groups.Tuple.tuple(END, 1));
        h.processWatermark(new Watermark(FINAL));
        assertThat(rows(h))
                .last()
                .satisfies(r -> assertThat(r.getWindowStart().toEpochMilli()).isEqualTo(T0));
        assertThat(rows(h)).last().satisfies(r -> assertThat(r.getIsFinal()).isTrue());
        // The next cohort waits for its final (one map entry), the first is in the reference.
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        h.processWatermark(new Watermark(FINAL + DAY));
        assertOnlyTheReferenceLeftUntilItExpires(h, END + DAY);
        assertThat(
                        rows(h).stream()
                                .map(r -> Map.entry(r.getWindowStart(), r.getRevision()))
                                .distinct())
                .hasSize(rows(h).size());
    }
}
