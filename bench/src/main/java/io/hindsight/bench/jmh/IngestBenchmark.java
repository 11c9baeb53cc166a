package io.hindsight.bench.jmh;

import io.hindsight.ingest.CanonicalDeserializer;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Prediction;
import java.util.concurrent.TimeUnit;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

/** Decoding and mapping one Kafka record onto a canonical event: the ingest cost per record. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IngestBenchmark {

    private static final int RECORDS = 4096;

    private CanonicalDeserializer<Prediction> predictionMapping;
    private CanonicalDeserializer<Feedback> feedbackMapping;
    private ConsumerRecord<byte[], byte[]>[] predictions;
    private ConsumerRecord<byte[], byte[]>[] feedback;
    private int next;

    @Setup
    public void setUp() {
        JmhInputs inputs = new JmhInputs(RECORDS);
        predictions = inputs.predictionRecords();
        feedback = inputs.feedbackRecords();
        predictionMapping = CanonicalDeserializer.predictions(inputs.spec, null);
        feedbackMapping = CanonicalDeserializer.feedback(inputs.spec, null);
    }

    @Benchmark
    public Either<DeadLetter, Prediction> prediction() {
        next = (next + 1) & (RECORDS - 1);
        return predictionMapping.apply(predictions[next]);
    }

    @Benchmark
    public Either<DeadLetter, Feedback> feedback() {
        next = (next + 1) % feedback.length;
        return feedbackMapping.apply(feedback[next]);
    }
}
