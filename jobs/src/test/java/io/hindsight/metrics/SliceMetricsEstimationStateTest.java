package io.hindsight.metrics;

import static io.hindsight.metrics.MetricsTestData.DAY;
import static io.hindsight.metrics.MetricsTestData.T0;
import static io.hindsight.metrics.MetricsTestData.outcome;
import static io.hindsight.metrics.MetricsTestData.prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.EstimationSpec;
import io.hindsight.spec.ExpiredAs;
import io.hindsight.spec.MetricsTask;
import io.hindsight.window.Partial;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * The merge stage's state for performance estimation: the calibration reference of earlier final
 * cohorts that decides {@code estimate_trusted}, and a snapshot written before the accumulators had
 * estimation sums (layout 1), restored and run to its final revision.
 */
class SliceMetricsEstimationStateTest {

    static final String KEY = Slices.populationKey("app");
    static final long LABEL_WINDOW = 3 * DAY;

    static KeyedOneInputStreamOperatorTestHarness<String, Partial, SliceMetric> harness(
            SliceMetricsConfig config, OperatorSubtaskState restoreFrom) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new SliceMetricsMergeFunction(config)),
                        new SliceMetricsPipeline.PartialKey(),
                        Types.STRING);
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    /** A cohort of {@code n} predictions at one score, {@code positives} of them labelled 1. */
    record Cohort(long start, double score, int n, int positives) {
        List<Prediction> predictions() {
            List<Prediction> ps = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ps.add(prediction(start + "-" + i, start + i).setScore(score).build());
            }
            return ps;
        }

        List<Outcome> outcomes() {
            List<Outcome> os = new ArrayList<>();
            List<Prediction> ps = predictions();
            for (int i = 0; i < n; i++) {
                double label = i < positives ? 1.0 : 0.0;
                os.add(
                        outcome(ps.get(i), OutcomeStatus.LABELED, "first", 1, true, label, 1000L)
                                .build());
            }
            return os;
        }

        List<SliceMetricsStatisticsTest.BinaryRow> rows() {
            List<SliceMetricsStatisticsTest.BinaryRow> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                rows.add(new SliceMetricsStatisticsTest.BinaryRow(score, i < positives));
            }
            return rows;
        }

        Partial partial(SliceMetricsConfig config) {
            CohortAccumulator a =
                    TestingAccumulators.fold(config, predictions(), outcomes()).get(KEY, start);
            return new Partial(KEY, start, start + DAY, a.toBytes());
        }
    }

    static SliceMetric row(List<SliceMetric> rows, long windowStart, int revision) {
        return rows.stream()
                .filter(r -> r.getWindowStart().toEpochMilli() == windowStart)
                .filter(r -> r.getRevision() == revision)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no revision " + revision));
    }

    @Test
    void theEstimateIsTrustedOnlyWhenRecentFinalCohortsWereCalibrated() throws Exception {
        SliceMetricsConfig config =
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
                        10,
                        new EstimationSpec(0.99, 0.05, 150, 2));
        Cohort a = new Cohort(T0, 0.85, 200, 0); // scores say 85 %, no label is positive
        Cohort b = new Cohort(T0 + DAY, 0.35, 200, 70); // calibrated: 35 % positive
        Cohort x = new Cohort(T0 + 4 * DAY, 0.6, 50, 30);
        Cohort y = new Cohort(T0 + 5 * DAY, 0.6, 50, 30);
        var h = harness(config, null);
        for (Cohort c : List.of(a, b, x, y)) {
            h.processElement(new StreamRecord<>(c.partial(config), c.start()));
        }
        h.processWatermark(new Watermark(T0 + 6 * DAY));
        List<SliceMetric> rows = h.extractOutputValues();

        SliceMetric first = row(rows, a.start(), 1);
        assertThat(first.getEstimationReferenceRows()).isZero();
        assertThat(first.getEstimationReferenceCalibrationError()).isNull();
        assertThat(first.getEstimateTrusted()).isFalse();
        assertThat(first.getEstimatedAccuracy()).isNotNull();

        // X closes at T0 + 5 d, when B becomes final: the reference holds A and B, whatever order
        // the timers of that instant run in, and A's miscalibration makes it untrusted.
        SliceMetric xRow = row(rows, x.start(), 1);
        List<SliceMetricsStatisticsTest.BinaryRow> pooled = new ArrayList<>(a.rows());
        pooled.addAll(b.rows());
        assertThat(xRow.getEstimationReferenceRows()).isEqualTo(400);
        assertThat(xRow.getEstimationReferenceCalibrationError())
                .isCloseTo(
                        SliceMetricsStatisticsTest.expectedCalibrationError(pooled, 10),
                        within(1e-12));
        assertThat(xRow.getEstimateTrusted()).isFalse();

        // Y closes at T0 + 6 d: two cohort windows back only B is left, calibrated and large
        // enough.
        SliceMetric yRow = row(rows, y.start(), 1);
        assertThat(yRow.getEstimationReferenceRows()).isEqualTo(200);
        assertThat(yRow.getEstimationReferenceCalibrationError())
                .isCloseTo(
                        SliceMetricsStatisticsTest.expectedCalibrationError(b.rows(), 10),
                        within(1e-12));
        assertThat(yRow.getEstimateTrusted()).isTrue();

        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }

    @Test
    void aSnapshotOfLayoutOneRestoresAndEndsWithCorrectCountsAndNoPartialSums() throws Exception {
        SliceMetricsConfig config = SliceMetricsMergeFunctionTest.CONFIG;
        OperatorSubtaskState old =
                OperatorSnapshotUtil.readStateHandle(
                        getClass()
                                .getResource("/snapshots/slice-metrics-merge-v1.snapshot")
                                .getPath());
        var h = harness(config, old);
        assertThat(h.numEventTimeTimers()).isEqualTo(2); // the pending update and the final
        List<Prediction> ps = OldSnapshotData.predictions();
        List<Outcome> rest = new ArrayList<>();
        for (int i = OldSnapshotData.LABELED_BEFORE; i < OldSnapshotData.PREDICTIONS; i++) {
            rest.add(OldSnapshotData.outcomeOf(ps.get(i), i));
        }
        CohortAccumulator later = TestingAccumulators.fold(config, List.of(), rest).get(KEY, T0);
        h.processElement(
                new StreamRecord<>(new Partial(KEY, T0, T0 + DAY, later.toBytes()), T0 + DAY));
        long finalAt = T0 + DAY + SliceMetricsMergeFunctionTest.LABEL_WINDOW;
        h.processWatermark(new Watermark(finalAt));
        List<SliceMetric> rows = h.extractOutputValues();
        assertThat(rows)
                .extracting(SliceMetric::getRevision, SliceMetric::getIsFinal)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2, false),
                        org.assertj.core.groups.Tuple.tuple(3, true));
        SliceMetric last = rows.get(1);

        // The exact counts of the 40 rows: 30 labelled, 10 expired as negatives.
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (int i = 0; i < OldSnapshotData.PREDICTIONS; i++) {
            boolean actual = i < OldSnapshotData.LABELED_BEFORE && OldSnapshotData.label(i) == 1;
            boolean predicted = ps.get(i).getScore() >= 0.5;
            tp += actual && predicted ? 1 : 0;
            fp += !actual && predicted ? 1 : 0;
            tn += !actual && !predicted ? 1 : 0;
            fn += actual && !predicted ? 1 : 0;
        }
        assertThat(last.getLabeled()).isEqualTo(30);
        assertThat(last.getExpired()).isEqualTo(10);
        assertThat(last.getSupport()).isEqualTo(40);
        assertThat(List.of(last.getTp(), last.getFp(), last.getTn(), last.getFn()))
                .containsExactly(tp, fp, tn, fn);
        assertThat(last.getAccuracy()).isCloseTo((tp + tn) / 40.0, within(1e-12));
        assertThat(last.getFalsePositiveRate()).isCloseTo((double) fp / (fp + tn), within(1e-12));
        // Folded before the snapshot, the first 30 rows left no Brier or estimation sums: those
        // metrics stay null rather than describe a part of the cohort.
        assertThat(last.getBrierScore()).isNull();
        assertThat(last.getPredictedPositiveRate()).isNull();
        assertThat(last.getEstimatedAccuracy()).isNull();
        assertThat(last.getAccuracyDelta()).isNull();
        assertThat(last.getEstimateTrusted()).isNull();
        h.close();
    }

    @Test
    void anUnknownAccumulatorLayoutIsRefusedByName() {
        byte[] bytes = CohortAccumulator.create(SliceMetricsMergeFunctionTest.CONFIG).toBytes();
        bytes[0] = 9;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CohortAccumulator.fromBytes(bytes))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("unrecognized slice-metrics accumulator version 9");
        byte[] reference = new CalibrationReference().encode();
        reference[0] = 7;
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> CalibrationReference.decode(reference))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("unrecognized slice-metrics calibration reference version 7");
    }
}
