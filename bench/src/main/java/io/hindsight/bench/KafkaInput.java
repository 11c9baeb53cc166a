package io.hindsight.bench;

import io.hindsight.embedded.KafkaBrokerProcess;
import io.hindsight.ingest.CanonicalDeserializer;
import io.hindsight.kafka.HindsightKafka;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark data in a real Kafka broker: both topics filled with the same records as the
 * in-process sources (plain Avro, key = payment id, timestamp = event time) before the job starts,
 * then read by Hindsight's Kafka source up to the end offsets.
 */
public final class KafkaInput {

    public static final int PARTITIONS = 2;

    private KafkaInput() {}

    /** Writes every prediction, then every chargeback in event-time order; returns the count. */
    public static long fill(KafkaBrokerProcess broker, JobSpec spec, BenchData data) {
        String predictionsTopic = spec.inputs().predictions().topic();
        String feedbackTopic = spec.inputs().feedback().topic();
        broker.createTopics(Map.of(predictionsTopic, PARTITIONS, feedbackTopic, PARTITIONS));
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            Schema ps = data.predictionSchema();
            BenchData.Encoder pe = new BenchData.Encoder(ps);
            for (int i = 0; i < data.predictions(); i++) {
                producer.send(
                        new ProducerRecord<>(
                                predictionsTopic,
                                null,
                                data.predictionTime(i),
                                BenchData.key(data.predictionId(i)),
                                pe.encode(data.prediction(i, ps))));
                sent++;
            }
            Schema fs = data.feedbackSchema();
            BenchData.Encoder fe = new BenchData.Encoder(fs);
            for (long packed : data.feedbackOrder()) {
                int i = BenchData.predictionIndex(packed);
                producer.send(
                        new ProducerRecord<>(
                                feedbackTopic,
                                null,
                                data.feedbackTime(i),
                                BenchData.key(data.predictionId(i)),
                                fe.encode(data.feedback(i, fs))));
                sent++;
            }
            producer.flush();
        }
        return sent;
    }

    public static KafkaSource<Either<DeadLetter, Prediction>> predictions(JobSpec spec) {
        return HindsightKafka.source(
                spec.kafka(),
                spec.inputs().predictions().topic(),
                OffsetsInitializer.earliest(),
                OffsetsInitializer.latest(),
                new Counted<>(CanonicalDeserializer.predictions(spec, null)));
    }

    public static KafkaSource<Either<DeadLetter, Feedback>> feedback(JobSpec spec) {
        return HindsightKafka.source(
                spec.kafka(),
                spec.inputs().feedback().topic(),
                OffsetsInitializer.earliest(),
                OffsetsInitializer.latest(),
                new Counted<>(CanonicalDeserializer.feedback(spec, null)));
    }

    /** Hindsight's deserializer, noting in {@link Progress} when the first record was read. */
    static final class Counted<T>
            implements KafkaRecordDeserializationSchema<Either<DeadLetter, T>> {
        private static final long serialVersionUID = 1L;
        private final CanonicalDeserializer<T> delegate;

        Counted(CanonicalDeserializer<T> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void open(DeserializationSchema.InitializationContext context) throws Exception {
            delegate.open(context);
        }

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, T>> out)
                throws IOException {
            Progress.record();
            delegate.deserialize(record, out);
        }

        @Override
        public TypeInformation<Either<DeadLetter, T>> getProducedType() {
            return delegate.getProducedType();
        }
    }
}
