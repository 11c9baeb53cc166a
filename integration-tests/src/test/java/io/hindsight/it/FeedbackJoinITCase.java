package io.hindsight.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.embedded.KafkaBrokerProcess;
import io.hindsight.ingest.CanonicalDeserializer;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.JoinSinks;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.jobs.TableAndTopicSinks;
import io.hindsight.kafka.HindsightKafka;
import io.hindsight.kafka.KafkaConnections;
import io.hindsight.registry.ConfluentAvroDecoder;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.registry.SchemaRegistryClient;
import io.hindsight.registry.StandInSchemaRegistry;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.sim.ConfluentRecordEncoder;
import io.hindsight.sim.FraudSchemas;
import io.hindsight.sim.FraudSimulator;
import io.hindsight.sim.SimulatedEvent;
import io.hindsight.sim.SimulatedEvent.Kind;
import io.hindsight.sim.SimulatedEvent.RawPayload;
import io.hindsight.sim.SimulatedEvent.TopicRole;
import io.hindsight.sim.SimulationPlan;
import io.hindsight.sim.SimulationPublisher;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feedback join end to end: the fraud simulator's records, Confluent-framed through the
 * stand-in registry, on a real Kafka broker (its own JVM); the job on a local Flink MiniCluster
 * (parallelism 2, RocksDB, incremental checkpoints every second); its output read back with Flink
 * SQL from the Iceberg warehouse and with {@code read_committed} consumers from the output topics.
 *
 * <p>One broker, one registry and one published simulation serve the whole class. The run with
 * injected crashes (streaming, ended by a draining savepoint once its input is consumed) is shared
 * by the exactly-once and the independent-computation tests; the determinism test adds a crash-free
 * {@code end-of-input: drain} run (a batch job) over the same topics and compares every final
 * outcome and unmatched-feedback row.
 */
class FeedbackJoinITCase {

    private static final int PARALLELISM = 2;
    private static final int PARTITIONS = 2;
    private static final String APPLICATION = "fraud";
    private static final String PREDICTIONS_TOPIC = "payments.fraud-scores";
    private static final String FEEDBACK_TOPIC = "payments.chargebacks";
    private static final Duration LABEL_WINDOW = Duration.ofDays(60);

    /** Four simulated weeks at 60 payments an hour: ~40 K predictions, ~5 K feedback. */
    private static final SimulationPlan PLAN =
            SimulationPlan.defaults(
                    20260105L, Instant.parse("2026-01-05T00:00:00Z"), Duration.ofDays(28), 60);

    @TempDir static Path dir;

    private static KafkaBrokerProcess broker;
    private static StandInSchemaRegistry registry;
    private static SchemaRegistryClient registryClient;
    private static FraudSimulator simulator;
    private static SimulationPublisher.Summary published;
    private static ReferenceJoin reference;
    private static JobRun crashRun;

    /** What one job run left behind. */
    record JobRun(String name, Path warehouse, String outcomesTopic, String deadLetterTopic) {}

    @BeforeAll
    static void startBrokerAndPublish() throws Exception {
        registry = new StandInSchemaRegistry().start();
        registryClient = RegistryConfig.of(registry.url()).create();
        broker = KafkaBrokerProcess.start(dir.resolve("kafka"));
        broker.createTopics(Map.of(PREDICTIONS_TOPIC, PARTITIONS, FEEDBACK_TOPIC, PARTITIONS));

        Path examples =
                Path.of(System.getProperty("hindsight.home", "..")).resolve("examples/fraud");
        simulator = new FraudSimulator(PLAN, FraudSchemas.load(examples));
        published =
                new SimulationPublisher(
                                broker.bootstrapServers(),
                                PREDICTIONS_TOPIC,
                                FEEDBACK_TOPIC,
                                new ConfluentRecordEncoder(registryClient))
                        .publish(simulator, (sent, until) -> {});
        reference = new ReferenceJoin(simulator, LABEL_WINDOW);
    }

