package io.hindsight.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.JoinSinks;
import io.hindsight.metrics.SliceMetricsPipeline;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.schemas.UnmatchedFeedback;
import io.hindsight.spec.DriftSpec;
import io.hindsight.spec.EndOfInput;
import io.hindsight.spec.FeedbackPolicy;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.JoinSpec;
import io.hindsight.spec.SpecLoader;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One adversarial input — feedback just before and after the early-feedback hold, just inside and
 * outside the label window and the late-feedback retention, duplicates, orphans, re-sent
 * predictions, across two source partitions — through the operator harness, two streaming
 * MiniCluster runs (feedback arriving first, predictions arriving first) and a drained run: the
 * same join rows everywhere, and the same final slice-metric rows in both kinds of run.
 */
class StreamingAndDrainedRunsTest {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final long SEC = 1000L;
    static final long HOUR = 3600 * SEC;
    static final long DAY = 24 * HOUR;
    static final long WINDOW = 30 * DAY;
    static final long HOLD = HOUR;
    static final long RETENTION = 7 * DAY;
    static final long T0 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
    static final long EPS = SEC;

    /** A compact, serializable description of one input record. */
    record Event(boolean prediction, String id, String predictionId, long time, double value)
            implements Serializable {}

    static List<Event> predictions;
    static List<Event> feedback;

