package io.hindsight.metrics;

import static io.hindsight.metrics.MetricsTestData.DAY;
import static io.hindsight.metrics.MetricsTestData.HOUR;
import static io.hindsight.metrics.MetricsTestData.MIN;
import static io.hindsight.metrics.MetricsTestData.T0;
import static io.hindsight.metrics.MetricsTestData.outcome;
import static io.hindsight.metrics.MetricsTestData.prediction;
import static io.hindsight.metrics.MetricsTestData.tags;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.ExpiredAs;
import io.hindsight.spec.MetricsTask;
import io.hindsight.window.Partial;
import io.hindsight.window.PreAggregateOperator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both stages over a small stream shaped like the join's output (predictions at their time,
 * outcomes at the time the join decided them, hourly watermarks, a checkpoint flush midway) give,
 * per cohort and slice, the same final row as folding everything at once.
 */
class SliceMetricsPipelineTest {

    static final long LABEL_WINDOW = 2 * DAY;
    static final SliceMetricsConfig CONFIG =
            new SliceMetricsConfig(
                    "fraud",
                    MetricsTask.BINARY_CLASSIFICATION,
                    DAY,
                    LABEL_WINDOW,
                    List.of(
                            List.of("country"),
                            List.of("channel"),
                            List.of("country", "model_version")),
                    MetricsTestData.all(MetricsTask.BINARY_CLASSIFICATION),
                    0.5,
                    10,
                    ExpiredAs.NEGATIVE,
                    10);

    record Event(long time, Either<Prediction, Outcome> value) {}