    @AfterAll
    static void stopBrokerAndRegistry() {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // a. Exactly once across crashes
    // ---------------------------------------------------------------------------------------

    @Test
    void exactlyOnceAcrossCrashesAndRestoresFromCheckpoints() throws Exception {
        JobRun run = crashRun();
        assertThat(FailureInjectingSinks.FAILURES.get())
                .as("injected failures (each after a completed checkpoint of its attempt)")
                .isEqualTo(3);
        assertThat(FailureInjectingSinks.RESTORES.get())
                .as("failure-injector subtasks that started from a checkpoint")
                .isGreaterThanOrEqualTo(3);

        IcebergSql sql = new IcebergSql(run.warehouse());
        List<DeadLetter> deadLetters = deadLetters(run);
        long predictionDeadLetters =
                deadLetters.stream()
                        .filter(d -> d.getSourceTopic().equals(PREDICTIONS_TOPIC))
                        .count();
        long feedbackDeadLetters = deadLetters.size() - predictionDeadLetters;

        // Predictions: one non-duplicate row per distinct valid prediction, no row twice.
        assertThat(sql.number("SELECT count(*) FROM fraud_predictions"))
                .as("predictions read = predictions rows + prediction dead letters")
                .isEqualTo(published.predictionsTopicRecords() - predictionDeadLetters);
        assertThat(sql.number("SELECT count(*) FROM fraud_predictions WHERE NOT duplicate"))
                .isEqualTo(
                        sql.number(
                                "SELECT count(DISTINCT prediction_id) FROM fraud_predictions"
                                        + " WHERE NOT duplicate"))
                .isEqualTo(reference.predictionIds.size());
        Set<String> tableIds =
                strings(
                        sql.query(
                                "SELECT prediction_id FROM fraud_predictions WHERE NOT duplicate"));
        assertThat(tableIds).isEqualTo(reference.predictionIds);
        long resent =
                simulator.stream()
                        .filter(e -> e.kind() == Kind.PREDICTION && e.truth().duplicate())
                        .count();
        assertThat(sql.number("SELECT count(*) FROM fraud_predictions WHERE duplicate"))
                .as("re-sent predictions, flagged")
                .isEqualTo(resent);

        // Outcomes: exactly one final row per prediction; draining leaves none waiting.
        assertThat(sql.number("SELECT count(*) FROM fraud_outcomes WHERE is_final"))
                .isEqualTo(
                        sql.number(
                                "SELECT count(DISTINCT prediction_id) FROM fraud_outcomes"
                                        + " WHERE is_final"))
                .isEqualTo(reference.predictionIds.size());
        assertThat(strings(sql.query("SELECT prediction_id FROM fraud_outcomes WHERE is_final")))
                .isEqualTo(reference.predictionIds);
        assertThat(sql.number("SELECT count(*) FROM fraud_outcomes WHERE NOT is_final"))
                .as("policy first writes final rows only")
                .isZero();

        // Feedback conservation.
        long finalFeedback =
                sql.number("SELECT sum(feedback_count) FROM fraud_outcomes WHERE is_final");
        long unmatched = sql.number("SELECT count(*) FROM fraud_unmatched_feedback");
        assertThat(finalFeedback + unmatched + feedbackDeadLetters)
                .as(
                        "feedback read (%d) = final feedback_count (%d) + unmatched (%d) + dead"
                                + " letters (%d)",
                        published.feedbackTopicRecords(),
                        finalFeedback,
                        unmatched,
                        feedbackDeadLetters)
                .isEqualTo(published.feedbackTopicRecords());

        // Dead letters: one per malformed record, with the original bytes, and nothing else.
        assertThat(deadLetterKeys(deadLetters)).isEqualTo(expectedDeadLetterKeys());

        // The outcomes topic holds the outcomes table's rows, each once.
        Map<String, Integer> topicRows = new TreeMap<>();
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(registryClient);
        for (ConsumerRecord<byte[], byte[]> r :
                CommittedTopic.readAll(broker.bootstrapServers(), run.outcomesTopic())) {
            GenericRecord o = decoder.decode(r.value());
            topicRows.merge(
                    outcomeKey(
                            o.get("prediction_id"),
                            o.get("revision"),
                            o.get("is_final"),
                            o.get("status"),
                            o.get("feedback_id"),
                            o.get("label"),
                            o.get("label_delay_ms"),
                            o.get("resolved_time")),
                    1,
                    Integer::sum);
        }
        Map<String, Integer> tableRows = new TreeMap<>();
        for (Row r :
                sql.query(
                        "SELECT prediction_id, revision, is_final, status, feedback_id, label,"
                                + " label_delay_ms, resolved_time FROM fraud_outcomes")) {
            tableRows.merge(
                    outcomeKey(
                            r.getField(0),
                            r.getField(1),
                            r.getField(2),
                            r.getField(3),
                            r.getField(4),
                            r.getField(5),
                            r.getField(6),
                            r.getField(7)),
                    1,
                    Integer::sum);
        }
        assertThat(tableRows.values()).as("outcome rows written twice").containsOnly(1);
        assertThat(topicRows).isEqualTo(tableRows);
    }

    // ---------------------------------------------------------------------------------------
    // b. Independent computation
    // ---------------------------------------------------------------------------------------

    /**
     * Every final outcome row against {@link ReferenceJoin}. The simulator's disorder is bounded by
     * 2 minutes and the spec's out-of-orderness is 5 minutes, and every label delay (at most 50
     * days) is inside the 60-day window, so no case is ambiguous: all rows are compared.
     */
    @Test
    void finalOutcomesMatchAnIndependentComputation() throws Exception {
        JobRun run = crashRun();
        IcebergSql sql = new IcebergSql(run.warehouse());
        Map<String, ReferenceJoin.Expected> actual = new HashMap<>();
        for (Row r :
                sql.query(
                        "SELECT prediction_id, status, label, feedback_id, label_delay_ms,"
                                + " resolved_time, feedback_count FROM fraud_outcomes"
                                + " WHERE is_final")) {
            String id = (String) r.getField(0);
            actual.put(
                    id,
                    new ReferenceJoin.Expected(
                            id,
                            (String) r.getField(1),
                            (Double) r.getField(2),
                            (String) r.getField(3),
                            (Long) r.getField(4),
                            ((Instant) r.getField(5)).toEpochMilli(),
                            (Integer) r.getField(6)));
        }
        List<String> differences = new ArrayList<>();
        for (ReferenceJoin.Expected expected : reference.outcomes.values()) {
            ReferenceJoin.Expected got = actual.get(expected.predictionId());
            if (!expected.equals(got)) {
                differences.add("expected " + expected + "\n     got " + got);
            }
        }
        assertThat(differences)
                .as(
                        "final outcomes differing from the reference (of %d)",
                        reference.outcomes.size())
                .isEmpty();
        assertThat(actual).hasSameSizeAs(reference.outcomes);
        assertThat(reference.outcomes.values())
                .as("the simulation exercises both outcomes")
                .anyMatch(e -> e.status().equals("LABELED"))
                .anyMatch(e -> e.status().equals("EXPIRED"));

        Map<String, Long> kinds = new TreeMap<>();
        for (Row r :
                sql.query("SELECT kind, count(*) FROM fraud_unmatched_feedback GROUP BY kind")) {
            kinds.put((String) r.getField(0), (Long) r.getField(1));
        }
        Map<String, Long> expectedKinds = new TreeMap<>();
        expectedKinds.put("ORPHAN", (long) reference.orphanFeedback);
        expectedKinds.put("DUPLICATE", (long) reference.duplicateFeedback);
        expectedKinds.put("EXTRA", (long) reference.extraFeedback);
        expectedKinds.put("LATE", (long) reference.lateFeedback);
        expectedKinds.values().removeIf(n -> n == 0);
        assertThat(kinds).isEqualTo(expectedKinds);
        assertThat(kinds).containsKeys("ORPHAN", "DUPLICATE");
    }

    // ---------------------------------------------------------------------------------------
    // c. Determinism
    // ---------------------------------------------------------------------------------------

    /**
     * A second run over the same topics, without crashes, with a fresh warehouse, consumer group
     * and output topics, yields the same final outcome rows, every column included.
     */
    @Test
    void aSecondRunOverTheSameTopicsYieldsTheSameFinalOutcomes() throws Exception {
        JobRun first = crashRun();
        JobRun second = runJob("replay", false);

        Map<String, Row> a = finalOutcomeRows(first);
        Map<String, Row> b = finalOutcomeRows(second);
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Row> e : a.entrySet()) {
            Row other = b.get(e.getKey());
            if (!Objects.equals(e.getValue(), other)) {
                differences.add(e.getValue() + "\n  vs " + other);
            }
        }
        assertThat(differences).as("final outcome rows that differ between runs").isEmpty();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        assertThat(a).hasSize(reference.predictionIds.size());
        // Unmatched feedback is decided by event time too (kind and resolved_time included).
        java.util.Set<String> inFirst = unmatchedRows(first);
        java.util.Set<String> inSecond = unmatchedRows(second);
        java.util.Set<String> onlyFirst = new java.util.TreeSet<>(inFirst);
        onlyFirst.removeAll(inSecond);
        java.util.Set<String> onlySecond = new java.util.TreeSet<>(inSecond);
        onlySecond.removeAll(inFirst);
        assertThat(onlyFirst).as("unmatched rows only in the first run").isEmpty();
        assertThat(onlySecond).as("unmatched rows only in the second run").isEmpty();
    }

