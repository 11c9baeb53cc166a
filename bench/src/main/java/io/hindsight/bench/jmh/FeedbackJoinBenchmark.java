package io.hindsight.bench.jmh;

import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.join.FeedbackJoinFunction;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The feedback join per event, in Flink's two-input operator harness: a batch of predictions, then
 * their feedback, then watermarks that apply the feedback and end every label window — the whole
 * life of each key. Figures are per event (predictions + feedback), state on the heap or in
 * RocksDB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class FeedbackJoinBenchmark {

    static final int BATCH = 8192;

    /** Feedback for the first 80 % of the batch's predictions that have any. */
    static final int FEEDBACK = BATCH * 80 / 100;

    @Param({"heap", "rocksdb"})
    public String backend;

    private Prediction[] predictions;
    private Feedback[] feedback;
    private int events;
    private KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Feedback, Outcome> harness;

    @Setup(Level.Trial)
    public void data() {
        JmhInputs inputs = new JmhInputs(BATCH);
        predictions = inputs.predictions();
        Feedback[] all = inputs.feedback();
        if (all.length < FEEDBACK) {
            throw new IllegalStateException("only " + all.length + " feedback in the batch");
        }
        feedback = java.util.Arrays.copyOf(all, FEEDBACK);
        events = predictions.length + feedback.length;
    }

    @Setup(Level.Invocation)
    public void open() throws Exception {
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(
                                new FeedbackJoinFunction(
                                        FeedbackJoinJob.rules(new JmhInputs(1).spec))),
                        Prediction::getPredictionId,
                        Feedback::getPredictionId,
                        Types.STRING);
        if (backend.equals("rocksdb")) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        harness.setup();
        harness.open();
    }

    @TearDown(Level.Invocation)
    public void close() throws Exception {
        harness.close();
    }

    /** Operations per invocation: the batch's events, 8192 predictions + 6553 feedback. */
    @Benchmark
    @OperationsPerInvocation(BATCH + FEEDBACK)
    public int lifecycle() throws Exception {
        for (Prediction p : predictions) {
            harness.processElement1(new StreamRecord<>(p, p.getEventTime().toEpochMilli()));
        }
        long last = 0;
        for (Feedback f : feedback) {
            last = f.getEventTime().toEpochMilli();
            harness.processElement2(new StreamRecord<>(f, last));
        }
        harness.processBothWatermarks(new Watermark(last));
        harness.processBothWatermarks(new Watermark(last + Duration.ofDays(100).toMillis()));
        int out = harness.getOutput().size();
        harness.getOutput().clear();
        return out + events;
    }
}
