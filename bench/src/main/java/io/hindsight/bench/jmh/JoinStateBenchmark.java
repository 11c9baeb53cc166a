package io.hindsight.bench.jmh;

import io.hindsight.join.JoinState;
import io.hindsight.schemas.Prediction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.core.memory.DataOutputSerializer;
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
 * Decoding and re-encoding one waiting prediction's {@link JoinState} (layout v1, the prediction as
 * Avro bytes of a benchmark record), as the join does on every event for its key.
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
    public void setUp() throws IOException {
        Prediction p = new JmhInputs(1).predictions()[0];
        ByteArrayOutputStream avro = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(avro, null);
        new SpecificDatumWriter<>(Prediction.class).write(p, e);
        e.flush();
        byte[] prediction = avro.toByteArray();
        // Layout v1 of a waiting prediction, written field by field as JoinState documents it.
        DataOutputSerializer out = new DataOutputSerializer(512);
        out.writeByte(JoinState.VERSION);
        out.writeByte(1); // HAS_PREDICTION
        out.writeLong(p.getEventTime().toEpochMilli());
        out.writeInt(prediction.length);
        out.write(prediction);
        out.writeInt(0); // applied
        out.writeInt(0); // revision
        out.writeLong(Long.MIN_VALUE); // first feedback time
        out.writeDouble(0); // label sum
        out.writeInt(0); // label count
        out.writeDouble(0); // best
        out.writeBoolean(false); // chosen
        out.writeInt(0); // pending
        out.writeInt(0); // seen
        waiting = out.getCopyOfBuffer();
        if (!java.util.Arrays.equals(JoinState.decode(waiting).encode(buffer), waiting)) {
            throw new IllegalStateException("the benchmark's state does not round-trip");
        }
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
