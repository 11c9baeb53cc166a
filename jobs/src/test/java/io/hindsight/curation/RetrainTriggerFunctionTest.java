package io.hindsight.curation;

import static io.hindsight.curation.CurationTesting.DAY;
import static io.hindsight.curation.CurationTesting.HOUR;
import static io.hindsight.curation.CurationTesting.T0;
import static io.hindsight.curation.CurationTesting.rule;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.spec.CurationSampling;
import io.hindsight.spec.RetrainTriggerSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Retraining triggers: one event per firing, the same through a crash and restart. */
class RetrainTriggerFunctionTest {

    static final RetrainTriggerSpec ON_ALERT =
            new RetrainTriggerSpec(
                    "recall_down", "recall-drop", Duration.ofHours(6), null, 0, "br");
    static final RetrainTriggerSpec ON_DATASET =
            new RetrainTriggerSpec("enough_labels", null, null, "br", 100, "br");
    static final CurationRule BR =
            CurationTesting.compiled(rule("br", CurationSampling.UNIFORM, 50, Duration.ofDays(1)))
                    .get("br");

    static KeyedOneInputStreamOperatorTestHarness<String, RetrainSignal, RetrainEvent> harness(
            OperatorSubtaskState restore) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new RetrainTriggerFunction(
                                        "fraud",
                                        Map.of(
                                                ON_ALERT.name(), ON_ALERT,
                                                ON_DATASET.name(), ON_DATASET),
                                        Map.of(
                                                ON_ALERT.name(), "hindsight.fraud_curated_br",
                                                ON_DATASET.name(), "hindsight.fraud_curated_br"),
                                        Map.of(ON_ALERT.name(), BR, ON_DATASET.name(), BR))),
                        (RetrainSignal s) -> s.key,
                        Types.STRING);
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    static RetrainSignal alert(boolean firing, long at) {
        return RetrainSignal.alert(ON_ALERT.name(), "*", firing, at);
    }

    static RetrainSignal period(int day, long labeled) {
        long start = T0 + day * DAY;
        return RetrainSignal.period(
                ON_DATASET.name(),
                new CurationPeriod(
                        "br",
                        null,
                        start,
                        start + DAY,
                        start + DAY - 1,
                        BR.tag(start),
                        50,
                        labeled));
    }

    @Test
    void anAlertFiringForTheDurationFiresOnceAtSincePlusDuration() throws Exception {
        try (var h = harness(null)) {
            h.processElement(alert(true, T0 + HOUR), T0 + HOUR);
            h.processElement(alert(true, T0 + HOUR), T0 + HOUR); // a replayed FIRING
            h.processWatermark(T0 + 7 * HOUR - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(T0 + 7 * HOUR);
            h.processWatermark(T0 + 20 * HOUR);

            List<RetrainEvent> events = h.extractOutputValues();
            assertThat(events).hasSize(1);
            RetrainEvent e = events.get(0);
            assertThat(e.application).isEqualTo("fraud");
            assertThat(e.trigger).isEqualTo("recall_down");
            assertThat(e.firedAt).isEqualTo(T0 + 7 * HOUR);
            assertThat(e.reason)
                    .isEqualTo(
                            "alert 'recall-drop' on * has been firing for 6h (since"
                                    + " 2026-03-01T01:00:00Z)");
            assertThat(e.datasetTable).isEqualTo("hindsight.fraud_curated_br");
            // The latest day of the dataset that had closed at 07:00 on 1 March: 28 February.
            assertThat(e.datasetTag).isEqualTo("fraud-br-2026-02-28");
        }
    }

    @Test
    void anAlertThatResolvesSoonerFiresNothingAndALaterResolvedFiresTheSameEvent()
            throws Exception {
        List<RetrainEvent> streaming;
        try (var h = harness(null)) {
            h.processElement(alert(true, T0), T0);
            h.processElement(alert(false, T0 + 5 * HOUR), T0 + 5 * HOUR);
            h.processWatermark(T0 + DAY);
            assertThat(h.extractOutputValues()).isEmpty();

            h.processElement(alert(true, T0 + 2 * DAY), T0 + 2 * DAY);
            h.processWatermark(T0 + 3 * DAY);
            h.processElement(alert(false, T0 + 3 * DAY + HOUR), T0 + 3 * DAY + HOUR);
            streaming = h.extractOutputValues();
        }
        // As a drained BATCH run sees it: every change before any timer.
        List<RetrainEvent> batch;
        try (var h = harness(null)) {
            h.processElement(alert(true, T0), T0);
            h.processElement(alert(false, T0 + 5 * HOUR), T0 + 5 * HOUR);
            h.processElement(alert(true, T0 + 2 * DAY), T0 + 2 * DAY);
            h.processElement(alert(false, T0 + 3 * DAY + HOUR), T0 + 3 * DAY + HOUR);
            h.processWatermark(Long.MAX_VALUE);
            batch = h.extractOutputValues();
        }
        assertThat(streaming).hasSize(1);
        assertThat(streaming.get(0).firedAt).isEqualTo(T0 + 2 * DAY + 6 * HOUR);
        assertThat(batch).containsExactlyElementsOf(streaming);
    }

    @Test
    void emittedOnceThroughACrashAndRestart() throws Exception {
        OperatorSubtaskState afterFiring;
        List<RetrainEvent> first;
        try (var h = harness(null)) {
            h.processElement(alert(true, T0), T0);
            h.processWatermark(T0 + 6 * HOUR);
            first = new ArrayList<>(h.extractOutputValues());
            afterFiring = h.snapshot(1, 1);
        }
        try (var h = harness(afterFiring)) {
            // The sources replay from the checkpoint; the same FIRING and watermarks come again.
            h.processElement(alert(true, T0), T0);
            h.processWatermark(T0 + 6 * HOUR);
            h.processWatermark(T0 + 2 * DAY);
            assertThat(h.extractOutputValues()).isEmpty();
        }
        assertThat(first).hasSize(1);

        OperatorSubtaskState beforeFiring;
        try (var h = harness(null)) {
            h.processElement(alert(true, T0), T0);
            beforeFiring = h.snapshot(1, 1);
            h.processWatermark(T0 + 6 * HOUR); // fires, but the crash loses it (not committed)
        }
        try (var h = harness(beforeFiring)) {
            h.processWatermark(T0 + 6 * HOUR);
            // The same event, with the same id, from the restored timer.
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(first);
        }
    }

    @Test
    void aDatasetTriggerFiresWhenTheLabelledRowsReachTheCountInPeriodOrder() throws Exception {
        List<RetrainSignal> periods = new ArrayList<>();
        for (int day = 0; day < 10; day++) {
            periods.add(period(day, 30)); // 30 labelled rows a day: 100 reached on days 3 and 7
        }
        List<RetrainEvent> inOrder;
        try (var h = harness(null)) {
            for (RetrainSignal p : periods) {
                h.processElement(p, p.readyAt);
                h.processWatermark(p.readyAt);
            }
            inOrder = h.extractOutputValues();
        }
        List<RetrainSignal> shuffled = new ArrayList<>(periods);
        Collections.shuffle(shuffled, new java.util.Random(4));
        List<RetrainEvent> batch;
        try (var h = harness(null)) {
            for (RetrainSignal p : shuffled) {
                h.processElement(p, p.readyAt);
            }
            h.processWatermark(Long.MAX_VALUE);
            batch = h.extractOutputValues();
        }
        assertThat(inOrder)
                .extracting(e -> e.datasetTag)
                .containsExactly("fraud-br-2026-03-04", "fraud-br-2026-03-08");
        assertThat(inOrder.get(0).reason)
                .isEqualTo(
                        "curated dataset 'br' reached 120 labelled rows since the last retraining"
                                + " (at least 100 asked), with version fraud-br-2026-03-04");
        assertThat(inOrder.get(0).firedAt).isEqualTo(T0 + 4 * DAY - 1);
        assertThat(batch).containsExactlyElementsOf(inOrder);
        assertThat(inOrder.get(0).id).isNotEqualTo(inOrder.get(1).id);
    }

    @Test
    void theStrataOfOnePeriodCountTogether() throws Exception {
        try (var h = harness(null)) {
            RetrainSignal a = period(0, 60);
            RetrainSignal b = period(0, 50);
            h.processElement(a, a.readyAt);
            h.processElement(b, b.readyAt);
            h.processWatermark(a.readyAt);
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.datasetTag)
                    .containsExactly("fraud-br-2026-03-01");
        }
    }
}