    private static java.util.Set<String> unmatchedRows(JobRun run) {
        java.util.Set<String> rows = new java.util.HashSet<>();
        for (Row r :
                new IcebergSql(run.warehouse()).query("SELECT * FROM fraud_unmatched_feedback")) {
            assertThat(rows.add(r.toString())).as("duplicated row %s", r).isTrue();
        }
        return rows;
    }

    private static Map<String, Row> finalOutcomeRows(JobRun run) {
        Map<String, Row> rows = new HashMap<>();
        for (Row r :
                new IcebergSql(run.warehouse())
                        .query("SELECT * FROM fraud_outcomes WHERE is_final")) {
            Row previous = rows.put((String) r.getField("prediction_id"), r);
            assertThat(previous).as("two final rows for %s", r).isNull();
        }
        return rows;
    }

    // ---------------------------------------------------------------------------------------
    // Running the job
    // ---------------------------------------------------------------------------------------

    private static synchronized JobRun crashRun() throws Exception {
        if (crashRun == null) {
            crashRun = runJob("crash", true);
        }
        return crashRun;
    }

    /**
     * Runs the feedback join over the published topics until every prediction has resolved.
     *
     * <p>The run with crashes is the production path: a streaming job (RocksDB, checkpoints every
     * second) over unbounded sources, crashed and restored from checkpoints, and once its committed
     * offsets reach the end of both topics, stopped with a draining savepoint (Flink's final
     * watermark fires every timer; the sinks commit on the savepoint). The run without crashes is
     * the spec's {@code end-of-input: drain} backfill: the same topics read to their end as a batch
     * job. Both must write the same rows.
     */
    private static JobRun runJob(String name, boolean injectFailures) throws Exception {
        Path work = dir.resolve(name);
        Path warehouse = work.resolve("warehouse");
        JobRun run =
                new JobRun(
                        name,
                        warehouse,
                        "hindsight.it-" + name + ".outcomes",
                        "hindsight.it-" + name + ".dead-letter");
        broker.createTopics(
                Map.of(run.outcomesTopic(), PARTITIONS, run.deadLetterTopic(), PARTITIONS));
        JobSpec spec =
                SpecLoader.parse(specYaml(run, injectFailures ? "savepoint" : "drain"), Map.of());

        Configuration conf = LocalFlink.configuration(work, PARALLELISM, Duration.ofSeconds(1));
        StreamExecutionEnvironment env = LocalFlink.environment(conf);
        FeedbackJoinJob.applyEndOfInput(env, spec);
        OffsetsInitializer stopAt = injectFailures ? null : OffsetsInitializer.latest();
        RegistryConfig registryConfig = KafkaConnections.registry(spec.kafka());
        var predictions =
                HindsightKafka.source(
                        spec.kafka(),
                        PREDICTIONS_TOPIC,
                        OffsetsInitializer.earliest(),
                        stopAt,
                        CanonicalDeserializer.predictions(spec, registryConfig));
        var feedback =
                HindsightKafka.source(
                        spec.kafka(),
                        FEEDBACK_TOPIC,
                        OffsetsInitializer.earliest(),
                        stopAt,
                        CanonicalDeserializer.feedback(spec, registryConfig));
        JoinSinks sinks = new TableAndTopicSinks(spec, FeedbackJoinJob.catalog(spec), PARALLELISM);
        if (!injectFailures) {
            FeedbackJoinJob.build(env, spec, predictions, feedback, sinks);
            env.execute("feedback join it: " + name);
            return run;
        }
        long p = published.predictionsTopicRecords();
        // Early thresholds: each attempt also waits for a checkpoint of its own before it fails,
        // and the third must fail well before the input is consumed.
        sinks = new FailureInjectingSinks(sinks, p / 10, 2 * p / 10, 3 * p / 10);
        FeedbackJoinJob.build(env, spec, predictions, feedback, sinks);
        JobClient job = env.executeAsync("feedback join it: " + name);
        try {
            CommittedTopic.awaitConsumed(
                    broker.bootstrapServers(),
                    spec.kafka().groupId(),
                    List.of(PREDICTIONS_TOPIC, FEEDBACK_TOPIC),
                    job,
                    Duration.ofMinutes(5));
            job.stopWithSavepoint(
                            true,
                            work.resolve("savepoints").toUri().toString(),
                            SavepointFormatType.CANONICAL)
                    .get(5, TimeUnit.MINUTES);
        } catch (Exception e) {
            job.cancel();
            throw e;
        }
        return run;
    }

