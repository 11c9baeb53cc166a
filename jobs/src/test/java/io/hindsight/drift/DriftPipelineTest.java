package io.hindsight.drift;

import static io.hindsight.drift.DriftTesting.T0;
import static io.hindsight.drift.DriftTesting.prediction;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.window.Partial;
import io.hindsight.window.PreAggregateOperator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pre-aggregation and merge together give the rows of folding each window at once; and the pipeline
 * runs on a MiniCluster (parallelism 2, no Kryo) with the same rows.
 */
class DriftPipelineTest {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final JobSpec SPEC = DriftTesting.rolling(2);

    /**
     * Four hourly windows of up to 90 predictions, out of order by up to 5 minutes, some re-sent as
     * duplicates. Every reference (two windows) stays below k values, so sketches are exact.
     */
    static List<Prediction> stream() {
        Random random = new Random(17);
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < 320; i++) {
            long time = T0 + i * 40_000L + random.nextInt(300_000);
            Double amount =
                    random.nextInt(12) == 0 ? null : 50 + random.nextGaussian() * 20 + i / 4.0;
            String channel = random.nextInt(4) == 0 ? "app" : "web";
            Prediction p = prediction("p" + i, time, amount, channel, random.nextDouble());
            out.add(p);
            if (i % 50 == 7) {
                out.add(Prediction.newBuilder(p).setDuplicate(true).build());
            }
        }
        return out;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Partial, DriftResult> merge()
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DriftMergeFunction(SPEC, "rolling:2", null)),
                        new DriftPipeline.ByKey(),
                        Types.STRING);
        h.open();
        return h;
    }

    /** The rows of folding each (target, window) at once into a single partial. */
    static List<DriftResult> foldedAtOnce(List<Prediction> predictions) throws Exception {
        Map<String, FeatureWindow> byKeyAndWindow = new TreeMap<>();
        DriftFolder folder = new DriftFolder(SPEC);
        Map<String, long[]> windows = new TreeMap<>();
        for (Prediction p : predictions) {
            folder.fold(
                    p,
                    p.getEventTime().toEpochMilli(),
                    (key, start, end) -> {
                        String id = key + "@" + start;
                        windows.put(id, new long[] {start, end});
                        return byKeyAndWindow.computeIfAbsent(id, k -> folder.create());
                    });
        }
        try (var h = merge()) {
            for (Map.Entry<String, FeatureWindow> e : byKeyAndWindow.entrySet()) {
                long[] w = windows.get(e.getKey());
                String key = e.getKey().substring(0, e.getKey().lastIndexOf('@'));
                h.processElement(
                        new StreamRecord<>(
                                new Partial(key, w[0], w[1], e.getValue().encode()), w[1] - 1));
            }
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            return sorted(h.extractOutputValues());
        }
    }

    static List<DriftResult> sorted(List<DriftResult> rows) {
        List<DriftResult> out = new ArrayList<>(rows);
        out.sort(
                Comparator.comparing((DriftResult r) -> r.getWindowStart())
                        .thenComparing(r -> r.getFeature()));
        return out;
    }

    @Test
    void preAggregationThenMergeGivesTheRowsOfFoldingEachWindowAtOnce() throws Exception {
        List<Prediction> predictions = stream();
        List<DriftResult> expected = foldedAtOnce(predictions);
        // amount, channel, note.length, score, predicted_class, scores.fraud, scores.legit
        assertThat(expected).hasSize(4 * 7);

        List<Object> partialsAndWatermarks = new ArrayList<>();
        try (var pre =
                new OneInputStreamOperatorTestHarness<Prediction, Partial>(
                        new PreAggregateOperator<>(new DriftFolder(SPEC), 4096))) {
            pre.open();
            long maxTime = Long.MIN_VALUE;
            for (int i = 0; i < predictions.size(); i++) {
                Prediction p = predictions.get(i);
                long time = p.getEventTime().toEpochMilli();
                pre.processElement(p, time);
                maxTime = Math.max(maxTime, time);
                if (i % 25 == 24) {
                    pre.processWatermark(new Watermark(maxTime - 300_001));
                }
                if (i == 150) {
                    pre.prepareSnapshotPreBarrier(1); // a checkpoint flushes every accumulator
                }
            }
            pre.processWatermark(new Watermark(Long.MAX_VALUE));
            partialsAndWatermarks.addAll(pre.getOutput());
        }
        long partials =
                partialsAndWatermarks.stream().filter(o -> o instanceof StreamRecord<?>).count();
        assertThat(partials).isGreaterThan(expected.size()); // windows came in several partials

        try (var h = merge()) {
            for (Object o : partialsAndWatermarks) {
                if (o instanceof StreamRecord<?> r) {
                    h.processElement(new StreamRecord<>((Partial) r.getValue(), r.getTimestamp()));
                } else if (o instanceof Watermark w) {
                    h.processWatermark(w);
                }
            }
            assertThat(sorted(h.extractOutputValues())).isEqualTo(expected);
        }
    }

    @Test
    void runsOnAClusterWithoutKryoAndGivesTheSameRows() throws Exception {
        List<Prediction> predictions = stream();
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        DataStream<Prediction> source =
                env.fromData(predictions, new AvroTypeInfo<>(Prediction.class))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Prediction>forBoundedOutOfOrderness(
                                                Duration.ofMinutes(6))
                                        .withTimestampAssigner(
                                                (p, ts) -> p.getEventTime().toEpochMilli()))
                        .rebalance();

        List<DriftResult> rows = new ArrayList<>();
        DriftPipeline.attach(source, SPEC).executeAndCollect().forEachRemaining(rows::add);

        assertThat(sorted(rows)).isEqualTo(foldedAtOnce(predictions));
    }

    /** Whether drift runs is decided once, by {@code FeedbackJoinJob.attachMonitoring}. */
    @Test
    void aDisabledDriftIsNotAttached() {
        JobSpec disabled = DriftTesting.spec("{type: rolling, windows: 2}", "  enabled: false");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<Prediction> source =
                env.fromData(stream(), new AvroTypeInfo<>(Prediction.class));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> DriftPipeline.attach(source, disabled))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "drift is disabled in the spec of 'fraud'; attach it only when enabled");
    }
}