    @BeforeAll
    static void input() {
        SplittableRandom random = new SplittableRandom(2026);
        List<Event> ps = new ArrayList<>();
        List<Event> fs = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            String p = "p" + i;
            long tp = T0 + i * 37 * 60 * SEC;
            double score = random.nextDouble();
            ps.add(new Event(true, p, p, tp, score));
            double label = random.nextDouble() < score ? 1.0 : 0.0;
            switch (i % 10) {
                case 0 -> {
                    fs.add(new Event(false, "f" + i + "a", p, tp - HOLD - EPS, 1.0 - label));
                    fs.add(new Event(false, "f" + i + "b", p, tp - HOLD + EPS, label));
                }
                case 1 -> fs.add(new Event(false, "f" + i, p, tp - HOLD - EPS, label));
                case 2 -> fs.add(new Event(false, "f" + i, p, tp + WINDOW - EPS, label));
                case 3 -> fs.add(new Event(false, "f" + i, p, tp + WINDOW + EPS, label));
                case 4 -> fs.add(new Event(false, "f" + i, p, tp + WINDOW, label));
                case 5 -> fs.add(new Event(false, "f" + i, p, tp - HOLD, label));
                case 6 ->
                        fs.add(new Event(false, "f" + i, p, tp + WINDOW + RETENTION + EPS, label));
                case 7 -> {
                    fs.add(new Event(false, "f" + i + "a", p, tp + 2 * DAY, label));
                    fs.add(new Event(false, "f" + i + "a", p, tp + 2 * DAY, label));
                    fs.add(new Event(false, "f" + i + "b", p, tp + 3 * DAY, 1.0 - label));
                }
                case 8 -> fs.add(new Event(false, "ghost" + i, "unknown" + i, tp, label));
                default -> {
                    ps.add(new Event(true, p, p, tp, score));
                    fs.add(new Event(false, "f" + i, p, tp + HOUR, label));
                }
            }
        }
        predictions = partitioned(ps);
        feedback = partitioned(fs);
    }

    /**
     * Two partitions, each in event-time order as a topic partition holds it, both spanning the
     * whole time range: the generator source gives each of its two subtasks one contiguous half.
     */
    static List<Event> partitioned(List<Event> events) {
        assertThat(events.size() % 2).as("two equal halves").isZero();
        List<Event> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(Event::time).thenComparing(Event::id));
        List<Event> out = new ArrayList<>();
        for (int half = 0; half < 2; half++) {
            for (int i = half; i < sorted.size(); i += 2) {
                out.add(sorted.get(i));
            }
        }
        return out;
    }

    static Prediction prediction(Event e) {
        String[] countries = {"BR", "US", "DE"};
        return Prediction.newBuilder()
                .setApplication("fraud")
                .setPredictionId(e.id())
                .setEventTime(Instant.ofEpochMilli(e.time()))
                .setModelName("gbm")
                .setModelVersion(e.id().hashCode() % 2 == 0 ? "v7" : "v8")
                .setScore(e.value())
                .setNumericFeatures(Map.of("amount", 42.0))
                .setCategoricalFeatures(Map.of("channel", e.time() % 3 == 0 ? "web" : "app"))
                .setTags(Map.of("country", countries[Math.floorMod(e.id().hashCode(), 3)]))
                .build();
    }

    static Feedback feedback(Event e) {
        return Feedback.newBuilder()
                .setApplication("fraud")
                .setFeedbackId(e.id())
                .setPredictionId(e.predictionId())
                .setEventTime(Instant.ofEpochMilli(e.time()))
                .setLabel(e.value())
                .build();
    }

    static JobSpec spec(FeedbackPolicy policy, EndOfInput endOfInput) throws Exception {
        JobSpec fraud =
                SpecLoader.load(
                        Path.of(
                                System.getProperty("hindsight.home", ".."),
                                "examples/fraud/spec.yaml"),
                        Map.of());
        JoinSpec join =
                new JoinSpec(
                        Duration.ofMillis(WINDOW),
                        Duration.ofMillis(HOLD),
                        Duration.ofMillis(RETENTION),
                        Duration.ofHours(1),
                        Duration.ZERO,
                        policy,
                        endOfInput);
        return new JobSpec(
                fraud.version(),
                fraud.application(),
                fraud.kafka(),
                fraud.inputs(),
                join,
                fraud.iceberg(),
                fraud.outputs(),
                DriftSpec.disabled(),
                fraud.metrics(),
                List.of());
    }

    /** What one run wrote, each row as its Avro JSON, sorted. */
    record Rows(
            List<String> predictions,
            List<String> outcomes,
            List<String> unmatched,
            List<SliceMetric> metrics) {}

    @Test
    void theHarnessStreamingRunsAndADrainedRunWriteTheSameRows() throws Exception {
        for (FeedbackPolicy policy : List.of(FeedbackPolicy.FIRST, FeedbackPolicy.LAST)) {
            Rows drained = run(policy, EndOfInput.DRAIN, Slower.NONE);
            Rows feedbackFirst = run(policy, EndOfInput.SAVEPOINT, Slower.PREDICTIONS);
            Rows predictionsFirst = run(policy, EndOfInput.SAVEPOINT, Slower.FEEDBACK);
            Rows harness = harness(policy);

            for (Rows streaming : List.of(feedbackFirst, predictionsFirst, harness)) {
                assertThat(streaming.predictions()).isEqualTo(drained.predictions());
                assertThat(streaming.outcomes()).isEqualTo(drained.outcomes());
                assertThat(streaming.unmatched()).isEqualTo(drained.unmatched());
            }
            // The rules' outcome on the boundaries, independently of any run.
            assertThat(drained.unmatched())
                    .filteredOn(u -> u.contains("\"kind\": \"ORPHAN\""))
                    .hasSize(8 + 8 + 8 + 8); // too early (cases 0, 1), beyond retention, unknown
            assertThat(drained.unmatched())
                    .filteredOn(u -> u.contains("\"kind\": \"LATE\""))
                    .hasSize(8);
            assertThat(drained.unmatched())
                    .filteredOn(u -> u.contains("\"kind\": \"DUPLICATE\""))
                    .hasSize(8);
            // Feedback more than the hold early joins nothing; at the hold exactly, it joins.
            assertThat(drained.outcomes())
                    .noneMatch(o -> o.contains("\"label_delay_ms\": " + (-HOLD - EPS) + ","))
                    .anyMatch(o -> o.contains("\"label_delay_ms\": " + (-HOLD) + ","))
                    .anyMatch(o -> o.contains("\"label_delay_ms\": " + (-HOLD + EPS) + ","));

            // A drained run has only final metric rows; a streaming run's final rows are the
            // same, after revisions it emitted while the labels came in.
            assertThat(drained.metrics()).isNotEmpty().allMatch(SliceMetric::getIsFinal);
            for (Rows streaming : List.of(feedbackFirst, predictionsFirst)) {
                assertSameRows(finalRows(streaming), finalRows(drained));
                assertThat(streaming.metrics()).anyMatch(m -> !m.getIsFinal());
            }
        }
    }

    /** Final metric rows without their revision number, which counts the run's earlier rows. */
    static List<SliceMetric> finalRows(Rows rows) {
        return rows.metrics().stream()
                .filter(SliceMetric::getIsFinal)
                .map(m -> SliceMetric.newBuilder(m).setRevision(0).build())
                .sorted(
                        Comparator.comparing((SliceMetric m) -> m.getSlice().toString())
                                .thenComparing(SliceMetric::getWindowStart))
                .toList();
    }

    /**
     * Every field equal, except that a floating-point sum may differ in its last bits (relative
     * 1e-12): partials are merged in another order in each run, and double addition is not
     * associative. Counts, times, revisions and finality are compared exactly.
     */
    static void assertSameRows(List<SliceMetric> actual, List<SliceMetric> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            SliceMetric a = actual.get(i);
            SliceMetric e = expected.get(i);
            for (org.apache.avro.Schema.Field f : e.getSchema().getFields()) {
                Object av = a.get(f.pos());
                Object ev = e.get(f.pos());
                String what = e.getSlice() + " " + e.getWindowStart() + " " + f.name();
                if (ev instanceof Double d && av instanceof Double ad) {
                    assertThat(ad)
                            .as(what)
                            .isCloseTo(
                                    d,
                                    org.assertj.core.data.Offset.offset(
                                            1e-12 * Math.max(1, Math.abs(d))));
                } else {
                    assertThat(String.valueOf(av)).as(what).isEqualTo(String.valueOf(ev));
                }
            }
        }
    }

    enum Slower {
        NONE,
        PREDICTIONS,
        FEEDBACK
    }

    static final Map<String, Queue<Object>> SINKS = new ConcurrentHashMap<>();

    Rows run(FeedbackPolicy policy, EndOfInput endOfInput, Slower slower) throws Exception {
        JobSpec spec = spec(policy, endOfInput);
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        FeedbackJoinJob.applyEndOfInput(env, spec);
        String run = policy + "-" + endOfInput + "-" + slower + "-";
        // Slowed to ~100 records a second: its watermark then advances over many steps while the
        // other input has long been read, so the join's timers interleave with arrivals.
        var ps =
                source(
                        predictions,
                        e -> Either.Right(prediction(e)),
                        new AvroTypeInfo<>(Prediction.class),
                        slower == Slower.PREDICTIONS,
                        endOfInput == EndOfInput.DRAIN ? null : run + "predictions");
        var fs =
                source(
                        feedback,
                        e -> Either.Right(feedback(e)),
                        new AvroTypeInfo<>(Feedback.class),
                        slower == Slower.FEEDBACK,
                        endOfInput == EndOfInput.DRAIN ? null : run + "feedback");
        Collecting sinks = new Collecting(run);
        var outcomes = FeedbackJoinJob.build(env, spec, ps, fs, sinks);
        DataStream<SliceMetric> metrics =
                SliceMetricsPipeline.attach(
                        outcomes.getSideOutput(FeedbackJoinFunction.PREDICTIONS), outcomes, spec);
        metrics.sinkTo(new CollectSink<>(run + "metrics")).uid("metrics-sink");
        env.execute("streaming and drained: " + run);
        return new Rows(
                strings(run + "predictions"),
                strings(run + "outcomes"),
                strings(run + "unmatched"),
                SINKS.getOrDefault(run + "metrics", new ConcurrentLinkedQueue<>()).stream()
                        .map(SliceMetric.class::cast)
                        .toList());
    }

    static List<String> strings(String name) {
        return SINKS.getOrDefault(name, new ConcurrentLinkedQueue<>()).stream()
                .map(Object::toString)
                .sorted()
                .collect(Collectors.toList());
    }

    interface ToRecord<T> extends Serializable {
        Either<DeadLetter, T> of(Event e);
    }

    /**
     * Per streaming source, both partitions' first records wait for each other. A FLIP-27 reader
     * without a split yet is idle, so the other one's watermark alone would move the join, and the
     * first records of a partition assigned a moment later would arrive behind the watermark: late
     * input, outside the rules' contract. A Kafka source assigns all partitions when it starts;
     * this makes the generator do the same.
     */
    static final Map<String, CountDownLatch> STARTED = new ConcurrentHashMap<>();

    static <T> DataGeneratorSource<Either<DeadLetter, T>> source(
            List<Event> events,
            ToRecord<T> toRecord,
            TypeInformation<T> type,
            boolean slow,
            String bothPartitions) {
        List<Event> copy = List.copyOf(events);
        GeneratorFunction<Long, Either<DeadLetter, T>> generator =
                new GeneratorFunction<>() {
                    boolean started;

                    @Override
                    public Either<DeadLetter, T> map(Long index) throws Exception {
                        if (!started && bothPartitions != null) {
                            started = true;
                            CountDownLatch latch =
                                    STARTED.computeIfAbsent(
                                            bothPartitions, n -> new CountDownLatch(2));
                            latch.countDown();
                            if (!latch.await(2, TimeUnit.MINUTES)) {
                                throw new IllegalStateException(
                                        "the other partition of "
                                                + bothPartitions
                                                + " never began");
                            }
                        }
                        return toRecord.of(copy.get(index.intValue()));
                    }
                };
        return new DataGeneratorSource<>(
                generator,
                copy.size(),
                slow ? RateLimiterStrategy.perSecond(100) : RateLimiterStrategy.noOp(),
                new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), type));
    }

    /** The join's outputs into {@link #SINKS}, under the run's name. */
    record Collecting(String run) implements JoinSinks {
        @Override
        public void predictions(DataStream<Prediction> s) {
            s.sinkTo(new CollectSink<>(run + "predictions")).uid("predictions-sink");
        }

        @Override
        public void outcomes(DataStream<Outcome> s) {
            s.sinkTo(new CollectSink<>(run + "outcomes")).uid("outcomes-sink");
        }

        @Override
        public void unmatched(DataStream<UnmatchedFeedback> s) {
            s.sinkTo(new CollectSink<>(run + "unmatched")).uid("unmatched-sink");
        }

        @Override
        public void deadLetters(DataStream<DeadLetter> s) {
            s.sinkTo(new CollectSink<>(run + "dead-letters")).uid("dead-letters-sink");
        }
    }

    /** Adds every record to a queue of {@link #SINKS} (the MiniCluster runs in this JVM). */
    record CollectSink<T>(String name) implements Sink<T> {
        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Queue<Object> queue = SINKS.computeIfAbsent(name, n -> new ConcurrentLinkedQueue<>());
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context c) {
                    queue.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /**
     * The same input through the operator harness: every feedback first, in reverse time order,
     * then the predictions in time order with the watermark following each one, so that every hold
     * timer races its prediction.
     */
    Rows harness(FeedbackPolicy policy) throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(
                                new FeedbackJoinFunction(
                                        FeedbackJoinJob.rules(spec(policy, EndOfInput.SAVEPOINT)))),
                        Prediction::getPredictionId,
                        Feedback::getPredictionId,
                        Types.STRING);
        try {
            h.setup();
            h.open();
            Comparator<Event> byTime = Comparator.comparingLong(Event::time);
            for (Event e : feedback.stream().sorted(byTime.reversed()).toList()) {
                h.processElement2(new StreamRecord<>(feedback(e), e.time()));
            }
            h.processWatermark2(new Watermark(Long.MAX_VALUE));
            for (Event e : predictions.stream().sorted(byTime).toList()) {
                h.processWatermark1(new Watermark(e.time() - 1));
                h.processElement1(new StreamRecord<>(prediction(e), e.time()));
            }
            h.processWatermark1(new Watermark(Long.MAX_VALUE));
            var p = h.getSideOutput(FeedbackJoinFunction.PREDICTIONS);
            var u = h.getSideOutput(FeedbackJoinFunction.UNMATCHED);
            return new Rows(
                    p.stream().map(r -> r.getValue().toString()).sorted().toList(),
                    h.extractOutputValues().stream().map(Object::toString).sorted().toList(),
                    u.stream().map(r -> r.getValue().toString()).sorted().toList(),
                    List.of());
        } finally {
            h.close();
        }
    }
}
