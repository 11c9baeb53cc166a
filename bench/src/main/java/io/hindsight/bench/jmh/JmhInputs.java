package io.hindsight.bench.jmh;

import io.hindsight.bench.BenchData;
import io.hindsight.ingest.CanonicalDeserializer;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/** The end-to-end benchmark's records, as Kafka records and as canonical events, for JMH. */
final class JmhInputs {

    static final long START = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();

    final BenchData data;
    final JobSpec spec;

    JmhInputs(int predictions) {
        Path home = Path.of(System.getProperty("hindsight.home", ".")).toAbsolutePath();
        this.data = new BenchData(42, predictions, START, home.resolve("examples/fraud"));
        this.spec = SpecLoader.load(home.resolve("bench/spec.yaml"), Map.of());
    }

    ConsumerRecord<byte[], byte[]>[] predictionRecords() {
        Schema schema = data.predictionSchema();
        BenchData.Encoder encoder = new BenchData.Encoder(schema);
        @SuppressWarnings("unchecked")
        ConsumerRecord<byte[], byte[]>[] records = new ConsumerRecord[data.predictions()];
        for (int i = 0; i < records.length; i++) {
            records[i] =
                    record(
                            data.predictionTime(i),
                            data.predictionId(i),
                            encoder.encode(data.prediction(i, schema)));
        }
        return records;
    }

    /** Feedback of predictions 0..n-1 that have any, in prediction order. */
    ConsumerRecord<byte[], byte[]>[] feedbackRecords() {
        Schema schema = data.feedbackSchema();
        BenchData.Encoder encoder = new BenchData.Encoder(schema);
        @SuppressWarnings("unchecked")
        ConsumerRecord<byte[], byte[]>[] records = new ConsumerRecord[data.predictions()];
        int n = 0;
        for (int i = 0; i < data.predictions(); i++) {
            if (data.hasFeedback(i)) {
                records[n++] =
                        record(
                                data.feedbackTime(i),
                                data.predictionId(i),
                                encoder.encode(data.feedback(i, schema)));
            }
        }
        return java.util.Arrays.copyOf(records, n);
    }

    Prediction[] predictions() {
        CanonicalDeserializer<Prediction> d = CanonicalDeserializer.predictions(spec, null);
        ConsumerRecord<byte[], byte[]>[] records = predictionRecords();
        Prediction[] out = new Prediction[records.length];
        for (int i = 0; i < records.length; i++) {
            out[i] = right(d.apply(records[i]));
        }
        return out;
    }

    Feedback[] feedback() {
        CanonicalDeserializer<Feedback> d = CanonicalDeserializer.feedback(spec, null);
        ConsumerRecord<byte[], byte[]>[] records = feedbackRecords();
        Feedback[] out = new Feedback[records.length];
        for (int i = 0; i < records.length; i++) {
            out[i] = right(d.apply(records[i]));
        }
        return out;
    }

    private static <T> T right(Either<DeadLetter, T> e) {
        if (e.isLeft()) {
            throw new IllegalStateException("benchmark record dead-lettered: " + e.left());
        }
        return e.right();
    }

    static ConsumerRecord<byte[], byte[]> record(long timestamp, String key, byte[] value) {
        byte[] k = BenchData.key(key);
        return new ConsumerRecord<>(
                "bench",
                0,
                0L,
                timestamp,
                TimestampType.CREATE_TIME,
                k.length,
                value.length,
                k,
                value,
                new RecordHeaders(),
                Optional.empty());
    }
}
