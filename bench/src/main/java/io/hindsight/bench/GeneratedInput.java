package io.hindsight.bench;

import io.hindsight.ingest.CanonicalDeserializer;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * In-process sources of the benchmark data, without Kafka: each record is encoded in the producer's
 * schema and then decoded and mapped by Hindsight's {@link CanonicalDeserializer}, exactly as the
 * Kafka source does, so that only the transport differs from the Kafka runs.
 *
 * <p>{@link DataGeneratorSource} gives each of the {@code parallelism} readers one contiguous index
 * range; index {@code i} is mapped to record {@code (i mod chunk) * parallelism + i / chunk}, so
 * the readers interleave in event time instead of one reading the first half of the span and the
 * other the second. With {@code keepRunning}, a reader that has emitted its records then idles,
 * emitting an empty record (a dead letter, which never moves the watermark) every 100 ms: the job
 * stays up with its state in place, for state-size measurements.
 */
public final class GeneratedInput {

    private GeneratedInput() {}

    public static DataGeneratorSource<Either<DeadLetter, Prediction>> predictions(
            BenchData data, JobSpec spec, int parallelism, boolean keepRunning) {
        CanonicalDeserializer<Prediction> deserializer =
                CanonicalDeserializer.predictions(spec, null);
        return source(
                new Generator<>(data, deserializer, parallelism, keepRunning, true),
                data.predictions(),
                parallelism,
                keepRunning,
                deserializer);
    }

    /** With {@code none}, no feedback at all: the state-size runs keep every prediction waiting. */
    public static DataGeneratorSource<Either<DeadLetter, Feedback>> feedback(
            BenchData data, JobSpec spec, int parallelism, boolean keepRunning, boolean none) {
        CanonicalDeserializer<Feedback> deserializer = CanonicalDeserializer.feedback(spec, null);
        Generator<Feedback> generator =
                new Generator<>(data, deserializer, parallelism, keepRunning, false);
        generator.none = none;
        return source(
                generator,
                none ? 0 : data.feedbackOrder().length,
                parallelism,
                keepRunning,
                deserializer);
    }

    private static <T> DataGeneratorSource<Either<DeadLetter, T>> source(
            Generator<T> generator,
            int records,
            int parallelism,
            boolean keepRunning,
            CanonicalDeserializer<T> deserializer) {
        long chunk = chunk(records, parallelism, keepRunning);
        generator.chunk = chunk;
        return new DataGeneratorSource<>(
                generator, chunk * parallelism, deserializer.getProducedType());
    }

    static long chunk(int records, int parallelism, boolean keepRunning) {
        long chunk = Math.max(1, (records + parallelism - 1) / parallelism);
        // Idle records every 100 ms for years: the job is cancelled long before.
        return keepRunning ? chunk + 1_000_000_000L : chunk;
    }

    /** One record per index: a prediction or, in feedback-time order, a chargeback. */
    static final class Generator<T> implements GeneratorFunction<Long, Either<DeadLetter, T>> {
        private static final long serialVersionUID = 1L;

        private final BenchData data;
        private final CanonicalDeserializer<T> deserializer;
        private final int parallelism;
        private final boolean keepRunning;
        private final boolean predictions;
        long chunk;
        boolean none;

        private transient Schema schema;
        private transient BenchData.Encoder encoder;
        private transient long[] order;
        private transient int records;
        private transient boolean exhausted;

        Generator(
                BenchData data,
                CanonicalDeserializer<T> deserializer,
                int parallelism,
                boolean keepRunning,
                boolean predictions) {
            this.data = data;
            this.deserializer = deserializer;
            this.parallelism = parallelism;
            this.keepRunning = keepRunning;
            this.predictions = predictions;
        }

        @Override
        public void open(SourceReaderContext readerContext) {
            schema = predictions ? data.predictionSchema() : data.feedbackSchema();
            encoder = new BenchData.Encoder(schema);
            if (predictions) {
                records = data.predictions();
            } else {
                order = none ? new long[0] : data.feedbackOrder();
                records = order.length;
            }
        }

        @Override
        public Either<DeadLetter, T> map(Long index) throws Exception {
            long local = index % chunk;
            long n = local * parallelism + index / chunk;
            if (n >= records) {
                if (!exhausted) {
                    exhausted = true;
                    Progress.readerExhausted();
                }
                if (keepRunning) {
                    Thread.sleep(100);
                }
                return deserializer.apply(consumerRecord(-1, null, null));
            }
            Progress.record();
            int i;
            byte[] value;
            long timestamp;
            if (predictions) {
                i = (int) n;
                value = encoder.encode(data.prediction(i, schema));
                timestamp = data.predictionTime(i);
            } else {
                i = BenchData.predictionIndex(order[(int) n]);
                value = encoder.encode(data.feedback(i, schema));
                timestamp = data.feedbackTime(i);
            }
            return deserializer.apply(
                    consumerRecord(timestamp, BenchData.key(data.predictionId(i)), value));
        }

        private ConsumerRecord<byte[], byte[]> consumerRecord(
                long timestamp, byte[] key, byte[] value) {
            return new ConsumerRecord<>(
                    predictions ? "bench.predictions" : "bench.feedback",
                    0,
                    0L,
                    timestamp,
                    TimestampType.CREATE_TIME,
                    key == null ? -1 : key.length,
                    value == null ? -1 : value.length,
                    key,
                    value,
                    new RecordHeaders(),
                    Optional.empty());
        }
    }
}
