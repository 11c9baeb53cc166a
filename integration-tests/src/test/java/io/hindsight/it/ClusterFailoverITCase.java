package io.hindsight.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hindsight.cli.Hindsight;
import io.hindsight.embedded.FlinkClusterProcesses;
import io.hindsight.embedded.KafkaBrokerProcess;
import io.hindsight.iceberg.IcebergBatchSql;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.join.JoinStateCounts;
import io.hindsight.kafka.ClientTimeouts;
import io.hindsight.kafka.ConsumerGroupProgress;
import io.hindsight.registry.ConfluentAvroDecoder;
import io.hindsight.registry.DecodeException;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.registry.SchemaRegistryClient;
import io.hindsight.registry.StandInSchemaRegistry;
import io.hindsight.rest.FlinkRestClient;
import io.hindsight.sim.ConfluentRecordEncoder;
import io.hindsight.sim.FraudSchemas;
import io.hindsight.sim.FraudSimulator;
import io.hindsight.sim.SimulatedEvent;
import io.hindsight.sim.SimulatedEvent.Kind;
import io.hindsight.sim.SimulatedEvent.TopicRole;
import io.hindsight.sim.SimulationPlan;
import io.hindsight.sim.SimulationPublisher;
import io.hindsight.spec.FeedbackPolicy;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import io.hindsight.uids.Uids;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feedback join on a real standalone Flink cluster (a JobManager and two TaskManagers, each its
 * own JVM), submitted and stopped through {@code ./hindsight submit} and {@code stop}: a
 * TaskManager is killed with SIGKILL while records flow, a replacement joins, and the tables still
 * hold every record exactly once; then the job is upgraded from its savepoint and keeps counting.
 *
 * <p>Every expected figure comes from the simulator's ground truth or from Kafka offsets, never
 * from the job's own output.
 */
