package io.hindsight.bench.jmh;

import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.join.FeedbackJoinFunction;
import io.hindsight.join.JoinState;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding and re-encoding one waiting prediction's {@link JoinState}, as the join does on every
 * event for its key. The bytes are the ones the join itself writes for benchmark prediction 0 (one
 * prediction through {@link FeedbackJoinFunction} in the operator harness, read back from its keyed
 * state), so the benchmark follows the current layout version.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JoinStateBenchmark {

    private byte[] waiting;
    private final DataOutputSerializer buffer = new DataOutputSerializer(512);

    @Setup
    public void setUp() throws Exception {
        JmhInputs inputs = new JmhInputs(1);
        Prediction p = inputs.predictions()[0];
        var harness =
                new KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Feedback, Outcome>(
                        new KeyedCoProcessOperator<>(
                                new FeedbackJoinFunction(FeedbackJoinJob.rules(inputs.spec))),
                        Prediction::getPredictionId,
                        Feedback::getPredictionId,
                        Types.STRING);
        try {
            harness.setup();
            harness.open();
            harness.processElement1(new StreamRecord<>(p, p.getEventTime().toEpochMilli()));
            KeyedStateBackend<String> backend =
                    ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
            backend.setCurrentKey(p.getPredictionId());
            waiting =
                    backend.getPartitionedState(
                                    VoidNamespace.INSTANCE,
                                    VoidNamespaceSerializer.INSTANCE,
                                    FeedbackJoinFunction.STATE)
                            .value();
        } finally {
            harness.close();
        }
        if (!java.util.Arrays.equals(JoinState.decode(waiting).encode(buffer), waiting)) {
            throw new IllegalStateException("the benchmark's state does not round-trip");
        }
        System.out.println(
                "waiting entry: layout v" + waiting[0] + ", " + waiting.length + " bytes");
    }

    @Benchmark
    public JoinState decode() {
        return JoinState.decode(waiting);
    }

    @Benchmark
    public byte[] decodeEncode() {
        return JoinState.decode(waiting).encode(buffer);
    }
}
