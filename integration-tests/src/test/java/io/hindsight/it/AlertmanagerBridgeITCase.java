package io.hindsight.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.hindsight.alerts.AlertJson;
import io.hindsight.alerts.AlertPipeline;
import io.hindsight.alerts.AlertmanagerBridge;
import io.hindsight.embedded.KafkaBrokerProcess;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.jobs.TableAndTopicSinks;
import io.hindsight.kafka.HindsightKafka;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.AlertState;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.formats.avro.AvroDeserializationSchema;
import org.apache.flink.formats.avro.AvroSerializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AlertmanagerBridge} against a real Alertmanager (Debian's {@code prometheus-alertmanager})
 * whose webhook receiver is this test: alerts written to the alerts topic as the job writes them
 * ({@link AlertJson#kafkaSerializer}, in Kafka transactions, one of them aborted) show up firing,
 * resolve when their resolved record comes, and a restart of the bridge between two batches of
 * records neither duplicates a notification nor loses an alert; and restarts of the job that writes
 * them (from a savepoint, after a crash, from a retained checkpoint) neither do.
 */
class AlertmanagerBridgeITCase {

    private static final String TOPIC = "fraud.alerts";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir Path dir;

    /** Webhook notifications received: (Alertmanager fingerprint of labels, status) in order. */
    private final List<String> notifications = new CopyOnWriteArrayList<>();

    @Test
    void firingAlertsShowUpResolvedOnesResolveAndARestartDuplicatesNothing() throws Exception {
        Path binary =
                DebianServer.installed(
                        "prometheus-alertmanager", Path.of("/usr/bin/prometheus-alertmanager"));
        HttpServer webhook = webhook();
        ExecutorService bridges = Executors.newSingleThreadExecutor();
        KafkaBrokerProcess broker = null;
        DebianServer alertmanager = null;
        try {
            broker = KafkaBrokerProcess.start(dir.resolve("kafka"));
            broker.createTopics(Map.of(TOPIC, 2));
            alertmanager = startAlertmanager(binary, webhook.getAddress().getPort());

            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Instant fired = now.minus(Duration.ofMinutes(30));
            try (KafkaProducer<byte[], byte[]> producer = producer(broker, "alerts-1")) {
                send(producer, List.of(alert("BR", AlertState.FIRING, fired)), true);
                send(
                        producer,
                        List.of(
                                alert("US", AlertState.FIRING, fired),
                                alert("DE", AlertState.FIRING, fired),
                                alert("DE", AlertState.RESOLVED, now.minusSeconds(600))),
                        true);
                // An aborted transaction: the job's write before a crash, never committed.
                send(producer, List.of(alert("FR", AlertState.FIRING, fired)), false);
            }

            // First bridge: the topic's state is BR and US firing, DE resolved.
            AtomicBoolean first = new AtomicBoolean(true);
            Future<?> run1 = bridges.submit(bridgeRun(broker, alertmanager, first));
            DebianServer am = alertmanager;
            Await.until(
                    "BR and US active in Alertmanager",
                    Duration.ofSeconds(60),
                    () -> active(am).keySet().equals(new TreeSet<>(List.of("BR", "US"))));
            Await.until(
                    "BR and US notified",
                    Duration.ofSeconds(60),
                    () -> notifications.containsAll(List.of("BR firing", "US firing")));
            JsonNode br = active(am).get("BR");
            assertThat(Instant.parse(br.get("startsAt").asText())).isEqualTo(fired);
            assertThat(br.get("generatorURL").asText())
                    .isEqualTo(
                            "http://localhost:8081/?fingerprint="
                                    + AlertJson.fingerprint(alert("BR", AlertState.FIRING, fired)));
            assertThat(br.get("labels").get("alertname").asText()).isEqualTo("auc-low");
            assertThat(br.get("labels").get("severity").asText()).isEqualTo("critical");
            assertThat(br.get("annotations").get("summary").asText())
                    .isEqualTo("AUC of fraud on slice country=BR is 0.71, below 0.85.");

            // Stop it (as a crash would: no state is handed over), then the job writes more.
            first.set(false);
            run1.get(30, TimeUnit.SECONDS);
            try (KafkaProducer<byte[], byte[]> producer = producer(broker, "alerts-2")) {
                send(
                        producer,
                        List.of(
                                alert("US", AlertState.RESOLVED, now.minusSeconds(60)),
                                alert("JP", AlertState.FIRING, now.minusSeconds(60))),
                        true);
            }

            // Second bridge, from scratch: reads the whole topic again and re-posts BR.
            AtomicBoolean second = new AtomicBoolean(true);
            Future<?> run2 = bridges.submit(bridgeRun(broker, alertmanager, second));
            Await.until(
                    "BR and JP active, US resolved",
                    Duration.ofSeconds(60),
                    () -> active(am).keySet().equals(new TreeSet<>(List.of("BR", "JP"))));
            Await.until(
                    "US resolved and JP firing notified",
                    Duration.ofSeconds(60),
                    () -> notifications.containsAll(List.of("US resolved", "JP firing")));
            // Re-posts (every second, BR and JP each time) and the restart's full re-post must
            // stay silent: wait for two more repost rounds to have reached Alertmanager, then
            // count.
            long postedBefore = postedBy.get();
            Await.until(
                    "two re-posts",
                    Duration.ofSeconds(30),
                    () -> postedBy.get() >= postedBefore + 4);
            second.set(false);
            run2.get(30, TimeUnit.SECONDS);

            Map<String, Long> counts = new TreeMap<>();
            for (String n : notifications) {
                counts.merge(n, 1L, Long::sum);
            }
            assertThat(counts)
                    .as("each firing and each resolve notified exactly once; FR never")
                    .isEqualTo(
                            Map.of(
                                    "BR firing", 1L,
                                    "US firing", 1L,
                                    "US resolved", 1L,
                                    "JP firing", 1L));
            assertThat(active(am).keySet()).containsExactly("BR", "JP");
        } finally {
            bridges.shutdownNow();
            bridges.awaitTermination(30, TimeUnit.SECONDS);
            try {
                if (alertmanager != null) {
                    alertmanager.close();
                }
            } finally {
                try {
                    if (broker != null) {
                        broker.close();
                    }
                } finally {
                    webhook.stop(0);
                }
            }
        }
    }

    /** The slice-metric rows the alerts job reads (one partition: rows in the order written). */
    private static final String ROWS_TOPIC = "fraud.slice-metrics";

    private static final long DAY = Duration.ofDays(1).toMillis();

    /**
     * The Flink job that produces the alerts, stopped and restarted while alerts fire, with one
     * bridge following its topic throughout: stopped with a savepoint; restarted from it and
     * crashed (cancelled) after writing alerts it had not committed; restarted from the savepoint
     * again, which replays them; cancelled after a checkpoint and restarted from that retained
     * checkpoint. Alertmanager's {@code /api/v2/alerts} shows each firing alert once with the
     * {@code startsAt} of its first firing, every resolve resolves, nothing is lost, and each state
     * change was notified exactly once.
     *
     * <p>The job is the alert stage of the feedback join job: {@code AlertPipeline.attach} with the
     * production sinks ({@code TableAndTopicSinks.alerts}: the alerts table and the exactly-once
     * alerts topic), fed with slice-metric rows from a Kafka topic that the test writes, so that
     * the test decides which alert fires and resolves between two restarts. The metrics stage that
     * computes such rows from predictions and outcomes is {@code MonitoringITCase}'s.
     */
    @Test
    void restartsOfTheJobFromSavepointsAndCheckpointsNeitherDuplicateNorLoseAnAlert()
            throws Exception {
        Path binary =
                DebianServer.installed(
                        "prometheus-alertmanager", Path.of("/usr/bin/prometheus-alertmanager"));
        HttpServer webhook = webhook();
        ExecutorService bridges = Executors.newSingleThreadExecutor();
        AtomicBoolean bridging = new AtomicBoolean(true);
        KafkaBrokerProcess broker = null;
        DebianServer alertmanager = null;
        JobClient job = null;
        try {
            broker = KafkaBrokerProcess.start(dir.resolve("kafka"));
            broker.createTopics(Map.of(TOPIC, 2, ROWS_TOPIC, 1));
            alertmanager = startAlertmanager(binary, webhook.getAddress().getPort());
            DebianServer am = alertmanager;
            KafkaBrokerProcess kafka = broker;
            JobSpec spec = alertsJobSpec(broker);
            Path flink = dir.resolve("flink");
            Future<?> bridge = bridges.submit(bridgeRun(broker, alertmanager, bridging));

            // Daily cohorts of the last days; a row as of its window's end plus an hour.
            long day0 =
                    Instant.now()
                            .truncatedTo(ChronoUnit.DAYS)
                            .minus(Duration.ofDays(5))
                            .toEpochMilli();
            Instant brFired = asOf(day0, 0);
            Instant jpFired = asOf(day0, 1);

            // Run 1: BR and DE fire, US is fine. Then a stop with a savepoint (not draining: a
            // drain's final watermark would end every subject's state).
            writeRows(
                    broker,
                    List.of(
                            row("BR", day0, 0, 0.71),
                            row("US", day0, 0, 0.92),
                            row("DE", day0, 0, 0.70)));
            job = startAlertsJob(spec, flink, Duration.ofSeconds(1), null);
            Await.until(
                    "BR and DE firing in Alertmanager",
                    Duration.ofSeconds(120),
                    () ->
                            active(am)
                                    .keySet()
                                    .equals(new TreeSet<>(List.of("country=BR", "country=DE"))));
            String savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    flink.resolve("savepoints").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(2, TimeUnit.MINUTES);
            job = null;

            // While the job is down: BR's next cohort is still low (no second firing), DE's has
            // recovered, JP fires.
            writeRows(
                    broker,
                    List.of(
                            row("BR", day0, 1, 0.69),
                            row("DE", day0, 1, 0.91),
                            row("JP", day0, 1, 0.60)));

            // Run 2, from the savepoint, without checkpoints: it writes DE's resolve and JP's
            // firing in a transaction that nothing commits, and crashes (is cancelled).
            job = startAlertsJob(spec, flink, Duration.ofHours(1), savepoint);
            Await.until(
                    "run 2's uncommitted DE resolved and JP firing on the alerts topic",
                    Duration.ofSeconds(120),
                    () -> {
                        List<String> written = statuses(uncommitted(kafka));
                        return written.contains("country=DE resolved")
                                && written.contains("country=JP firing");
                    });
            cancelled(job);
            job = null;
            assertThat(statuses(CommittedTopic.readAll(broker.bootstrapServers(), TOPIC)))
                    .as("run 2 committed nothing")
                    .containsExactlyInAnyOrder("country=BR firing", "country=DE firing");
            assertThat(active(am).keySet())
                    .as("Alertmanager saw nothing of run 2")
                    .containsExactly("country=BR", "country=DE");

            // Run 3, from the savepoint again (the job's latest completed checkpoint): it replays
            // the rows run 2 had read and commits their alerts once.
            job = startAlertsJob(spec, flink, Duration.ofSeconds(1), savepoint);
            JobClient run3 = job;
            Await.until(
                    "BR and JP firing, DE resolved",
                    Duration.ofSeconds(120),
                    () ->
                            active(am)
                                    .keySet()
                                    .equals(new TreeSet<>(List.of("country=BR", "country=JP"))));
            // Their transaction was committed on a checkpoint that holds the source's position
            // after the rows: cancel, keeping that checkpoint.
            cancelled(job);
            job = null;
            String checkpoint = latestCheckpoint(flink, run3.getJobID());

            // While the job is down: BR recovers, US fires.
            writeRows(broker, List.of(row("BR", day0, 2, 0.95), row("US", day0, 2, 0.80)));

            // Run 4, from run 3's retained checkpoint.
            job = startAlertsJob(spec, flink, Duration.ofSeconds(1), checkpoint);
            Await.until(
                    "JP and US firing, BR and DE resolved",
                    Duration.ofSeconds(120),
                    () ->
                            active(am)
                                    .keySet()
                                    .equals(new TreeSet<>(List.of("country=JP", "country=US"))));
            List<String> expected =
                    List.of(
                            "country=BR firing",
                            "country=DE firing",
                            "country=DE resolved",
                            "country=JP firing",
                            "country=BR resolved",
                            "country=US firing");
            Await.until(
                    "every state change notified",
                    Duration.ofSeconds(60),
                    () -> notifications.containsAll(expected));
            // Re-posts every second must stay silent: let two rounds reach Alertmanager, then
            // count.
            long postedBefore = postedBy.get();
            Await.until(
                    "two re-posts",
                    Duration.ofSeconds(30),
                    () -> postedBy.get() >= postedBefore + 4);

            Map<String, JsonNode> active = active(am);
            assertThat(active.keySet()).containsExactly("country=JP", "country=US");
            assertThat(Instant.parse(active.get("country=JP").get("startsAt").asText()))
                    .as("JP's episode began when it first fired, in run 2's replayed rows")
                    .isEqualTo(jpFired);
            Map<String, Long> counts = new TreeMap<>();
            for (String n : notifications) {
                counts.merge(n, 1L, Long::sum);
            }
            Map<String, Long> once = new TreeMap<>();
            expected.forEach(e -> once.put(e, 1L));
            assertThat(counts)
                    .as("each firing and each resolve notified exactly once")
                    .isEqualTo(once);

            List<ConsumerRecord<byte[], byte[]>> committed =
                    CommittedTopic.readAll(broker.bootstrapServers(), TOPIC);
            assertThat(statuses(committed))
                    .as("the alerts topic holds each state change once")
                    .containsExactlyInAnyOrderElementsOf(expected);
            JsonNode brFiring =
                    committed.stream()
                            .map(r -> json(r.value()))
                            .filter(
                                    a ->
                                            a.get("labels")
                                                    .get("subject")
                                                    .asText()
                                                    .equals("country=BR"))
                            .filter(a -> a.get("status").asText().equals("firing"))
                            .findFirst()
                            .orElseThrow();
            assertThat(Instant.parse(brFiring.get("startsAt").asText())).isEqualTo(brFired);
            assertThat(uncommitted(broker).size())
                    .as("run 2's aborted writes are on the topic too: the replay was exercised")
                    .isGreaterThan(committed.size());
            // The alerts table, committed on the same checkpoints: each change once too.
            List<String> expectedRows =
                    expected.stream()
                            .map(e -> e.replace("firing", "FIRING").replace("resolved", "RESOLVED"))
                            .toList();
            IcebergSql sql = new IcebergSql(dir.resolve("warehouse"));
            List<String> rows = new ArrayList<>();
            Await.until(
                    "the alerts table to hold the six changes",
                    Duration.ofSeconds(60),
                    () -> {
                        rows.clear();
                        for (org.apache.flink.types.Row r :
                                sql.query("SELECT subject, state FROM fraud_alerts")) {
                            rows.add(r.getField(0) + " " + r.getField(1));
                        }
                        return rows.size() >= expectedRows.size();
                    });
            assertThat(rows).containsExactlyInAnyOrderElementsOf(expectedRows);

            cancelled(job);
            job = null;
            bridging.set(false);
            bridge.get(30, TimeUnit.SECONDS);
        } finally {
            bridging.set(false);
            try {
                if (job != null) {
                    job.cancel().get(1, TimeUnit.MINUTES);
                }
            } finally {
                bridges.shutdownNow();
                bridges.awaitTermination(30, TimeUnit.SECONDS);
                try {
                    if (alertmanager != null) {
                        alertmanager.close();
                    }
                } finally {
                    try {
                        if (broker != null) {
                            broker.close();
                        }
                    } finally {
                        webhook.stop(0);
                    }
                }
            }
        }
    }

    private JobSpec alertsJobSpec(KafkaBrokerProcess broker) {
        return SpecLoader.parse(
                """
                version: 1
                application: fraud
                kafka:
                  bootstrap-servers: %s
                  group-id: hindsight-alerts-it
                inputs:
                  predictions:
                    topic: payments.fraud-scores
                    format: json
                    fields:
                      join-key: request.id
                      event-time: request.ts
                      model-name: model.name
                      model-version: model.version
                      score: fraud_probability
                    tags:
                      country: context.country
                  feedback:
                    topic: payments.chargebacks
                    format: json
                    fields:
                      join-key: payment_request_id
                      event-time: reported_at
                      label: is_fraud
                join:
                  label-window: 60d
                metrics:
                  task: binary-classification
                  window: 1d
                  slices: [[country]]
                alerts:
                  - name: auc-low
                    source: metrics
                    metric: auc
                    slice: [country]
                    condition: {below: 0.85}
                    min-support: 500
                    severity: critical
                outputs:
                  alerts-topic: %s
                iceberg:
                  catalog:
                    type: hadoop
                    warehouse: %s
                """
                        .formatted(
                                broker.bootstrapServers(), TOPIC, dir.resolve("warehouse").toUri()),
                Map.of());
    }

    /**
     * The alert stage of the job on a local cluster (parallelism 2, RocksDB), reading the rows
     * topic from the start or from where {@code restoreFrom} (a savepoint or retained checkpoint)
     * left it.
     */
    private static JobClient startAlertsJob(
            JobSpec spec, Path flink, Duration checkpointInterval, String restoreFrom)
            throws Exception {
        Configuration conf = LocalFlink.configuration(flink, 2, checkpointInterval);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (restoreFrom != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
        }
        StreamExecutionEnvironment env = LocalFlink.environment(conf);
        DataStream<SliceMetric> rows =
                env.fromSource(
                                HindsightKafka.source(
                                        spec.kafka(),
                                        ROWS_TOPIC,
                                        OffsetsInitializer.earliest(),
                                        null,
                                        KafkaRecordDeserializationSchema.valueOnly(
                                                AvroDeserializationSchema.forSpecific(
                                                        SliceMetric.class))),
                                WatermarkStrategy.<SliceMetric>forBoundedOutOfOrderness(
                                                Duration.ofMinutes(5))
                                        .withTimestampAssigner(
                                                (m, t) -> m.getAsOf().toEpochMilli()),
                                "slice metrics")
                        .setParallelism(1)
                        .uid("it-slice-metrics-source");
        new TableAndTopicSinks(spec, FeedbackJoinJob.catalog(spec), 2)
                .alerts(AlertPipeline.attach(null, rows, spec));
        return env.executeAsync("alerts job");
    }

    /**
     * Cancels the job and waits until it has ended, so that its checkpoints are final: a crash as
     * far as the job's state and open transactions are concerned.
     */
    private static void cancelled(JobClient job) throws Exception {
        job.cancel().get(1, TimeUnit.MINUTES);
        try {
            job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            throw new AssertionError("the cancelled job " + job.getJobID() + " finished normally");
        } catch (java.util.concurrent.ExecutionException e) {
            // A cancelled job's result is its cancellation; anything else is the job's failure.
            if (org.apache.flink.util.ExceptionUtils.findThrowable(
                            e, org.apache.flink.runtime.client.JobCancellationException.class)
                    .isEmpty()) {
                throw e;
            }
        }
    }

    /** The newest checkpoint of the job that the cancel retained. */
    private static String latestCheckpoint(Path flink, JobID job) throws Exception {
        Path jobDir = flink.resolve("checkpoints").resolve(job.toHexString());
        try (var dirs = Files.list(jobDir)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("chk-"))
                    .filter(d -> Files.exists(d.resolve("_metadata")))
                    .max(
                            java.util.Comparator.comparingLong(
                                    d -> Long.parseLong(d.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new AssertionError("no retained checkpoint in " + jobDir))
                    .toUri()
                    .toString();
        }
    }

    private static Instant asOf(long day0, int day) {
        return Instant.ofEpochMilli(day0 + (day + 1) * DAY + Duration.ofHours(1).toMillis());
    }

    /** The {@code [country]} slice row of cohort day {@code day}, revision 1, with this AUC. */
    private static SliceMetric row(String country, long day0, int day, double auc) {
        long start = day0 + day * DAY;
        return SliceMetric.newBuilder()
                .setApplication("fraud")
                .setSlice("country=" + country)
                .setDimensions(Map.of("country", country))
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(start + DAY))
                .setTask("binary-classification")
                .setRevision(1)
                .setIsFinal(false)
                .setAsOf(asOf(day0, day))
                .setPredictions(3248)
                .setLabeled(812)
                .setExpired(0)
                .setLabelCoverage(0.25)
                .setSupport(812)
                .setAuc(auc)
                .build();
    }

    private static void writeRows(KafkaBrokerProcess broker, List<SliceMetric> rows)
            throws Exception {
        AvroSerializationSchema<SliceMetric> avro =
                AvroSerializationSchema.forSpecific(SliceMetric.class);
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (SliceMetric row : rows) {
                producer.send(
                                new ProducerRecord<>(
                                        ROWS_TOPIC,
                                        null,
                                        row.getAsOf().toEpochMilli(),
                                        row.getSlice().getBytes(StandardCharsets.UTF_8),
                                        avro.serialize(row)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Every record of the alerts topic, committed or not ({@code read_uncommitted}). */
    private static List<ConsumerRecord<byte[], byte[]>> uncommitted(KafkaBrokerProcess broker) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + TOPIC + " up to " + end);
                }
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    /** "subject status" of each alert record (control records of transactions are not records). */
    private static List<String> statuses(List<ConsumerRecord<byte[], byte[]>> records) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            JsonNode a = json(r.value());
            out.add(a.get("labels").get("subject").asText() + " " + a.get("status").asText());
        }
        return out;
    }

    private static JsonNode json(byte[] value) {
        try {
            return MAPPER.readTree(value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The webhook receiver: records each notified alert as "subject status". */
    private HttpServer webhook() throws java.io.IOException {
        HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext(
                "/hook",
                exchange -> {
                    JsonNode body = MAPPER.readTree(exchange.getRequestBody());
                    for (JsonNode a : body.get("alerts")) {
                        notifications.add(
                                a.get("labels").get("subject").asText()
                                        + " "
                                        + a.get("status").asText());
                    }
                    exchange.sendResponseHeaders(200, -1);
                    exchange.close();
                });
        webhook.start();
        return webhook;
    }

    /** Alerts the bridge's posts carried, over both runs (the repost rounds included). */
    private final java.util.concurrent.atomic.AtomicLong postedBy =
            new java.util.concurrent.atomic.AtomicLong();

    private Runnable bridgeRun(
            KafkaBrokerProcess broker, DebianServer alertmanager, AtomicBoolean keepGoing) {
        Properties kafka = new Properties();
        kafka.setProperty("bootstrap.servers", broker.bootstrapServers());
        return () -> {
            try (AlertmanagerBridge bridge =
                    new AlertmanagerBridge(
                            kafka,
                            TOPIC,
                            alertmanager.base(),
                            "http://localhost:8081/",
                            Duration.ofSeconds(1))) {
                long[] seen = {0};
                bridge.run(
                        () -> {
                            postedBy.addAndGet(bridge.posted() - seen[0]);
                            seen[0] = bridge.posted();
                            return keepGoing.get();
                        });
            } catch (Exception e) {
                throw new IllegalStateException("bridge failed", e);
            }
        };
    }

    /** Active (firing, not resolved) alerts in Alertmanager, by subject. */
    private static Map<String, JsonNode> active(DebianServer alertmanager) throws Exception {
        var response = alertmanager.get("api/v2/alerts?active=true&silenced=false&inhibited=false");
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, JsonNode> bySubject = new TreeMap<>();
        for (JsonNode a : MAPPER.readTree(response.body())) {
            JsonNode previous = bySubject.put(a.get("labels").get("subject").asText(), a);
            assertThat(previous).as("one alert per subject").isNull();
        }
        return bySubject;
    }

    private DebianServer startAlertmanager(Path binary, int webhookPort) throws Exception {
        Path config = dir.resolve("alertmanager.yml");
        // Every label set its own group, notified at once; a repeat only after an hour, so any
        // second notification of an alert within the test is a duplicate.
        Files.writeString(
                config,
                """
                route:
                  receiver: test
                  group_by: ['...']
                  group_wait: 0s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: test
                    webhook_configs:
                      - url: http://127.0.0.1:%d/hook
                        send_resolved: true
                """
                        .formatted(webhookPort));
        int port = DebianServer.freePort();
        return DebianServer.start(
                "alertmanager",
                List.of(
                        binary.toString(),
                        "--config.file=" + config,
                        "--storage.path=" + dir.resolve("alertmanager-data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--cluster.listen-address="),
                dir.resolve("alertmanager.log"),
                URI.create("http://127.0.0.1:" + port + "/"));
    }

    private static KafkaProducer<byte[], byte[]> producer(
            KafkaBrokerProcess broker, String transactionalId) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer, List<Alert> alerts, boolean commit)
            throws Exception {
        var serializer = AlertJson.kafkaSerializer(TOPIC);
        producer.beginTransaction();
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (Alert a : alerts) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            producer.send(
                    serializer.serialize(a, null, null),
                    (metadata, e) -> {
                        if (e != null) {
                            done.completeExceptionally(e);
                        } else {
                            done.complete(null);
                        }
                    });
            sent.add(done);
        }
        producer.flush();
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    private static Alert alert(String country, AlertState state, Instant at) {
        return Alert.newBuilder()
                .setApplication("fraud")
                .setRule("auc-low")
                .setSeverity("critical")
                .setState(state)
                .setSource("metrics")
                .setSubject(country)
                .setMeasure("auc")
                .setValue(state == AlertState.FIRING ? 0.71 : 0.9)
                .setCondition("below 0.85")
                .setThreshold(0.85)
                .setSupport(812)
                .setWindowStart(at.minus(Duration.ofDays(1)))
                .setWindowEnd(at)
                .setEventTime(at)
                .setMessage(
                        "AUC of fraud on slice country="
                                + country
                                + " is "
                                + (state == AlertState.FIRING
                                        ? "0.71, below"
                                        : "0.9, no longer below")
                                + " 0.85.")
                .build();
    }
}
