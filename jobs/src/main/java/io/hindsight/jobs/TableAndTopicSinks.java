package io.hindsight.jobs;

import io.hindsight.alerts.AlertJson;
import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergSinks;
import io.hindsight.kafka.HindsightKafka;
import io.hindsight.kafka.KafkaConnections;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.schemas.UnmatchedFeedback;
import io.hindsight.spec.JobSpec;
import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * The production sinks: Iceberg tables committed on checkpoints, and exactly-once Kafka topics for
 * outcomes, dead letters, drift, slice metrics (Avro, like the inputs) and alerts (JSON).
 */
public final class TableAndTopicSinks implements JoinSinks, MonitoringSinks {

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

    @Override
    public void drift(DataStream<DriftResult> drift) {
        IcebergSinks.append(
                drift,
                HindsightTable.DRIFT,
                catalog,
                table(spec.iceberg().tables().drift()),
                Uids.DRIFT_TABLE,
                writeParallelism);
        drift.sinkTo(
                        HindsightKafka.<DriftResult>exactlyOnceSink(
                                spec.kafka(),
                                spec.outputs().driftTopic(),
                                registry,
                                d -> d.getFeature().getBytes(StandardCharsets.UTF_8),
                                transactionalPrefix("drift")))
                .uid(Uids.DRIFT_TOPIC)
                .name("drift topic " + spec.outputs().driftTopic());
    }

    @Override
    public void metrics(DataStream<SliceMetric> metrics) {
        IcebergSinks.append(
                metrics,
                HindsightTable.METRICS,
                catalog,
                table(spec.iceberg().tables().metrics()),
                Uids.METRICS_TABLE,
                writeParallelism);
        // Keyed by slice and cohort, so that a compacted topic keeps each cohort's latest revision.
        metrics.sinkTo(
                        HindsightKafka.<SliceMetric>exactlyOnceSink(
                                spec.kafka(),
                                spec.outputs().metricsTopic(),
                                registry,
                                m ->
                                        (m.getSlice() + "@" + m.getWindowStart().toEpochMilli())
                                                .getBytes(StandardCharsets.UTF_8),
                                transactionalPrefix("metrics")))
                .uid(Uids.METRICS_TOPIC)
                .name("metrics topic " + spec.outputs().metricsTopic());
    }

    @Override
    public void alerts(DataStream<Alert> alerts) {
        IcebergSinks.append(
                alerts,
                HindsightTable.ALERTS,
                catalog,
                table(spec.iceberg().tables().alerts()),
                Uids.ALERTS_TABLE,
                writeParallelism);
        alerts.sinkTo(
                        HindsightKafka.exactlyOnceSink(
                                spec.kafka(),
                                AlertJson.kafkaSerializer(spec.outputs().alertsTopic()),
                                transactionalPrefix("alerts")))
                .uid(Uids.ALERTS_TOPIC)
                .name("alerts topic " + spec.outputs().alertsTopic());
    }
}