    @Test
    void theGraphBuildsWithStableUidsAndWithoutGenericTypes() throws Exception {
        io.hindsight.spec.JobSpec spec =
                io.hindsight.spec.SpecLoader.load(
                        java.nio.file.Path.of(
                                System.getProperty("hindsight.home", ".."),
                                "examples/fraud/spec.yaml"),
                        Map.of());
        for (boolean enabled : new boolean[] {true, false}) {
            org.apache.flink.configuration.Configuration conf =
                    new org.apache.flink.configuration.Configuration();
            conf.set(org.apache.flink.configuration.PipelineOptions.AUTO_GENERATE_UIDS, false);
            conf.set(org.apache.flink.configuration.PipelineOptions.GENERIC_TYPES, false);
            var env =
                    org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
                            .getExecutionEnvironment(conf);
            var predictions =
                    env.fromData(
                                    new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(
                                            Prediction.class),
                                    prediction("p", T0).setScore(0.5).build())
                            .uid("predictions");
            var outcomes =
                    env.fromData(
                                    new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(
                                            Outcome.class),
                                    outcome(
                                                    prediction("p", T0).build(),
                                                    OutcomeStatus.EXPIRED,
                                                    "first",
                                                    1,
                                                    true,
                                                    null,
                                                    null)
                                            .build())
                            .uid("outcomes");
            io.hindsight.spec.JobSpec used =
                    enabled
                            ? spec
                            : new io.hindsight.spec.JobSpec(
                                    spec.version(),
                                    spec.application(),
                                    spec.kafka(),
                                    spec.inputs(),
                                    spec.join(),
                                    spec.iceberg(),
                                    spec.outputs(),
                                    spec.drift(),
                                    io.hindsight.spec.MetricsSpec.disabled(),
                                    spec.alerts());
            if (!enabled) {
                // Whether metrics run is decided once, by FeedbackJoinJob.attachMonitoring.
                org.assertj.core.api.Assertions.assertThatThrownBy(
                                () -> SliceMetricsPipeline.attach(predictions, outcomes, used))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage(
                                "slice metrics are disabled in the spec of 'fraud'; attach them"
                                        + " only when enabled");
                continue;
            }
            SliceMetricsPipeline.attach(predictions, outcomes, used)
                    .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>())
                    .uid("sink");
            var graph = env.getStreamGraph().getJobGraph();
            assertThat(graph.getNumberOfVertices()).isPositive();
        }
    }

    /** With late partials flushed at every watermark (1) and on the pipeline's grid. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void preAggregationAndMergeEqualFoldingEverythingAtOnce(boolean onTheGrid) throws Exception {
        Random random = new Random(31);
        List<Event> events = new ArrayList<>();
        List<Prediction> predictions = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        String[] countries = {"US", "DE", "BR"};
        String[] channels = {"web", "app"};
        for (int i = 0; i < 500; i++) {
            long t = T0 + (long) (random.nextDouble() * 3 * DAY);
            Map<String, String> tags =
                    i % 25 == 0
                            ? tags("country", countries[i % 3]) // no channel: (missing)
                            : tags(
                                    "country",
                                    countries[random.nextInt(3)],
                                    "channel",
                                    channels[random.nextInt(2)]);
            boolean fraud = random.nextDouble() < 0.2;
            Prediction p =
                    prediction("p" + i, t)
                            .setModelVersion(random.nextBoolean() ? "v6" : "v7")
                            .setTags(tags)
                            .setScore(
                                    1
                                            / (1
                                                    + Math.exp(
                                                            -(random.nextGaussian()
                                                                    + (fraud ? 1.5 : -1.5)))))
                            .build();
            predictions.add(p);
            events.add(new Event(t, Either.Left(p)));
            if (i % 40 == 0) {
                Prediction dup = Prediction.newBuilder(p).setDuplicate(true).build();
                events.add(new Event(t + MIN, Either.Left(dup)));
            }
            Outcome o;
            if (random.nextDouble() < 0.5) {
                long delay = (long) (random.nextDouble() * LABEL_WINDOW);
                o =
                        outcome(
                                        p,
                                        OutcomeStatus.LABELED,
                                        "first",
                                        1,
                                        true,
                                        fraud ? 1.0 : 0.0,
                                        delay)
                                .build();
                events.add(new Event(t + delay, Either.Right(o)));
            } else {
                o = outcome(p, OutcomeStatus.EXPIRED, "first", 1, true, null, null).build();
                o.setResolvedTime(java.time.Instant.ofEpochMilli(t + LABEL_WINDOW));
                events.add(new Event(t + LABEL_WINDOW, Either.Right(o)));
            }
            outcomes.add(o);
        }
        events.sort(Comparator.comparingLong(Event::time));

        var pre =
                new OneInputStreamOperatorTestHarness<Either<Prediction, Outcome>, Partial>(
                        new PreAggregateOperator<>(
                                new SliceMetricsFolder(CONFIG),
                                50,
                                onTheGrid ? SliceMetricsPipeline.lateFlushGrid(CONFIG) : 1));
        var merge =
                new KeyedOneInputStreamOperatorTestHarness<String, Partial, SliceMetric>(
                        new KeyedProcessOperator<>(new SliceMetricsMergeFunction(CONFIG)),
                        new SliceMetricsPipeline.PartialKey(),
                        Types.STRING);
        pre.open();
        merge.open();
        long nextWatermark = T0 + HOUR;
        int flushed = 0;
        for (Event e : events) {
            while (e.time() > nextWatermark) {
                pre.processWatermark(new Watermark(nextWatermark));
                nextWatermark += HOUR;
            }
            pre.processElement(new StreamRecord<>(e.value(), e.time()));
            if (++flushed == events.size() / 2) {
                pre.prepareSnapshotPreBarrier(1); // a checkpoint: every accumulator flushed
            }
        }
        pre.processWatermark(new Watermark(Long.MAX_VALUE));
        // The pre-aggregation's output, partials and watermarks in order, into the merge stage.
        for (Object o : pre.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                @SuppressWarnings("unchecked")
                StreamRecord<Partial> partial = (StreamRecord<Partial>) r;
                merge.processElement(partial);
            } else if (o instanceof Watermark w) {
                merge.processWatermark(w);
            }
        }
        List<SliceMetric> rows = merge.extractOutputValues();
        pre.close();

        TestingAccumulators reference = TestingAccumulators.fold(CONFIG, predictions, outcomes);
        Map<String, SliceMetric> finals = new HashMap<>();
        Map<String, Integer> revisions = new HashMap<>();
        for (SliceMetric r : rows) {
            String id = r.getSlice() + "@" + r.getWindowStart().toEpochMilli();
            assertThat(r.getRevision()).as(id).isEqualTo(revisions.merge(id, 1, Integer::sum));
            if (r.getIsFinal()) {
                assertThat(finals.put(id, r)).as("one final row of " + id).isNull();
            } else {
                assertThat(Math.floorMod(r.getAsOf().toEpochMilli(), DAY)).isZero();
            }
        }
        assertThat(finals).hasSize(reference.byWindow.size());
        for (var e : reference.byWindow.entrySet()) {
            TestingAccumulators.Window w = e.getKey();
            SliceMetric expected =
                    SliceMetricRows.row(
                            CONFIG, w.key(), w.start(), w.end(), e.getValue(), 0, true, 0);
            String id = expected.getSlice() + "@" + w.start();
            SliceMetric actual = finals.get(id);
            assertThat(actual).as(id).isNotNull();
            expected.setRevision(actual.getRevision());
            expected.setAsOf(actual.getAsOf());
            // The calibration reference comes from earlier cohorts in the merge stage's state
            // (CalibrationReferenceTest checks it).
            expected.setEstimationReferenceRows(actual.getEstimationReferenceRows());
            expected.setEstimationReferenceCalibrationError(
                    actual.getEstimationReferenceCalibrationError());
            expected.setEstimateTrusted(actual.getEstimateTrusted());
            assertThat(actual.getAsOf().toEpochMilli()).isEqualTo(w.end() + LABEL_WINDOW);
            SliceMetricsStatisticsTest.assertRowsEqual(expected, actual);
        }
        assertThat(finals.keySet()).contains("*@" + T0, "channel=(missing)@" + T0);
        merge.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(merge.numKeyedStateEntries()).isZero();
        assertThat(merge.numEventTimeTimers()).isZero();
        merge.close();
    }
}
