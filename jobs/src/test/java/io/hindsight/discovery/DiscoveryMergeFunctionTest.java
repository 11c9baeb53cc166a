package io.hindsight.discovery;

import static io.hindsight.discovery.DiscoveryTestData.DAY;
import static io.hindsight.discovery.DiscoveryTestData.HOUR;
import static io.hindsight.discovery.DiscoveryTestData.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.schemas.Outcome;
import io.hindsight.window.Partial;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The merge stage in event time: a first test at the cohort's end, updates at most once per metrics
 * window while labels arrive, the final test at end + label window, then neither state nor timers;
 * drained runs test once; snapshot → restore → continue gives the same rows.
 */
class DiscoveryMergeFunctionTest {

    static final DiscoveryConfig CONFIG =
            DiscoveryTestData.binary(List.of("segment", "model_version"), 2, 200);
    static final String KEY = DiscoveryFolder.key("app", T0);
    static final long END = T0 + DAY;
    static final long FINAL = END + 3 * DAY;

    private final List<KeyedOneInputStreamOperatorTestHarness<String, Partial, DiscoveredSlice>>
            harnesses = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
    }

    KeyedOneInputStreamOperatorTestHarness<String, Partial, DiscoveredSlice> harness(
            OperatorSubtaskState restoreFrom) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DiscoveryMergeFunction(CONFIG)),
                        new DiscoveryPipeline.PartialKey(),
                        Types.STRING);
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        harnesses.add(h);
        return h;
    }

    /** Rows of 8 segments × {v6, v7}; segment s3 on v7 is broken. Seeded, so repeatable. */
    static Partial partial(int seed, int perSegment) {
        Random rng = new Random(seed);
        List<Outcome> rows = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            for (int i = 0; i < perSegment; i++) {
                String version = i % 2 == 0 ? "v6" : "v7";
                rows.add(
                        DiscoveryTestData.modelRow(
                                rng,
                                seed + "-" + s + "-" + i,
                                T0 + i * 1000L,
                                DiscoveryTestData.tags(
                                        "segment", "s" + s, "model_version", version),
                                s == 3 && version.equals("v7")));
            }
        }
        CohortCells cells = DiscoveryTestData.fold(CONFIG, rows);
        return new Partial(KEY, T0, END, cells.toBytes());
    }

    static void send(
            KeyedOneInputStreamOperatorTestHarness<String, Partial, DiscoveredSlice> h, Partial p)
            throws Exception {
        h.processElement(new StreamRecord<>(p, p.windowEnd - 1));
    }

    static Set<String> slices(List<DiscoveredSlice> rows) {
        return rows.stream()
                .map(r -> r.getSlice() + " " + r.getMetric())
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void firstTestAtTheCohortsEndThenAtMostOncePerWindowThenFinal() throws Exception {
        var h = harness(null);
        send(h, partial(1, 500));
        h.processWatermark(new Watermark(END - 1));
        assertThat(h.extractOutputValues()).isEmpty();
        h.processWatermark(new Watermark(END));
        List<DiscoveredSlice> first = new ArrayList<>(h.extractOutputValues());
        assertThat(first).isNotEmpty();
        assertThat(first)
                .allSatisfy(
                        r -> {
                            assertThat(r.getRevision()).isEqualTo(1);
                            assertThat(r.getIsFinal()).isFalse();
                            assertThat(r.getAsOf().toEpochMilli()).isEqualTo(END);
                            assertThat(r.getQValue()).isLessThanOrEqualTo(CONFIG.q());
                            assertThat(r.getSupport()).isGreaterThanOrEqualTo(200);
                        });
        assertThat(slices(first)).contains("segment=s3,model_version=v7 auc");

        // More labels an hour later: one update at the next multiple of the window, not before.
        h.getOutput().clear();
        send(h, partial(2, 500));
        h.processWatermark(new Watermark(END + HOUR));
        h.processWatermark(new Watermark(END + DAY - 1));
        assertThat(h.extractOutputValues()).isEmpty();
        h.processWatermark(new Watermark(END + DAY));
        List<DiscoveredSlice> second = new ArrayList<>(h.extractOutputValues());
        assertThat(second).isNotEmpty().allMatch(r -> r.getRevision() == 2 && !r.getIsFinal());
        assertThat(second.get(0).getSupport() + second.get(0).getRestSupport())
                .isEqualTo(2 * 8 * 500);

        // Nothing changed: no test at the next window; the final one at end + label window.
        h.getOutput().clear();
        h.processWatermark(new Watermark(END + 2 * DAY));
        assertThat(h.extractOutputValues()).isEmpty();
        h.processWatermark(new Watermark(FINAL));
        List<DiscoveredSlice> last = h.extractOutputValues();
        assertThat(last).isNotEmpty().allMatch(r -> r.getRevision() == 3 && r.getIsFinal());
        assertThat(slices(last)).isEqualTo(slices(second));
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void aDrainedRunTestsOnceWhenFinalWithTheSameValues() throws Exception {
        var streaming = harness(null);
        send(streaming, partial(1, 500));
        send(streaming, partial(2, 500));
        streaming.processWatermark(new Watermark(FINAL));
        List<DiscoveredSlice> streamed = streaming.extractOutputValues();

        var drained = harness(null);
        send(drained, partial(2, 500));
        send(drained, partial(1, 500));
        drained.processWatermark(new Watermark(Long.MAX_VALUE));
        List<DiscoveredSlice> batch = drained.extractOutputValues();
        assertThat(batch).isNotEmpty().allMatch(r -> r.getRevision() == 1 && r.getIsFinal());
        assertThat(batch).hasSameSizeAs(streamed.stream().filter(r -> r.getIsFinal()).toList());
        List<DiscoveredSlice> streamedFinal =
                streamed.stream().filter(DiscoveredSlice::getIsFinal).toList();
        for (int i = 0; i < batch.size(); i++) {
            DiscoveredSlice a = batch.get(i);
            DiscoveredSlice b = streamedFinal.get(i);
            assertThat(a.getSlice()).isEqualTo(b.getSlice());
            assertThat(a.getMetric()).isEqualTo(b.getMetric());
            assertThat(a.getPValue()).isEqualTo(b.getPValue());
            assertThat(a.getQValue()).isEqualTo(b.getQValue());
            assertThat(a.getAsOf()).isEqualTo(b.getAsOf());
        }
        assertThat(drained.numKeyedStateEntries()).isZero();
    }

    @Test
    void snapshotRestoreContinueGivesTheSameRows() throws Exception {
        var straight = harness(null);
        send(straight, partial(1, 500));
        straight.processWatermark(new Watermark(END));
        send(straight, partial(2, 500));
        straight.processWatermark(new Watermark(END + DAY));
        straight.processWatermark(new Watermark(FINAL));
        List<DiscoveredSlice> expected = straight.extractOutputValues();

        var before = harness(null);
        send(before, partial(1, 500));
        before.processWatermark(new Watermark(END));
        send(before, partial(2, 500));
        List<DiscoveredSlice> rows = new ArrayList<>(before.extractOutputValues());
        OperatorSubtaskState snapshot = before.snapshot(1L, END + 1);
        assertThat(before.numEventTimeTimers()).isEqualTo(2); // the update and the final test

        var after = harness(snapshot);
        assertThat(after.numKeyedStateEntries()).isEqualTo(1);
        assertThat(after.numEventTimeTimers()).isEqualTo(2);
        after.processWatermark(new Watermark(END + DAY));
        after.processWatermark(new Watermark(FINAL));
        rows.addAll(after.extractOutputValues());
        assertThat(rows).isEqualTo(expected);
        assertThat(after.numKeyedStateEntries()).isZero();
        assertThat(after.numEventTimeTimers()).isZero();
    }

    @Test
    void aCohortWhoseFirstLabelsComeLateIsFirstTestedAtTheNextWindowAndLatePartialsGoAside()
            throws Exception {
        var h = harness(null);
        h.processWatermark(new Watermark(END + 2 * HOUR));
        send(h, partial(1, 500));
        assertThat(h.numEventTimeTimers()).isEqualTo(2);
        h.processWatermark(new Watermark(END + DAY - 1));
        assertThat(h.extractOutputValues()).isEmpty();
        h.processWatermark(new Watermark(END + DAY));
        assertThat(h.extractOutputValues())
                .isNotEmpty()
                .allMatch(r -> r.getRevision() == 1 && r.getAsOf().toEpochMilli() == END + DAY);

        h.processWatermark(new Watermark(FINAL));
        h.getOutput().clear();
        send(h, partial(3, 10));
        assertThat(h.getSideOutput(DiscoveryMergeFunction.AFTER_FINAL)).hasSize(1);
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }
}
