package io.hindsight.demo;

import io.hindsight.cli.Hindsight;
import io.hindsight.embedded.KafkaBrokerProcess;
import io.hindsight.embedded.LocalProcesses;
import io.hindsight.iceberg.IcebergBatchSql;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.join.JoinStateCounts;
import io.hindsight.kafka.ClientTimeouts;
import io.hindsight.kafka.ConsumerGroupProgress;
import io.hindsight.registry.ConfluentAvroDecoder;
import io.hindsight.registry.RegistryConfig;
import io.hindsight.registry.SchemaRegistryClient;
import io.hindsight.registry.StandInSchemaRegistry;
import io.hindsight.sim.ConfluentRecordEncoder;
import io.hindsight.sim.FraudSchemas;
import io.hindsight.sim.FraudSimulator;
import io.hindsight.sim.SimulatedEvent;
import io.hindsight.sim.SimulationPlan;
import io.hindsight.sim.SimulationPublisher;
import io.hindsight.spec.AlertRuleSpec;
import io.hindsight.spec.DiscoverySpec;
import io.hindsight.spec.DriftReference;
import io.hindsight.spec.DriftSpec;
import io.hindsight.spec.IcebergSpec;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.MetricsSpec;
import io.hindsight.spec.SpecLoader;
import io.hindsight.uids.Uids;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The embedded default: a real Kafka broker (its own JVM), the stand-in schema registry, the
 * feedback join on Flink in this process with RocksDB and checkpoints, and a local Iceberg
 * warehouse, fed by a simulated fraud model over simulated weeks. Ends with the conservation table,
 * each term from an independent source, and the SQL a person would run.
 */
public final class Demo {

    /** How often the demo's job checkpoints, and so commits to its tables. */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(3);

    private final PrintStream out;
    private final Path home;
    private final Path work;
    private final Duration checkpointInterval;

    /**
     * @param home the checkout (examples/ is read from it)
     * @param work the folder the broker, checkpoints and warehouse go to (deleted first)
     */
    Demo(PrintStream out, Path home, Path work, Duration checkpointInterval) {
        this.out = out;
        this.home = home;
        this.work = work;
        this.checkpointInterval = checkpointInterval;
    }

    /** {@code ./hindsight demo}; its options are parsed by the command line (DemoCommand). */
    public static int run(int days, int perHour, PrintStream out) throws Exception {
        Path home = Path.of(System.getProperty("hindsight.home", ".")).toAbsolutePath();
        return new Demo(out, home, home.resolve(".hindsight").resolve("demo"), CHECKPOINT_INTERVAL)
                .run(days, perHour);
    }

