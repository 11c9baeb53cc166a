package io.hindsight.drift;

import static io.hindsight.drift.DriftTesting.HOUR;
import static io.hindsight.drift.DriftTesting.T0;
import static io.hindsight.drift.DriftTesting.prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.FeatureKind;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.window.Partial;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The keyed merge stage: timers, state, the rolling reference, restore and late partials. */
class DriftMergeFunctionTest {

    static final JobSpec SPEC = DriftTesting.rolling(2);
    static final String AMOUNT = DriftFolder.key("fraud", "amount");
    static final String CHANNEL = DriftFolder.key("fraud", "channel");

    private final List<KeyedOneInputStreamOperatorTestHarness<String, Partial, DriftResult>>
            harnesses = new ArrayList<>();
    private InterceptingOperatorMetricGroup metrics;

    @AfterEach
    void close() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
    }

    KeyedOneInputStreamOperatorTestHarness<String, Partial, DriftResult> harness(
            OperatorSubtaskState restoreFrom) throws Exception {
        metrics = new InterceptingOperatorMetricGroup();
        InterceptingOperatorMetricGroup operatorMetrics = metrics;
        MockEnvironment env =
                new MockEnvironmentBuilder()
                        .setMetricGroup(
                                new InterceptingTaskMetricGroup() {
                                    @Override
                                    public InternalOperatorMetricGroup getOrAddOperator(
                                            OperatorID id, String name) {
                                        return operatorMetrics;
                                    }
                                })
                        .build();
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DriftMergeFunction(SPEC, "rolling:2", null)),
                        new DriftPipeline.ByKey(),
                        Types.STRING,
                        env);
        harnesses.add(h);
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    long counter(String name) {
        return ((Counter) metrics.get(name)).getCount();
    }

    /** Predictions of window {@code w} (hours after T0): amounts around {@code center}. */
    static List<Prediction> predictions(int w, int n, double center, long seed) {
        Random random = new Random(seed);
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Double amount = i % 10 == 9 ? null : center + random.nextGaussian() * 10;
            String channel = i % 3 == 0 ? "app" : "web";
            out.add(prediction("w" + w + "-" + i, T0 + w * HOUR + i, amount, channel, 0.2));
        }
        return out;
    }

    /** One subtask's partial of {@code target} over {@code predictions}, all in window w. */
    static Partial partial(String target, int w, List<Prediction> predictions) {
        DriftTarget t =
                DriftTarget.of(SPEC).stream()
                        .filter(x -> x.name().equals(target))
                        .findFirst()
                        .orElseThrow();
        FeatureWindow acc = new FeatureWindow(200, 100);
        predictions.forEach(p -> DriftFolder.add(p, t, acc));
        long start = T0 + w * HOUR;
        return new Partial(DriftFolder.key("fraud", target), start, start + HOUR, acc.encode());
    }

    static void send(
            KeyedOneInputStreamOperatorTestHarness<String, Partial, DriftResult> h, Partial p)
            throws Exception {
        h.processElement(new StreamRecord<>(p, p.windowEnd - 1));
    }

    static List<DriftResult> rows(
            KeyedOneInputStreamOperatorTestHarness<String, Partial, DriftResult> h) {
        return new ArrayList<>(h.extractOutputValues());
    }

    static double[] amounts(List<Prediction> predictions) {
        return predictions.stream()
                .filter(p -> p.getNumericFeatures().containsKey("amount"))
                .mapToDouble(p -> p.getNumericFeatures().get("amount"))
                .toArray();
    }

    @Test
    void aWindowsRowIsEmittedOnceWhenTheWatermarkPassesItsEnd() throws Exception {
        var h = harness(null);
        List<Prediction> w0 = predictions(0, 50, 100, 1);
        send(h, partial("amount", 0, w0));
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);

        h.processWatermark(new Watermark(T0 + HOUR - 1));
        assertThat(rows(h)).isEmpty();

        h.processWatermark(new Watermark(T0 + HOUR));
        assertThat(rows(h))
                .singleElement()
                .satisfies(
                        row -> {
                            assertThat(row.getApplication()).isEqualTo("fraud");
                            assertThat(row.getFeature()).isEqualTo("amount");
                            assertThat(row.getKind()).isEqualTo(FeatureKind.NUMERIC);
                            assertThat(row.getWindowStart().toEpochMilli()).isEqualTo(T0);
                            assertThat(row.getWindowEnd().toEpochMilli()).isEqualTo(T0 + HOUR);
                            assertThat(row.getPredictions()).isEqualTo(50);
                            assertThat(row.getValues()).isEqualTo(45);
                            assertThat(row.getMissingRate()).isCloseTo(0.1, within(1e-12));
                            assertThat(row.getOutOfRangeRate()).isZero();
                            assertThat(row.getReference()).isEqualTo("rolling:2");
                            // The first window has no reference: no statistics.
                            assertThat(row.getReferenceValues()).isZero();
                            assertThat(row.getPsi()).isNull();
                            assertThat(row.getJensenShannon()).isNull();
                            assertThat(row.getKolmogorovSmirnov()).isNull();
                            assertThat(row.getDrifted()).isFalse();
                            assertThat(row.getMean()).isEqualTo(Exact.mean(amounts(w0)));
                            assertThat(row.getQuantiles().get("p50"))
                                    .isEqualTo(Exact.quantile(Exact.sorted(amounts(w0)), 0.5));
                        });
        assertThat(counter("driftRows")).isEqualTo(1);

        h.processWatermark(new Watermark(T0 + 10 * HOUR));
        assertThat(rows(h)).hasSize(1);
    }

    @Test
    void partialsFromTwoSubtasksMergeToTheRowOfOne() throws Exception {
        var one = harness(null);
        var two = harness(null);
        for (int w = 0; w < 3; w++) {
            // 96 predictions a window: a reference of two windows stays below k = 200 values.
            List<Prediction> all = predictions(w, 96, 100 + 20 * w, w);
            for (String target : List.of("amount", "channel", "scores")) {
                send(one, partial(target, w, all));
                send(two, partial(target, w, all.subList(0, 47)));
                send(two, partial(target, w, all.subList(47, 96)));
            }
        }
        one.processWatermark(new Watermark(T0 + 3 * HOUR));
        two.processWatermark(new Watermark(T0 + 3 * HOUR));

        // Below k values every sketch is exact, so the rows are equal, not just close.
        assertThat(rows(two)).isEqualTo(rows(one));
        assertThat(rows(one))
                .extracting(DriftResult::getFeature)
                .containsExactlyInAnyOrder(
                        "amount",
                        "channel",
                        "scores.fraud",
                        "scores.legit",
                        "amount",
                        "channel",
                        "scores.fraud",
                        "scores.legit",
                        "amount",
                        "channel",
                        "scores.fraud",
                        "scores.legit");
    }

    @Test
    void theRollingReferenceIsTheMergeOfThePreviousNWindows() throws Exception {
        var h = harness(null);
        List<List<Prediction>> windows = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            windows.add(predictions(w, 80, 100 + 15 * w, 10 + w));
            send(h, partial("amount", w, windows.get(w)));
        }
        h.processWatermark(new Watermark(T0 + 4 * HOUR));
        List<DriftResult> rows = rows(h);
        assertThat(rows).hasSize(4);

        // Window 3 against windows 1 and 2 (N = 2), exactly (fewer than k values).
        DriftResult third = rows.get(3);
        List<Prediction> reference = new ArrayList<>(windows.get(1));
        reference.addAll(windows.get(2));
        double[] ws = Exact.sorted(amounts(windows.get(3)));
        double[] rs = Exact.sorted(amounts(reference));
        assertThat(third.getReferenceValues()).isEqualTo(rs.length);
        assertThat(third.getKolmogorovSmirnov()).isCloseTo(Exact.ks(ws, rs), within(1e-12));
        // σ of the reference from the exact sums the rolling entries kept.
        assertThat(third.getWasserstein())
                .isCloseTo(Exact.wasserstein(ws, rs) / Exact.std(rs), within(1e-12));
        assertThat(rows.get(1).getReferenceValues()).isEqualTo(amounts(windows.get(0)).length);
        assertThat(rows.get(2).getReferenceValues())
                .isEqualTo(amounts(windows.get(0)).length + amounts(windows.get(1)).length);

        // A gap: window 5 (window 4 had no predictions) is compared with window 3 alone.
        List<Prediction> fifth = predictions(5, 60, 100, 99);
        send(h, partial("amount", 5, fifth));
        h.processWatermark(new Watermark(T0 + 6 * HOUR));
        DriftResult row5 = rows(h).get(4);
        assertThat(row5.getWindowStart().toEpochMilli()).isEqualTo(T0 + 5 * HOUR);
        assertThat(row5.getReferenceValues()).isEqualTo(ws.length);
    }

    @Test
    void stateIsBoundedAndClearedAfterTheLastWindowLeavesTheReference() throws Exception {
        var h = harness(null);
        send(h, partial("amount", 0, predictions(0, 30, 100, 1)));
        send(h, partial("amount", 1, predictions(1, 30, 100, 2)));
        // Open windows of one key: one MapState entry, a timer per window end.
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        assertThat(h.numEventTimeTimers()).isEqualTo(2);

        h.processWatermark(new Watermark(T0 + HOUR));
        // Window 0 moved to the rolling reference, with a timer at the end of its last use
        // (T0 + 3h); window 1 is still open.
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        assertThat(h.numEventTimeTimers()).isEqualTo(2);

        h.processWatermark(new Watermark(T0 + 2 * HOUR));
        assertThat(h.numKeyedStateEntries()).isEqualTo(1); // only the rolling reference
        assertThat(h.numEventTimeTimers()).isEqualTo(2); // cleanups at T0 + 3h and T0 + 4h

        h.processWatermark(new Watermark(T0 + 3 * HOUR));
        assertThat(h.numKeyedStateEntries()).isEqualTo(1); // window 1 is still needed
        assertThat(h.numEventTimeTimers()).isEqualTo(1);

        h.processWatermark(new Watermark(T0 + 4 * HOUR));
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(rows(h)).hasSize(2);
    }

    @Test
    void snapshotAndRestoreMidWindowGiveTheSameRows() throws Exception {
        List<Prediction> w0 = predictions(0, 90, 100, 5);
        List<Prediction> w1 = predictions(1, 90, 130, 6);

        var straight = harness(null);
        send(straight, partial("amount", 0, w0));
        send(straight, partial("channel", 0, w0));
        straight.processWatermark(new Watermark(T0 + HOUR));
        send(straight, partial("amount", 1, w1.subList(0, 40)));
        send(straight, partial("amount", 1, w1.subList(40, 90)));
        straight.processWatermark(new Watermark(T0 + 2 * HOUR));

        var before = harness(null);
        send(before, partial("amount", 0, w0));
        send(before, partial("channel", 0, w0));
        before.processWatermark(new Watermark(T0 + HOUR));
        send(before, partial("amount", 1, w1.subList(0, 40)));
        List<DriftResult> rowsBefore = rows(before);
        OperatorSubtaskState snapshot = before.snapshot(1, T0 + HOUR + 1);
        before.close();
        harnesses.remove(before);

        var after = harness(snapshot);
        assertThat(after.numEventTimeTimers()).isEqualTo(3);
        send(after, partial("amount", 1, w1.subList(40, 90)));
        after.processWatermark(new Watermark(T0 + 2 * HOUR));

        List<DriftResult> resumed = new ArrayList<>(rowsBefore);
        resumed.addAll(rows(after));
        assertThat(resumed).isEqualTo(rows(straight));
        assertThat(resumed.get(2).getPsi()).isNotNull();
    }

    @Test
    void aPartialForAnEmittedWindowIsCountedAndLeftOut() throws Exception {
        var h = harness(null);
        send(h, partial("amount", 0, predictions(0, 40, 100, 1)));
        h.processWatermark(new Watermark(T0 + HOUR));
        DriftResult row = rows(h).get(0);

        List<Prediction> late = predictions(0, 10, 500, 2);
        send(h, partial("amount", 0, late));
        h.processWatermark(new Watermark(T0 + 5 * HOUR));

        assertThat(rows(h)).containsExactly(row);
        assertThat(counter("driftLatePartials")).isEqualTo(1);
        assertThat(counter("driftLateValues")).isEqualTo(amounts(late).length);
    }

    @Test
    void categoricalRowsCountCategoriesAndCompareWithTheReference() throws Exception {
        var h = harness(null);
        List<Prediction> w0 = predictions(0, 90, 100, 1);
        List<Prediction> w1 = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            w1.add(prediction("x" + i, T0 + HOUR + i, 1.0, i < 40 ? "pos" : "web", 0.2));
        }
        send(h, partial("channel", 0, w0));
        send(h, partial("channel", 1, w1));
        h.processWatermark(new Watermark(T0 + 2 * HOUR));

        DriftResult second = rows(h).get(1);
        assertThat(second.getKind()).isEqualTo(FeatureKind.CATEGORICAL);
        assertThat(second.getTopCategories()).containsEntry("pos", 40L).containsEntry("web", 20L);
        assertThat(second.getUnseenCategories()).isCloseTo(40 / 60.0, within(1e-12));
        assertThat(second.getChiSquare()).isPositive();
        assertThat(second.getWasserstein()).isNull();
        assertThat(second.getMean()).isNull();
        assertThat(second.getDrifted()).isTrue();
        assertThat(second.getDriftedBy()).containsExactly("jensen_shannon", "psi");
    }
}
