package io.hindsight.jobs;

import io.hindsight.alerts.AlertJson;
import io.hindsight.curation.CurationPeriod;
import io.hindsight.curation.CurationPipeline;
import io.hindsight.curation.CurationSinks;
import io.hindsight.curation.DatasetTagOperator;
import io.hindsight.curation.RetrainEvent;
import io.hindsight.curation.RetrainJson;
import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergSinks;
import io.hindsight.kafka.HindsightKafka;
import io.hindsight.kafka.KafkaConnections;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.CuratedRecord;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.schemas.UnmatchedFeedback;
import io.hindsight.spec.JobSpec;
import io.hindsight.uids.Uids;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * The production sinks: Iceberg tables committed on checkpoints, and exactly-once Kafka topics for
 * outcomes, dead letters, drift, slice metrics (Avro, like the inputs) and alerts (JSON).
 */
public final class TableAndTopicSinks implements JoinSinks, MonitoringSinks, CurationSinks {

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

    /** Appends {@code stream} to the table named {@code name}, committed on checkpoints. */
    private <T extends SpecificRecord> void table(
            DataStream<T> stream, HindsightTable table, String name, String uid) {
        IcebergSinks.append(
                stream,
                table,
                catalog,
                TableIdentifier.of(Namespace.of(spec.iceberg().namespace()), name),
                uid,
                writeParallelism);
    }

    /** Avro records to {@code topic}, exactly once, keyed by {@code key}. */
    private <T extends SpecificRecordBase> void topic(
            DataStream<T> stream,
            String topic,
            SerializableFunction<T, byte[]> key,
            String what,
            String uid) {
        topic(
                stream,
                HindsightKafka.exactlyOnceSink(
                        spec.kafka(), topic, registry, key, transactionalPrefix(what)),
                topic,
                what,
                uid);
    }

    private <T> void topic(
            DataStream<T> stream, KafkaSink<T> sink, String topic, String what, String uid) {
        stream.sinkTo(sink).uid(uid).name(what + " topic " + topic);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String transactionalPrefix(String what) {
        return "hindsight-" + spec.application() + "-" + what;
    }

    @Override
    public void predictions(DataStream<Prediction> predictions) {
        table(
                predictions,
                HindsightTable.PREDICTIONS,
                spec.iceberg().tables().predictions(),
                Uids.PREDICTIONS_TABLE);
    }

    @Override
    public void outcomes(DataStream<Outcome> outcomes) {
        table(
                outcomes,
                HindsightTable.OUTCOMES,
                spec.iceberg().tables().outcomes(),
                Uids.OUTCOMES_TABLE);
        topic(
                outcomes,
                spec.outputs().outcomesTopic(),
                o -> utf8(o.getPredictionId()),
                "outcomes",
                Uids.OUTCOMES_TOPIC);
    }

    @Override
    public void unmatched(DataStream<UnmatchedFeedback> unmatched) {
        table(
                unmatched,
                HindsightTable.UNMATCHED_FEEDBACK,
                spec.iceberg().tables().unmatchedFeedback(),
                Uids.UNMATCHED_FEEDBACK_TABLE);
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
        topic(
                deadLetters,
                spec.outputs().deadLetterTopic(),
                TableAndTopicSinks::originalKey,
                "dead-letter",
                Uids.DEAD_LETTER_TOPIC);
    }

    @Override
    public void drift(DataStream<DriftResult> drift) {
        table(drift, HindsightTable.DRIFT, spec.iceberg().tables().drift(), Uids.DRIFT_TABLE);
        topic(
                drift,
                spec.outputs().driftTopic(),
                d -> utf8(d.getFeature()),
                "drift",
                Uids.DRIFT_TOPIC);
    }

    @Override
    public void metrics(DataStream<SliceMetric> metrics) {
        table(
                metrics,
                HindsightTable.METRICS,
                spec.iceberg().tables().metrics(),
                Uids.METRICS_TABLE);
        // Keyed by slice and cohort, so that a compacted topic keeps each cohort's latest revision.
        topic(
                metrics,
                spec.outputs().metricsTopic(),
                m -> utf8(m.getSlice() + "@" + m.getWindowStart().toEpochMilli()),
                "metrics",
                Uids.METRICS_TOPIC);
    }

    @Override
    public void discoveredSlices(DataStream<DiscoveredSlice> slices) {
        table(
                slices,
                HindsightTable.DISCOVERED_SLICES,
                spec.metrics().discovery().table(),
                Uids.DISCOVERED_SLICES_TABLE);
        topic(
                slices,
                spec.metrics().discovery().topic(),
                d -> utf8(d.getSlice() + "@" + d.getWindowStart().toEpochMilli()),
                "discovered-slices",
                Uids.DISCOVERED_SLICES_TOPIC);
    }

    @Override
    public void alerts(DataStream<Alert> alerts) {
        table(alerts, HindsightTable.ALERTS, spec.iceberg().tables().alerts(), Uids.ALERTS_TABLE);
        String topic = spec.outputs().alertsTopic();
        topic(
                alerts,
                HindsightKafka.exactlyOnceSink(
                        spec.kafka(),
                        AlertJson.kafkaSerializer(topic),
                        transactionalPrefix("alerts")),
                topic,
                "alerts",
                Uids.ALERTS_TOPIC);
    }

    @Override
    public void curated(String rule, DataStream<CuratedRecord> rows) {
        table(
                rows,
                HindsightTable.CURATED,
                CurationPipeline.tableName(spec, rule),
                Uids.CURATED_TABLE + "-" + rule);
    }

    @Override
    public void datasetVersions(DataStream<CurationPeriod> periods) {
        periods.transform(
                        "curation: dataset versions (Iceberg tags)",
                        Types.VOID,
                        new DatasetTagOperator(catalog, curatedTables()))
                .setParallelism(1)
                .setMaxParallelism(1)
                .uid(Uids.CURATION_TAGS);
    }

    private java.util.Map<String, String> curatedTables() {
        java.util.Map<String, String> tables = new java.util.LinkedHashMap<>();
        spec.curation()
                .rules()
                .forEach(
                        r ->
                                tables.put(
                                        r.name(),
                                        spec.iceberg().namespace()
                                                + "."
                                                + CurationPipeline.tableName(spec, r.name())));
        return tables;
    }

    @Override
    public void retrain(DataStream<RetrainEvent> events) {
        String topic = spec.curation().retrainTopic();
        topic(
                events,
                HindsightKafka.exactlyOnceSink(
                        spec.kafka(),
                        RetrainJson.kafkaSerializer(topic),
                        transactionalPrefix("retrain")),
                topic,
                "retrain",
                Uids.RETRAIN_TOPIC);
    }
}