    /** Runs the demo; 0 if it ran and its report balanced and showed rows, else 1. */
    int run(int days, int perHour) throws Exception {
        LocalProcesses.deleteRecursively(work);
        Files.createDirectories(work);
        long started = System.nanoTime();
        out.println("Hindsight demo: a fraud model in production, " + days + " simulated days");
        out.println("  work folder  " + home.relativize(work));

        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(work.resolve("kafka"));
                StandInSchemaRegistry registry = new StandInSchemaRegistry()) {
            registry.start();
            out.printf(
                    "  Kafka        KRaft broker, own JVM (pid %d), %s%n",
                    broker.pid(), broker.bootstrapServers());
            out.println("  registry     stand-in schema registry at " + registry.url());

            JobSpec spec = demoSpec(broker, registry);
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
                            1,
                            spec.outputs().driftTopic(),
                            1,
                            spec.outputs().metricsTopic(),
                            1,
                            spec.outputs().alertsTopic(),
                            1,
                            spec.metrics().discovery().topic(),
                            1));

            var flinkEnv =
                    LocalFlink.environment(
                            LocalFlink.configuration(work.resolve("flink"), 2, checkpointInterval));
            FeedbackJoinJob.wire(flinkEnv, spec, FeedbackJoinJob.catalog(spec));
            JobClient job = flinkEnv.executeAsync("hindsight: " + spec.application());
            out.println(
                    "  Flink        feedback join, drift, slice metrics, slice discovery and alerts running"
                            + " in-process, parallelism 2, RocksDB, incremental checkpoints every "
                            + io.hindsight.spec.Durations.format(checkpointInterval));
            out.println(
                    "  Iceberg      local warehouse " + home.relativize(work.resolve("warehouse")));
            out.println();

            SchemaRegistryClient client = RegistryConfig.of(registry.url()).create();
            SimulationPlan plan =
                    SimulationPlan.defaults(
                            42L,
                            Instant.parse("2026-01-05T00:00:00Z"),
                            Duration.ofDays(days),
                            perHour);
            FraudSimulator simulator =
                    new FraudSimulator(plan, FraudSchemas.load(home.resolve("examples/fraud")));
            Truths truths = new Truths();
            out.println(
                    "At this volume (about a thousandth of production) the demo watches daily drift"
                            + " windows against the previous week and weekly cohorts, and divides"
                            + " alert min-support by "
                            + DEMO_SUPPORT_DIVISOR
                            + " (examples/fraud/spec.yaml: hourly, daily, as written).");
            out.println(
                    "Simulating: "
                            + perHour
                            + " payments/hour, chargebacks minutes to ~50 days later; drift and a"
                            + " degraded slice (v7 in BR) injected at "
                            + day(plan.driftAt()));
            ProgressLine publishing = ProgressLine.of(out);
            long publishStart = System.nanoTime();
            SimulationPublisher.Summary published =
                    new SimulationPublisher(
                                    broker.bootstrapServers(),
                                    predictionsTopic,
                                    feedbackTopic,
                                    new ConfluentRecordEncoder(client))
                            .publish(
                                    () -> simulator.stream().peek(truths::count).iterator(),
                                    (sent, simulated) ->
                                            publishing.update(
                                                    sent,
                                                    published(
                                                            sent,
                                                            simulated,
                                                            plan,
                                                            System.nanoTime() - publishStart)));
            publishing.done(
                    published.totalRecords(),
                    published(
                            published.totalRecords(),
                            published.simulatedUntil(),
                            plan,
                            System.nanoTime() - publishStart));

            Map<TopicPartition, Long> ends =
                    endOffsets(broker, List.of(predictionsTopic, feedbackTopic));
            waitUntilConsumed(broker, spec.kafka().groupId(), ends, job);
            String savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    work.resolve("savepoints").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(5, TimeUnit.MINUTES);
            out.println(
                    "Stopped with a savepoint: "
                            + home.relativize(Path.of(java.net.URI.create(savepoint))));
            out.println("  (waiting predictions stay waiting; the job resumes from it)");

            JoinStateCounts state =
                    JoinStateCounts.read(savepoint, Uids.FEEDBACK_JOIN, spec.join().policy());
            Map<String, Long> deadLetters =
                    countDeadLetters(broker, spec.outputs().deadLetterTopic(), client);
            IcebergBatchSql sql =
                    IcebergBatchSql.open(spec, FeedbackJoinJob.catalog(spec), Hindsight.logFile());
            List<String> failures =
                    new DemoReport(out, sql, spec)
                            .print(
                                    published,
                                    sum(ends, predictionsTopic),
                                    sum(ends, feedbackTopic),
                                    truths,
                                    deadLetters,
                                    state,
                                    plan.driftAt());
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            if (!failures.isEmpty()) {
                out.printf("%nThe demo FAILED after %d s:%n", seconds);
                failures.forEach(f -> out.println("  " + f));
                out.println(
                        "  (tables stay in " + home.relativize(work.resolve("warehouse")) + ")");
                return 1;
            }
            out.printf(
                    "%nDone in %d s. Tables stay in %s; the broker is stopped.%n",
                    seconds, home.relativize(work.resolve("warehouse")));
            return 0;
        }
    }

    /** The fraud example spec, pointed at the embedded broker, registry and warehouse. */
    private JobSpec demoSpec(KafkaBrokerProcess broker, StandInSchemaRegistry registry) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("SCHEMA_REGISTRY_URL", registry.url());
        JobSpec spec = SpecLoader.load(home.resolve("examples/fraud/spec.yaml"), env);
        Map<String, String> catalog = new LinkedHashMap<>();
        catalog.put("type", "hadoop");
        catalog.put("warehouse", work.resolve("warehouse").toUri().toString());
        IcebergSpec iceberg =
                new IcebergSpec(
                        spec.iceberg().catalogName(),
                        catalog,
                        spec.iceberg().namespace(),
                        spec.iceberg().tables());
        return new JobSpec(
                spec.version(),
                spec.application(),
                spec.kafka(),
                spec.inputs(),
                spec.join(),
                iceberg,
                spec.outputs(),
                atDemoVolume(spec.drift()),
                withDiscovery(atDemoVolume(spec.metrics()), spec.application()),
                spec.alerts().stream().map(Demo::atDemoVolume).toList());
    }

    /**
     * The fraud spec is written for production volume; the demo sends about a thousandth of it. An
     * hourly drift window would hold ~60 values, where sampling noise alone puts PSI near its 0.2
     * threshold, so the demo watches daily windows against the previous week.
     */
    static DriftSpec atDemoVolume(DriftSpec drift) {
        return drift.withWindow(DEMO_DRIFT_WINDOW, DriftReference.rolling(7));
    }

    /** Weekly cohorts, so that a country's cohort holds enough labels to be judged. */
    static MetricsSpec atDemoVolume(MetricsSpec metrics) {
        return metrics.withWindow(DEMO_COHORT_WINDOW);
    }

    /**
     * Worst-slice discovery over the dimensions a fraud analyst would cut by, none of its values
     * named: the report then shows what it found. Minimum support scaled down with the volume.
     */
    static MetricsSpec withDiscovery(MetricsSpec metrics, String application) {
        return metrics.withDiscovery(
                DiscoverySpec.of(
                        application,
                        List.of("country", "channel", "model_version", "merchant_category"),
                        DiscoverySpec.DEFAULT_MAX_DIMENSIONS,
                        DiscoverySpec.DEFAULT_Q,
                        DiscoverySpec.DEFAULT_MIN_SUPPORT / DEMO_SUPPORT_DIVISOR,
                        DiscoverySpec.DEFAULT_MAX_VALUES,
                        List.of()));
    }

    /** Minimum support scaled down with the volume (by ten: weekly cohorts hold more rows). */
    static AlertRuleSpec atDemoVolume(AlertRuleSpec rule) {
        return new AlertRuleSpec(
                rule.name(),
                rule.source(),
                rule.metric(),
                rule.feature(),
                rule.statistic(),
                rule.slice(),
                rule.condition(),
                rule.minSupport() / DEMO_SUPPORT_DIVISOR,
                rule.severity(),
                rule.maxPValue());
    }

    static final Duration DEMO_DRIFT_WINDOW = Duration.ofDays(1);
    static final Duration DEMO_COHORT_WINDOW = Duration.ofDays(7);
    static final long DEMO_SUPPORT_DIVISOR = 10;

    /** Publishing progress: count, rate, share of the simulated period, simulated time. */
    static String published(long sent, Instant simulated, SimulationPlan plan, long elapsedNanos) {
        long span = plan.end().toEpochMilli() - plan.start().toEpochMilli();
        long done = Math.max(0, simulated.toEpochMilli() - plan.start().toEpochMilli());
        return String.format(
                "  published %,9d records, %,7d/s, simulated time %s (%d%%)",
                sent,
                perSecond(sent, elapsedNanos),
                day(simulated),
                span <= 0 ? 100 : Math.min(100, done * 100 / span));
    }

    /** Joining progress: count, rate, share of the input. */
    static String joined(long done, long total, long elapsedNanos) {
        return String.format(
                "  joined and committed %,9d of %,d input records (%d%%), %,7d/s",
                done, total, total == 0 ? 100 : done * 100 / total, perSecond(done, elapsedNanos));
    }

    private static long perSecond(long count, long elapsedNanos) {
        return elapsedNanos <= 0 ? 0 : count * 1_000_000_000L / elapsedNanos;
    }

    private Map<TopicPartition, Long> endOffsets(KafkaBrokerProcess broker, List<String> topics)
            throws Exception {
        try (Admin admin = admin(broker)) {
            return ConsumerGroupProgress.endOffsets(admin, topics);
        }
    }

    /**
     * Waits until the job has committed offsets at the end of every input partition. The source
     * commits offsets when a checkpoint completes, so by then a checkpoint covering every record
     * read has completed, and the Iceberg and Kafka sinks have committed it.
     */
    private void waitUntilConsumed(
            KafkaBrokerProcess broker,
            String groupId,
            Map<TopicPartition, Long> ends,
            JobClient job)
            throws Exception {
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        ProgressLine joining = ProgressLine.of(out);
        long start = System.nanoTime();
        CompletableFuture<?> ended = job.getJobExecutionResult();
        try (Admin admin = admin(broker)) {
            while (true) {
                Map<TopicPartition, Long> committed =
                        ConsumerGroupProgress.committedOffsets(admin, groupId);
                long done = ConsumerGroupProgress.consumed(committed, ends);
                String line = joined(done, total, System.nanoTime() - start);
                if (ConsumerGroupProgress.atEnd(committed, ends)) {
                    joining.done(done, line);
                    return;
                }
                joining.update(done, line);
                // Offsets are committed when a checkpoint completes; between two looks, wait for
                // the job's end, which only comes early if it failed.
                try {
                    ended.get(1, TimeUnit.SECONDS);
                    throw new IllegalStateException(
                            "the feedback join ended before it had read its input: "
                                    + job.getJobStatus().get());
                } catch (TimeoutException stillRunning) {
                    // the job is running: look at the offsets again
                }
            }
        }
    }

    private Map<String, Long> countDeadLetters(
            KafkaBrokerProcess broker, String topic, SchemaRegistryClient client) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) ClientTimeouts.API_TIMEOUT.toMillis());
        p.put(
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) ClientTimeouts.REQUEST_TIMEOUT.toMillis());
        Map<String, Long> counts = new LinkedHashMap<>();
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(client);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(i -> new TopicPartition(topic, i.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    GenericRecord d = decoder.decode(r.value());
                    counts.merge(d.get("stream") + " " + d.get("error_code"), 1L, Long::sum);
                }
            }
        } catch (io.hindsight.registry.DecodeException e) {
            throw new IllegalStateException(
                    "cannot read the dead-letter topic: " + e.getMessage(), e);
        }
        return counts;
    }

    private static Admin admin(KafkaBrokerProcess broker) {
        return Admin.create(ClientTimeouts.admin(broker.bootstrapServers()));
    }

    private static long sum(Map<TopicPartition, Long> ends, String topic) {
        return ends.entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    static String day(Instant t) {
        return LocalDate.ofInstant(t, ZoneOffset.UTC).toString();
    }

    /** What the simulator injected, counted from its ground truth as the records go out. */
    static final class Truths {
        long predictions;
        long feedback;
        long duplicatePredictions;
        long duplicateFeedback;
        long earlyFeedback;
        long orphanFeedback;
        final Map<String, Long> malformed = new LinkedHashMap<>();

        void count(SimulatedEvent e) {
            switch (e.kind()) {
                case PREDICTION -> {
                    predictions++;
                    if (e.truth().duplicate()) {
                        duplicatePredictions++;
                    }
                }
                case FEEDBACK -> {
                    feedback++;
                    if (e.truth().duplicate()) {
                        duplicateFeedback++;
                    }
                    if (e.truth().beforePrediction()) {
                        earlyFeedback++;
                    }
                    if (e.truth().orphan()) {
                        orphanFeedback++;
                    }
                }
                case MALFORMED ->
                        malformed.merge(e.topic() + " " + e.truth().malformation(), 1L, Long::sum);
            }
        }
    }
}
