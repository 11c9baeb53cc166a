package io.hindsight.jobs;

import io.hindsight.alerts.AlertPipeline;
import io.hindsight.curation.CurationPipeline;
import io.hindsight.curation.DatasetVersions;
import io.hindsight.discovery.DiscoveryConfig;
import io.hindsight.discovery.DiscoveryPipeline;
import io.hindsight.drift.DriftPipeline;
import io.hindsight.iceberg.SpecCatalog;
import io.hindsight.iceberg.maintenance.TableMaintenanceStreams;
import io.hindsight.ingest.CanonicalDeserializer;
import io.hindsight.join.FeedbackJoinFunction;
import io.hindsight.join.FeedbackJoinOperator;
import io.hindsight.join.FieldByFieldTypeInfo;
import io.hindsight.join.JoinRules;
import io.hindsight.kafka.HindsightKafka;
import io.hindsight.kafka.KafkaConnections;
import io.hindsight.metrics.SliceMetricsPipeline;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.EndOfInput;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.JoinSpec;
import io.hindsight.spec.SpecLoader;
import io.hindsight.uids.Uids;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * The feedback join job: joins each prediction with its feedback and writes every record to Iceberg
 * and Kafka, exactly once.
 *
 * <pre>
 *  Kafka predictions ─► decode+map ─► route ─┬─────────────► keyBy(join key) ─┐
 *   (per-partition watermarks)               └─► dead letters ─┐             │
 *  Kafka feedback ────► decode+map ─► route ─┬─────────────► keyBy(join key) ─┤
 *                                            └─► dead letters ─┤             ▼
 *                                                              │      FeedbackJoinOperator
 *                                                              │      (RocksDB, timers)
 *                                                              ▼         │    │     │
 *                                          Kafka dead-letter topic       │    │     └─► Iceberg unmatched_feedback
 *                                                                        │    └─► Iceberg predictions ─┬─► drift
 *                                                                        └─► Iceberg outcomes ────────┴─► slice metrics
 *                                                                            + Kafka outcomes topic     (both ─► alerts)
 *                                                  predictions, outcomes, alerts ─► curation (datasets, retrain topic)
 * </pre>
 *
 * <p>Drift (on the predictions), slice metrics (on predictions and outcomes) and alerts (on both)
 * run in the same job when the spec enables them ({@link #attachMonitoring}): they read the join's
 * outputs without another trip through Kafka, and share its checkpoints, so every table and topic
 * is exactly once with respect to the same input offsets.
 *
 * <p>With {@code maintenance.in-job} a streaming run also maintains the tables it writes: one
 * Iceberg maintenance stream per table (compaction, snapshot expiry, orphan-file removal; {@link
 * #attachMaintenance}), beside the graph above and connected to it only through the tables.
 *
 * <p>Watermarks: each Kafka partition tracks the mapped event time with the spec's
 * out-of-orderness; a partition or topic that is quiet for the spec's idleness is marked idle, so
 * that a feedback topic silent for hours does not hold back the predictions' watermark (its late
 * feedback is then still joined, or reported late; never dropped).
 */
public final class FeedbackJoinJob {

    private FeedbackJoinJob() {}

    /** Builds the graph from the given sources into the given sinks. */
    public static SingleOutputStreamOperator<Outcome> build(
            StreamExecutionEnvironment env,
            JobSpec spec,
            Source<Either<DeadLetter, Prediction>, ?, ?> predictionSource,
            Source<Either<DeadLetter, Feedback>, ?, ?> feedbackSource,
            JoinSinks sinks) {
        SingleOutputStreamOperator<Prediction> predictions =
                env.fromSource(
                                predictionSource,
                                watermarks(spec, e -> e.right().getEventTime().toEpochMilli()),
                                "predictions " + spec.inputs().predictions().topic())
                        .uid(Uids.PREDICTIONS_SOURCE)
                        .process(new DeadLetterRouter<Prediction>())
                        .returns(FieldByFieldTypeInfo.PREDICTIONS)
                        .uid(Uids.PREDICTIONS_DEAD_LETTER_ROUTER)
                        .name("route prediction dead letters");
        SingleOutputStreamOperator<Feedback> feedback =
                env.fromSource(
                                feedbackSource,
                                watermarks(spec, e -> e.right().getEventTime().toEpochMilli()),
                                "feedback " + spec.inputs().feedback().topic())
                        .uid(Uids.FEEDBACK_SOURCE)
                        .process(new DeadLetterRouter<Feedback>())
                        .returns(FieldByFieldTypeInfo.FEEDBACK)
                        .uid(Uids.FEEDBACK_DEAD_LETTER_ROUTER)
                        .name("route feedback dead letters");

        SingleOutputStreamOperator<Outcome> outcomes =
                predictions
                        .keyBy(Prediction::getPredictionId)
                        .connect(feedback.keyBy(Feedback::getPredictionId))
                        .transform(
                                "feedback join",
                                new AvroTypeInfo<>(Outcome.class),
                                new FeedbackJoinOperator(new FeedbackJoinFunction(rules(spec))))
                        .uid(Uids.FEEDBACK_JOIN);

        sinks.predictions(outcomes.getSideOutput(FeedbackJoinFunction.PREDICTIONS));
        sinks.outcomes(outcomes);
        sinks.unmatched(outcomes.getSideOutput(FeedbackJoinFunction.UNMATCHED));
        DataStream<DeadLetter> deadLetters =
                predictions
                        .getSideOutput(DeadLetterRouter.DEAD_LETTERS)
                        .union(feedback.getSideOutput(DeadLetterRouter.DEAD_LETTERS));
        sinks.deadLetters(deadLetters);
        return outcomes;
    }

    /** The join's rules of {@code spec}: its application and its {@code join} section. */
    public static JoinRules rules(JobSpec spec) {
        JoinSpec join = spec.join();
        return JoinRules.of(
                spec.application(),
                join.labelWindow(),
                join.earlyFeedbackHold(),
                join.lateFeedbackRetention(),
                join.policy());
    }

    /** Event time from mapped events; dead letters carry no event time and never move it. */
    private static <T> WatermarkStrategy<Either<DeadLetter, T>> watermarks(
            JobSpec spec, EventTime<T> eventTime) {
        JoinSpec join = spec.join();
        WatermarkStrategy<Either<DeadLetter, T>> strategy =
                WatermarkStrategy.<Either<DeadLetter, T>>forBoundedOutOfOrderness(
                                join.outOfOrderness())
                        .withTimestampAssigner(
                                (e, kafkaTs) -> e.isRight() ? eventTime.of(e) : Long.MIN_VALUE);
        Duration idleness = join.idleness();
        return aligned(idleness.isZero() ? strategy : strategy.withIdleness(idleness), spec);
    }

    /**
     * With {@code join.max-source-drift}, the two sources' watermarks are aligned: a source more
     * than the drift ahead of the other pauses (its Kafka partitions are paused) until the other
     * catches up. A replay then keeps feedback within the drift of its predictions, as a live
     * stream does, so feedback waiting for the watermark stays in the join's in-memory queue
     * instead of overflowing to keyed state. The rows do not depend on it: only how far ahead one
     * side is read.
     */
    public static <E> WatermarkStrategy<E> aligned(WatermarkStrategy<E> strategy, JobSpec spec) {
        Duration drift = spec.join().maxSourceDrift();
        return drift.isZero()
                ? strategy
                : strategy.withWatermarkAlignment(
                        "hindsight-" + spec.application() + "-inputs",
                        drift,
                        ALIGNMENT_UPDATE_INTERVAL);
    }

    /** How often the sources' watermarks are compared for alignment (Flink's default). */
    private static final Duration ALIGNMENT_UPDATE_INTERVAL = Duration.ofSeconds(1);

    @FunctionalInterface
    private interface EventTime<T> extends java.io.Serializable {
        long of(Either<DeadLetter, T> e);
    }

    /**
     * A {@code drain} run is a bounded job and runs in Flink's BATCH mode: input sorted by key and
     * event time, every timer fired at the end of its key, and each sink committed once when the
     * input ends. A streaming job over bounded input would instead have to commit on a final
     * checkpoint after its tasks finish, and after a failover that checkpoint can fail to complete
     * before the job ends (seen here: "checkpoint request for unknown task", "declined (task is
     * closing)"), which loses the last attempt's output. A batch run that fails restarts the failed
     * region from its input and commits nothing before the end: exactly once by construction. The
     * join's logic is in event time, so its rows are the same in both modes.
     */
    public static void applyEndOfInput(StreamExecutionEnvironment env, JobSpec spec) {
        if (spec.join().endOfInput() == EndOfInput.DRAIN) {
            env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        }
    }

    /**
     * Wires the real connectors. With {@code end-of-input: drain} the topics are read up to the
     * offsets that are latest when the job starts, as a batch job ({@link #applyEndOfInput}), and
     * every waiting prediction resolves at the end (backfills, tests); with {@code savepoint} the
     * job streams until it is stopped with a savepoint, and waiting predictions stay waiting.
     */
    public static void wire(StreamExecutionEnvironment env, JobSpec spec, CatalogLoader catalog) {
        applyEndOfInput(env, spec);
        RegistryConfig registry = KafkaConnections.registry(spec.kafka());
        OffsetsInitializer stopAt =
                spec.join().endOfInput() == EndOfInput.DRAIN ? OffsetsInitializer.latest() : null;
        var predictions =
                HindsightKafka.source(
                        spec.kafka(),
                        spec.inputs().predictions().topic(),
                        KafkaConnections.startingOffsets(
                                spec.inputs().predictions().startingOffsets()),
                        stopAt,
                        CanonicalDeserializer.predictions(spec, registry));
        var feedback =
                HindsightKafka.source(
                        spec.kafka(),
                        spec.inputs().feedback().topic(),
                        KafkaConnections.startingOffsets(
                                spec.inputs().feedback().startingOffsets()),
                        stopAt,
                        CanonicalDeserializer.feedback(spec, registry));
        TableAndTopicSinks sinks =
                new TableAndTopicSinks(spec, catalog, Math.max(1, env.getParallelism()));
        SingleOutputStreamOperator<Outcome> outcomes =
                build(env, spec, predictions, feedback, sinks);
        DataStream<Prediction> read = outcomes.getSideOutput(FeedbackJoinFunction.PREDICTIONS);
        DataStream<Alert> alerts = attachMonitoring(spec, read, outcomes, sinks);
        if (spec.curation().enabled()) {
            CurationPipeline.attach(spec, read, outcomes, alerts, sinks);
        }
        if (spec.maintenance().inJob() && spec.join().endOfInput() != EndOfInput.DRAIN) {
            attachMaintenance(env, spec, catalog);
        }
    }

    /**
     * Iceberg's table maintenance beside the writers ({@code maintenance.in-job}): one stream per
     * table the job writes, triggered by the spec's commit counts and intervals. Streaming runs
     * only: the maintenance streams never end, and a drained run is a bounded batch job (run {@code
     * ./hindsight maintain SPEC} after it instead). Called after the sinks, which create the
     * tables.
     */
    public static void attachMaintenance(
            StreamExecutionEnvironment env, JobSpec spec, CatalogLoader catalog) {
        TableMaintenanceStreams.existingTables(spec, catalog)
                .forEach(
                        (table, id) ->
                                TableMaintenanceStreams.attach(
                                        env,
                                        catalog,
                                        id,
                                        spec.maintenance(),
                                        TableMaintenanceStreams.Schedule.SPEC,
                                        Uids.tableMaintenance(table),
                                        spec.maintenance().checkInterval()));
    }

    /**
     * Adds drift, slice metrics, slice discovery and alerts, as far as the spec enables them, to
     * the join's predictions (every prediction read, duplicates flagged) and outcomes. The one
     * place that decides whether each runs: a disabled section adds no operator to the graph, and
     * the pipelines refuse a spec that disables them.
     *
     * @return the alerts, or null when the spec has no alert rules
     */
    public static DataStream<Alert> attachMonitoring(
            JobSpec spec,
            DataStream<Prediction> predictions,
            DataStream<Outcome> outcomes,
            MonitoringSinks sinks) {
        DataStream<DriftResult> drift = null;
        if (spec.drift().enabled()) {
            drift = DriftPipeline.attach(predictions, spec);
            sinks.drift(drift);
        }
        DataStream<SliceMetric> metrics = null;
        if (spec.metrics().enabled()) {
            metrics = SliceMetricsPipeline.attach(predictions, outcomes, spec);
            sinks.metrics(metrics);
        }
        DataStream<DiscoveredSlice> discovered = null;
        if (spec.metrics().enabled() && spec.metrics().discovery().enabled()) {
            discovered = DiscoveryPipeline.attach(outcomes, DiscoveryConfig.of(spec));
            sinks.discoveredSlices(discovered);
        }
        if (spec.alerts().isEmpty()) {
            return null;
        }
        DataStream<Alert> alerts = AlertPipeline.attach(drift, metrics, discovered, spec);
        sinks.alerts(alerts);
        return alerts;
    }

    /** The catalog the job writes to: the one the spec names ({@link SpecCatalog}). */
    public static CatalogLoader catalog(JobSpec spec) {
        return SpecCatalog.loader(spec);
    }

    /** Cluster entry point: {@code --spec path/to/spec.yaml}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("--spec")) {
            System.err.println("usage: FeedbackJoinJob --spec <spec.yaml>");
            System.exit(2);
        }
        JobSpec spec = SpecLoader.load(Path.of(args[1]), System.getenv());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        CatalogLoader catalog = catalog(spec);
        wire(env, spec, catalog);
        env.execute("hindsight: " + spec.application());
        afterRun(spec, catalog);
    }

    /**
     * After a {@code drain} run (BATCH: no checkpoints, so no tag step reacting to one), tags each
     * curated period its tables hold as a dataset version ({@link DatasetVersions#tagAll}).
     */
    public static void afterRun(JobSpec spec, CatalogLoader catalog) {
        if (spec.join().endOfInput() == EndOfInput.DRAIN && !spec.curation().rules().isEmpty()) {
            DatasetVersions.tagAll(spec, catalog);
        }
    }
}