class ClusterFailoverITCase {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterFailoverITCase.class);
    private static final Path HOME = Path.of(System.getProperty("hindsight.home"));
    private static final Instant START = Instant.parse("2026-01-05T00:00:00Z");
    private static final Duration WAIT = Duration.ofMinutes(3);

    /** Kept when the test fails: the cluster's logs are under {@code flink/logs}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    static KafkaBrokerProcess broker;
    static StandInSchemaRegistry registry;
    static FlinkClusterProcesses cluster;

    @BeforeAll
    static void startEverything() throws Exception {
        broker = KafkaBrokerProcess.start(work.resolve("kafka"));
        registry = new StandInSchemaRegistry();
        registry.start();
        cluster =
                FlinkClusterProcesses.start(
                        work.resolve("flink"),
                        2,
                        Map.of(
                                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                                "SCHEMA_REGISTRY_URL", registry.url()),
                        Map.of("execution.checkpointing.interval", "2 s"));
    }

    @AfterAll
    static void stopEverything() {
        // Each in its own step, so that one failing to stop does not leave the others running.
        if (cluster != null) {
            cluster.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void survivesATaskManagerKillAndResumesFromItsSavepoint() throws Exception {
        Path specFile = writeSpec();
        Map<String, String> env =
                Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                        "SCHEMA_REGISTRY_URL", registry.url());
        JobSpec spec = SpecLoader.load(specFile, env);
        String predictionsTopic = spec.inputs().predictions().topic();
        String feedbackTopic = spec.inputs().feedback().topic();
        broker.createTopics(
                Map.of(
                        predictionsTopic,
                        2,
                        feedbackTopic,
                        2,
                        spec.outputs().outcomesTopic(),
                        2,
                        spec.outputs().deadLetterTopic(),
                        1));

        // 21 simulated days at 80 payments/hour (~45 K records), played in three parts: the first
        // before the kill, the second while it happens, the third after the upgrade.
        FraudSimulator simulator =
                new FraudSimulator(
                        SimulationPlan.defaults(7L, START, Duration.ofDays(21), 80),
                        FraudSchemas.load(HOME.resolve("examples/fraud")));
        List<SimulatedEvent> events = simulator.stream().toList();
        int firstCut = indexAt(events, START.plus(Duration.ofDays(12)));
        int secondCut = indexAt(events, START.plus(Duration.ofDays(18)));
        List<SimulatedEvent> beforeKill = events.subList(0, firstCut);
        List<SimulatedEvent> duringKill = events.subList(firstCut, secondCut);
        List<SimulatedEvent> afterUpgrade = events.subList(secondCut, events.size());
        SimulationPublisher publisher = publisher(predictionsTopic, feedbackTopic);
        FlinkRestClient flink = new FlinkRestClient(cluster.restUrl());

        // Run 1: submit through the command line, as a person would.
        publisher.publish(beforeKill, (sent, t) -> {});
        String jobId = cli("submit", specFile.toString(), "--cluster", cluster.restUrl());
        awaitRunningWithCheckpoints(flink, jobId, 2);
        assertThat(flink.job(jobId).path("vertices").findValues("parallelism"))
                .as("the cluster's parallelism.default, used by submit")
                .allMatch(p -> p.asInt() <= 2)
                .anyMatch(p -> p.asInt() == 2);
        awaitSomeConsumed(spec.kafka().groupId());

        AtomicLong sentDuringKill = new AtomicLong();
        CompletableFuture<SimulationPublisher.Summary> publishing =
                CompletableFuture.supplyAsync(
                        () ->
                                publisher.publish(
                                        throttled(duringKill, sentDuringKill), (s, t) -> {}));
        while (sentDuringKill.get() < duringKill.size() / 4 && !publishing.isDone()) {
            Thread.sleep(20);
        }
        long checkpointsBeforeKill = completedCheckpoints(flink, jobId);
        long killedAt = System.currentTimeMillis();
        cluster.killTaskManager(0);
        LOG.info(
                "Killed {} after {} of {} records of the second part, {} checkpoints completed",
                cluster.taskManagerResourceId(0),
                sentDuringKill.get(),
                duringKill.size(),
                checkpointsBeforeKill);
        CompletableFuture<Integer> replacement =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return cluster.startTaskManager();
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
        long[] recovery = awaitRecovery(flink, jobId, killedAt);
        replacement.get(2, TimeUnit.MINUTES);
        publishing.get(2, TimeUnit.MINUTES);
        JsonNode exceptions = flink.exceptions(jobId).path("exceptionHistory").path("entries");
        assertThat(exceptions).as("the job's failure history after the kill").isNotEmpty();
        long firstFailure = Long.MAX_VALUE;
        for (JsonNode failure : exceptions) {
            firstFailure = Math.min(firstFailure, failure.path("timestamp").asLong() - killedAt);
            LOG.info(
                    "Failure {} ms after the kill: {}",
                    failure.path("timestamp").asLong() - killedAt,
                    failure.path("stacktrace").asText().lines().findFirst().orElse(""));
        }
        LOG.info(
                "TaskManager loss: first failure {} ms after the kill, last switch to RESTARTING"
                        + " after {} ms, every task RUNNING again after {} ms",
                firstFailure,
                recovery[0],
                recovery[1]);
        assertThat(numRestarts(flink, jobId)).as("restarts of the job").isPositive();

        Map<TopicPartition, Long> ends = endOffsets(List.of(predictionsTopic, feedbackTopic));
        awaitConsumed(flink, jobId, spec.kafka().groupId(), ends);
        String firstSavepoint = cli("stop", jobId, "--cluster", cluster.restUrl());
        assertThat(flink.jobState(jobId)).isEqualTo("FINISHED");

        Truth truth1 = Truth.of(events.subList(0, secondCut));
        Counts run1 = checkTables(spec, truth1, ends, firstSavepoint);

        // Run 2: the upgrade path, resumed from the savepoint; the last simulated days arrive.
        String upgradedJob =
                cli(
                        "submit",
                        specFile.toString(),
                        "--cluster",
                        cluster.restUrl(),
                        "--savepoint",
                        firstSavepoint);
        assertThat(upgradedJob).isNotEqualTo(jobId);
        awaitRunningWithCheckpoints(flink, upgradedJob, 1);
        publisher.publish(afterUpgrade, (sent, t) -> {});
        Map<TopicPartition, Long> finalEnds = endOffsets(List.of(predictionsTopic, feedbackTopic));
        awaitConsumed(flink, upgradedJob, spec.kafka().groupId(), finalEnds);
        String secondSavepoint = cli("stop", upgradedJob, "--cluster", cluster.restUrl());

        Counts run2 = checkTables(spec, Truth.of(events), finalEnds, secondSavepoint);
        // Predictions final after run 1 stay final exactly once; those waiting in the first
        // savepoint either got their final row in run 2 or still wait in the second.
        assertThat(run2.finalIds).containsAll(run1.finalIds);
        assertThat(run1.waiting).isPositive();
        assertThat(run2.finalIds.size() - run1.finalIds.size())
                .as("predictions that became final in run 2")
                .isPositive();
    }

    /** What the tables and the savepoint hold after a run, checked against the ground truth. */
    private Counts checkTables(
            JobSpec spec, Truth truth, Map<TopicPartition, Long> ends, String savepoint)
            throws Exception {
        var t = spec.iceberg().tables();
        TableEnvironment sql =
                IcebergBatchSql.open(spec, FeedbackJoinJob.catalog(spec), Hindsight.logFile())
                        .tableEnvironment();
        long predictionsRead = sum(ends, spec.inputs().predictions().topic());
        long feedbackRead = sum(ends, spec.inputs().feedback().topic());
        Map<String, Long> deadLetters = countDeadLetters(spec.outputs().deadLetterTopic());

        // Every prediction record in exactly one place; no prediction lost or written twice.
        long predictionRows = scalar(sql, "SELECT count(*) FROM " + t.predictions());
        assertThat(predictionRows + deadLetters.getOrDefault("PREDICTIONS", 0L))
                .as("predictions read = rows + dead letters")
                .isEqualTo(predictionsRead);
        assertThat(deadLetters.getOrDefault("PREDICTIONS", 0L))
                .isEqualTo(truth.malformedPredictions);
        assertThat(scalar(sql, "SELECT count(*) FROM " + t.predictions() + " WHERE duplicate"))
                .isEqualTo(truth.duplicatePredictions);
        List<Row> firsts =
                rows(sql, "SELECT prediction_id FROM " + t.predictions() + " WHERE NOT duplicate");
        Set<String> ids = new HashSet<>();
        firsts.forEach(r -> ids.add((String) r.getField(0)));
        assertThat(firsts).as("non-duplicate prediction rows, one per id").hasSize(ids.size());
        assertThat(ids).as("prediction ids").isEqualTo(truth.validIds);

        // At most one final outcome per prediction, and only for predictions that exist.
        List<Row> finals =
                rows(sql, "SELECT prediction_id FROM " + t.outcomes() + " WHERE is_final");
        Set<String> finalIds = new HashSet<>();
        finals.forEach(r -> finalIds.add((String) r.getField(0)));
        assertThat(finals).as("final outcome rows, one per prediction").hasSize(finalIds.size());
        assertThat(truth.validIds).containsAll(finalIds);

        // Conservation, with the waiting term read from the savepoint's state.
        JoinStateCounts state =
                JoinStateCounts.read(savepoint, Uids.FEEDBACK_JOIN, FeedbackPolicy.FIRST);
        assertThat(finalIds.size() + state.predictionsWaiting())
                .as("distinct predictions = final + waiting in state")
                .isEqualTo(ids.size());
        long joined =
                scalar(
                        sql,
                        "SELECT coalesce(sum(feedback_count), 0) FROM "
                                + t.outcomes()
                                + " WHERE is_final");
        long unmatched = scalar(sql, "SELECT count(*) FROM " + t.unmatchedFeedback());
        assertThat(deadLetters.getOrDefault("FEEDBACK", 0L)).isEqualTo(truth.malformedFeedback);
        assertThat(
                        joined
                                + unmatched
                                + deadLetters.getOrDefault("FEEDBACK", 0L)
                                + state.feedbackHeld()
                                + state.feedbackInProvisionalRows())
                .as("feedback read = joined + unmatched + dead letters + held")
                .isEqualTo(feedbackRead);
        assertThat(
                        scalar(
                                sql,
                                "SELECT count(*) FROM "
                                        + t.unmatchedFeedback()
                                        + " WHERE kind = 'DUPLICATE'"))
                .isEqualTo(truth.duplicateFeedback);
        LOG.info(
                "Checked {}: {} prediction rows, {} final, {} waiting; feedback {} joined, {}"
                        + " unmatched, {} held; dead letters {}",
                savepoint,
                predictionRows,
                finalIds.size(),
                state.predictionsWaiting(),
                joined,
                unmatched,
                state.feedbackHeld(),
                deadLetters);
        return new Counts(finalIds, state.predictionsWaiting());
    }

    private record Counts(Set<String> finalIds, long waiting) {}

    /** The ground truth of a prefix of the simulation, counted from the simulator's events. */
    private record Truth(
            Set<String> validIds,
            long duplicatePredictions,
            long duplicateFeedback,
            long malformedPredictions,
            long malformedFeedback) {

        static Truth of(List<SimulatedEvent> events) {
            Set<String> ids = new HashSet<>();
            long dupP = 0;
            long dupF = 0;
            long badP = 0;
            long badF = 0;
            for (SimulatedEvent e : events) {
                if (e.kind() == Kind.PREDICTION) {
                    if (e.truth().duplicate()) {
                        dupP++;
                    } else {
                        ids.add(e.truth().paymentId());
                    }
                } else if (e.kind() == Kind.FEEDBACK && e.truth().duplicate()) {
                    dupF++;
                } else if (e.kind() == Kind.MALFORMED) {
                    if (e.topic() == TopicRole.PREDICTIONS) {
                        badP++;
                    } else {
                        badF++;
                    }
                }
            }
            return new Truth(ids, dupP, dupF, badP, badF);
        }
    }

    /** Runs a command of {@code ./hindsight} and returns what it printed on stdout. */
    private static String cli(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                Hindsight.execute(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of(
                                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                                "SCHEMA_REGISTRY_URL", registry.url()));
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as("./hindsight %s: %s", String.join(" ", args), stderr).isZero();
        LOG.info("./hindsight {}: {}", args[0], stderr.strip());
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    private Path writeSpec() throws Exception {
        Path dir = work.resolve("spec");
        Files.createDirectories(dir);
        Path examples = HOME.resolve("examples/fraud");
        for (String schema : List.of("prediction.avsc", "feedback.avsc")) {
            Files.copy(examples.resolve(schema), dir.resolve(schema));
        }
        String spec = Files.readString(examples.resolve("spec.yaml"));
        assertThat(spec).contains("  policy: first\n").doesNotContain("\niceberg:");
        spec =
                spec.replace("  policy: first\n", "  policy: first\n  end-of-input: savepoint\n")
                        + "\niceberg:\n  catalog:\n    type: hadoop\n    warehouse: "
                        + work.resolve("warehouse").toUri()
                        + "\n";
        Path file = dir.resolve("spec.yaml");
        Files.writeString(file, spec);
        return file;
    }

    private SimulationPublisher publisher(String predictionsTopic, String feedbackTopic) {
        SchemaRegistryClient client = RegistryConfig.of(registry.url()).create();
        return new SimulationPublisher(
                broker.bootstrapServers(),
                predictionsTopic,
                feedbackTopic,
                new ConfluentRecordEncoder(client));
    }

    /** The events at about 5 000 records/s, so that the kill lands while records flow. */
    private static Iterable<SimulatedEvent> throttled(
            List<SimulatedEvent> events, AtomicLong sent) {
        return () ->
                events.stream()
                        .peek(
                                e -> {
                                    if (sent.incrementAndGet() % 100 == 0) {
                                        try {
                                            Thread.sleep(20);
                                        } catch (InterruptedException ex) {
                                            Thread.currentThread().interrupt();
                                            throw new IllegalStateException(ex);
                                        }
                                    }
                                })
                        .iterator();
    }

    private static int indexAt(List<SimulatedEvent> events, Instant time) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).timestampMillis() >= time.toEpochMilli()
                    && events.get(i).kind() != Kind.MALFORMED) {
                return i;
            }
        }
        throw new IllegalArgumentException("no event at or after " + time);
    }

    private static void awaitRunningWithCheckpoints(FlinkRestClient flink, String jobId, long n)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!("RUNNING".equals(flink.jobState(jobId))
                && completedCheckpoints(flink, jobId) >= n)) {
            failIfEnded(flink, jobId);
            assertThat(System.nanoTime())
                    .as("job %s running with %d checkpoints", jobId, n)
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static long completedCheckpoints(FlinkRestClient flink, String jobId) throws Exception {
        return flink.checkpoints(jobId).path("counts").path("completed").asLong();
    }

    /**
     * The job's numRestarts metric. The REST API serves metrics from a cache the JobManager
     * refreshes every few seconds (metrics.fetcher.update-interval), so a restart that just
     * happened may read 0 for a while: poll until it shows or the wait runs out.
     */
    private static long numRestarts(FlinkRestClient flink, String jobId) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode metrics = flink.get("/jobs/" + jobId + "/metrics?get=numRestarts");
            long restarts = metrics.path(0).path("value").asLong();
            if (restarts > 0 || System.nanoTime() > deadline) {
                return restarts;
            }
            Thread.sleep(500);
        }
    }

    /**
     * Polls the job after the kill; returns the milliseconds from the kill until the JobManager
     * last switched the job to RESTARTING and until every task of every vertex was RUNNING again.
     */
    private static long[] awaitRecovery(FlinkRestClient flink, String jobId, long killedAt)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode job = flink.job(jobId);
            long now = System.currentTimeMillis();
            long restartingAt = job.path("timestamps").path("RESTARTING").asLong(0);
            if (restartingAt >= killedAt
                    && job.path("state").asText().equals("RUNNING")
                    && allTasksRunning(job)) {
                return new long[] {restartingAt - killedAt, now - killedAt};
            }
            failIfEnded(flink, jobId);
            assertThat(System.nanoTime())
                    .as("job %s recovered (now %s; logs in %s)", jobId, vertices(job), work)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static String vertices(JsonNode job) {
        StringBuilder text = new StringBuilder(job.path("state").asText());
        for (JsonNode vertex : job.path("vertices")) {
            text.append(", ")
                    .append(vertex.path("name").asText())
                    .append(": ")
                    .append(vertex.path("tasks").path("RUNNING").asInt())
                    .append('/')
                    .append(vertex.path("parallelism").asInt())
                    .append(" running");
        }
        return text.toString();
    }

    private static boolean allTasksRunning(JsonNode job) {
        for (JsonNode vertex : job.path("vertices")) {
            if (vertex.path("tasks").path("RUNNING").asInt()
                    != vertex.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    private static void failIfEnded(FlinkRestClient flink, String jobId) throws Exception {
        String state = flink.jobState(jobId);
        assertThat(state)
                .as(
                        "job %s: %s",
                        jobId,
                        flink.exceptions(jobId).path("exceptionHistory").path("entries").path(0))
                .isNotIn("FAILED", "CANCELED", "FINISHED");
    }

    private static void awaitSomeConsumed(String groupId) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (Admin admin = admin()) {
            while (committed(admin, groupId).values().stream().mapToLong(Long::longValue).sum()
                    == 0) {
                assertThat(System.nanoTime()).as("first offsets committed").isLessThan(deadline);
                Thread.sleep(200);
            }
        }
    }

    /**
     * Waits until the job has committed offsets at the end of every input partition: the source
     * commits when a checkpoint completes, so by then a checkpoint covering every record read has
     * completed (stop-with-savepoint then commits the sinks' last files and transactions).
     */
    private static void awaitConsumed(
            FlinkRestClient flink, String jobId, String groupId, Map<TopicPartition, Long> ends)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                Map<TopicPartition, Long> committed = committed(admin, groupId);
                if (ConsumerGroupProgress.atEnd(committed, ends)) {
                    return;
                }
                failIfEnded(flink, jobId);
                assertThat(System.nanoTime())
                        .as("offsets %s reach %s", committed, ends)
                        .isLessThan(deadline);
                Thread.sleep(500);
            }
        }
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String groupId)
            throws Exception {
        return ConsumerGroupProgress.committedOffsets(admin, groupId);
    }

    private static Map<TopicPartition, Long> endOffsets(List<String> topics) throws Exception {
        try (Admin admin = admin()) {
            return ConsumerGroupProgress.endOffsets(admin, topics);
        }
    }

    /** Dead letters per input stream, read committed: an aborted transaction's are not counted. */
    private static Map<String, Long> countDeadLetters(String topic) throws DecodeException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, Long> counts = new HashMap<>();
        ConfluentAvroDecoder decoder =
                new ConfluentAvroDecoder(RegistryConfig.of(registry.url()).create());
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic)
                    .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    GenericRecord d = decoder.decode(r.value());
                    counts.merge(String.valueOf(d.get("stream")), 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    private static Admin admin() {
        return Admin.create(ClientTimeouts.admin(broker.bootstrapServers()));
    }

    private static long sum(Map<TopicPartition, Long> ends, String topic) {
        return ends.entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    private static long scalar(TableEnvironment sql, String query) throws Exception {
        return ((Number) rows(sql, query).get(0).getField(0)).longValue();
    }

    private static List<Row> rows(TableEnvironment sql, String query) throws Exception {
        try (CloseableIterator<Row> it = sql.executeSql(query).collect()) {
            List<Row> rows = new ArrayList<>();
            it.forEachRemaining(rows::add);
            return rows;
        }
    }
}
