package io.hindsight.jobs;

import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergSinks;
import io.hindsight.kafka.HindsightKafka;
import io.hindsight.kafka.KafkaConnections;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.UnmatchedFeedback;
import io.hindsight.spec.JobSpec;
import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * The production sinks of the feedback join: Iceberg tables committed on checkpoints, and
 * exactly-once Kafka topics for outcomes (read by the metrics job) and dead letters.
 */
public final class TableAndTopicSinks implements JoinSinks {

    private final JobSpec spec;
    private final CatalogLoader catalog;
    private final RegistryConfig registry;
    private final int writeParallelism;

    public TableAndTopicSinks(JobSpec spec, CatalogLoader catalog, int writeParallelism) {
        this.spec = spec;
        this.catalog = catalog;
        this.registry = KafkaConnections.registry(spec.kafka());
        this.writeParallelism = writeParallelism;
    }

    private TableIdentifier table(String name) {
        return TableIdentifier.of(Namespace.of(spec.iceberg().namespace()), name);
    }

    private String transactionalPrefix(String what) {
        return "hindsight-" + spec.application() + "-" + what;
    }

    @Override
    public void predictions(DataStream<Prediction> predictions) {
        IcebergSinks.append(
                predictions,
                HindsightTable.PREDICTIONS,
                catalog,
                table(spec.iceberg().tables().predictions()),
                Uids.PREDICTIONS_TABLE,
                writeParallelism);
    }

    @Override
    public void outcomes(DataStream<Outcome> outcomes) {
        IcebergSinks.append(
                outcomes,
                HindsightTable.OUTCOMES,
                catalog,
                table(spec.iceberg().tables().outcomes()),
                Uids.OUTCOMES_TABLE,
                writeParallelism);
        outcomes.sinkTo(
                        HindsightKafka.<Outcome>exactlyOnceSink(
                                spec.kafka(),
                                spec.outputs().outcomesTopic(),
                                registry,
                                o -> o.getPredictionId().getBytes(StandardCharsets.UTF_8),
                                transactionalPrefix("outcomes")))
                .uid(Uids.OUTCOMES_TOPIC)
                .name("outcomes topic " + spec.outputs().outcomesTopic());
    }

    @Override
    public void unmatched(DataStream<UnmatchedFeedback> unmatched) {
        IcebergSinks.append(
                unmatched,
                HindsightTable.UNMATCHED_FEEDBACK,
                catalog,
                table(spec.iceberg().tables().unmatchedFeedback()),
                Uids.UNMATCHED_TABLE,
                writeParallelism);
    }

    /** A dead letter keeps the original record's key, so it lands beside its partition-mates. */
    private static byte[] originalKey(DeadLetter d) {
        if (d.getKey() == null) {
            return null;
        }
        java.nio.ByteBuffer b = d.getKey().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        deadLetters
                .sinkTo(
                        HindsightKafka.<DeadLetter>exactlyOnceSink(
                                spec.kafka(),
                                spec.outputs().deadLetterTopic(),
                                registry,
                                TableAndTopicSinks::originalKey,
                                transactionalPrefix("dead-letter")))
                .uid(Uids.DEAD_LETTER_TOPIC)
                .name("dead-letter topic " + spec.outputs().deadLetterTopic());
    }
}