    /** The fraud example's mapping, as examples/fraud/spec.yaml has it, with this run's outputs. */
    private static String specYaml(JobRun run, String endOfInput) {
        return """
                version: 1
                application: %s
                kafka:
                  bootstrap-servers: %s
                  group-id: hindsight-it-%s
                  schema-registry:
                    url: %s
                """
                        .formatted(
                                APPLICATION, broker.bootstrapServers(), run.name(), registry.url())
                + FraudSpecYaml.inputs(PREDICTIONS_TOPIC, FEEDBACK_TOPIC)
                + FraudSpecYaml.join(endOfInput)
                + """
                iceberg:
                  catalog:
                    type: hadoop
                    warehouse: %s
                outputs:
                  outcomes-topic: %s
                  dead-letter-topic: %s
                """
                        .formatted(
                                run.warehouse().toUri(),
                                run.outcomesTopic(),
                                run.deadLetterTopic());
    }

    // ---------------------------------------------------------------------------------------
    // Reading the outputs
    // ---------------------------------------------------------------------------------------

    private static List<DeadLetter> deadLetters(JobRun run) throws Exception {
        ConfluentAvroDecoder decoder =
                new ConfluentAvroDecoder(registryClient, DeadLetter.getClassSchema());
        List<DeadLetter> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                CommittedTopic.readAll(broker.bootstrapServers(), run.deadLetterTopic())) {
            GenericRecord g = decoder.decode(r.value());
            out.add(
                    DeadLetter.newBuilder()
                            .setApplication(g.get("application").toString())
                            .setSourceTopic(g.get("source_topic").toString())
                            .setSourcePartition((Integer) g.get("source_partition"))
                            .setSourceOffset((Long) g.get("source_offset"))
                            .setSourceTimestamp(instant(g.get("source_timestamp")))
                            .setStream(
                                    io.hindsight.schemas.InputStream.valueOf(
                                            g.get("stream").toString()))
                            .setKey((ByteBuffer) g.get("key"))
                            .setValue((ByteBuffer) g.get("value"))
                            .setErrorCode(g.get("error_code").toString())
                            .setReason(g.get("reason").toString())
                            .build());
        }
        return out;
    }

    /** topic | key | timestamp | original bytes, counted. */
    private static Map<String, Integer> deadLetterKeys(List<DeadLetter> deadLetters) {
        Map<String, Integer> keys = new TreeMap<>();
        for (DeadLetter d : deadLetters) {
            keys.merge(
                    d.getSourceTopic()
                            + " | "
                            + new String(bytes(d.getKey()), StandardCharsets.UTF_8)
                            + " | "
                            + d.getSourceTimestamp().toEpochMilli()
                            + " | "
                            + Base64.getEncoder().encodeToString(bytes(d.getValue())),
                    1,
                    Integer::sum);
        }
        return keys;
    }

    /** The same keys from the simulator's malformed records, encoded as they were published. */
    private static Map<String, Integer> expectedDeadLetterKeys() {
        Map<String, Integer> keys = new TreeMap<>();
        ConfluentRecordEncoder encoder = new ConfluentRecordEncoder(registryClient);
        for (SimulatedEvent e : simulator) {
            if (e.kind() != Kind.MALFORMED) {
                continue;
            }
            String topic = e.topic() == TopicRole.PREDICTIONS ? PREDICTIONS_TOPIC : FEEDBACK_TOPIC;
            byte[] value =
                    e.payload() instanceof RawPayload raw
                            ? raw.bytes()
                            : encoder.encode(topic, e.record());
            keys.merge(
                    topic
                            + " | "
                            + e.key()
                            + " | "
                            + e.timestampMillis()
                            + " | "
                            + Base64.getEncoder().encodeToString(value),
                    1,
                    Integer::sum);
        }
        assertThat(keys).as("the simulation makes malformed records").isNotEmpty();
        return keys;
    }

    private static String outcomeKey(Object... fields) {
        StringBuilder b = new StringBuilder();
        for (Object f : fields) {
            Object v = f instanceof Instant i ? (Object) i.toEpochMilli() : f;
            b.append(v == null ? "null" : v.toString()).append(" | ");
        }
        return b.toString();
    }

    private static Set<String> strings(List<Row> rows) {
        Set<String> out = new HashSet<>();
        for (Row r : rows) {
            out.add((String) r.getField(0));
        }
        return out;
    }

    private static Instant instant(Object v) {
        if (v == null) {
            return null;
        }
        return v instanceof Instant i ? i : Instant.ofEpochMilli((Long) v);
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return new byte[0];
        }
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
