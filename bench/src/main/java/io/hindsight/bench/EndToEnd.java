package io.hindsight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.hindsight.bench.alternatives.SqlIntervalJoin;
import io.hindsight.bench.alternatives.StraightforwardJoinFunction;
import io.hindsight.embedded.KafkaBrokerProcess;
import io.hindsight.iceberg.HindsightTable;
import io.hindsight.iceberg.IcebergCatalogs;
import io.hindsight.jobs.DeadLetterRouter;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.join.FeedbackJoinFunction;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Either;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * End-to-end benchmark: one job on a MiniCluster (parallelism 2, RocksDB, incremental checkpoints
 * every 10 s, 512 MB managed memory per slot), over generated or Kafka input, printing one line of
 * figures and appending it to a results file.
 *
 * <pre>
 * --variant passthrough | hindsight | monitored | sql | datastream
 *                                   (monitored: hindsight plus drift, slice metrics and alerts)
 * --sink discard | iceberg | dump   (passthrough always discards; dump: every row as sorted
 *                                    canonical text under --dump DIR, to diff two builds)
 * --input generated | kafka
 * --mode throughput | state         (state: predictions only, all left waiting; measured, cancelled)
 * --predictions N  --seed S  --work DIR  --results FILE  --home REPO
 * --flink-conf 'key=value;key=value'   (extra Flink options, e.g. RocksDB compression)
 * </pre>
 */
public final class EndToEnd {

    static final int PARALLELISM = 2;
    static final long MANAGED_MB_PER_SLOT = 512;
    static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

    private final Map<String, String> args;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    private EndToEnd(Map<String, String> args) {
        this.args = args;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + argv[i]);
            }
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        new EndToEnd(args).run();
        System.exit(0);
    }

    private String arg(String name, String fallback) {
        return args.getOrDefault(name, fallback);
    }

    void run() throws Exception {
        String variant = arg("variant", "hindsight");
        String sink = variant.equals("passthrough") ? "discard" : arg("sink", "discard");
        String input = arg("input", "generated");
        String mode = arg("mode", "throughput");
        int predictions = Integer.parseInt(arg("predictions", "500000"));
        long seed = Long.parseLong(arg("seed", "42"));
        Path home = Path.of(arg("home", ".")).toAbsolutePath().normalize();
        Path work = Path.of(arg("work", "bench/target/run")).toAbsolutePath();
        Path results = Path.of(arg("results", "bench/target/results.tsv")).toAbsolutePath();
        deleteRecursively(work);
        Files.createDirectories(work);
        boolean state = mode.equals("state");
        if (state && input.equals("kafka")) {
            throw new IllegalArgumentException("--mode state runs with --input generated only");
        }
        if (args.containsKey("run")) {
            // Groups the runs of one `bench/run.sh compare` for its summary.
            figures.put("run", args.get("run"));
        }
        figures.put("variant", variant);
        figures.put("sink", sink);
        figures.put("input", input);
        figures.put("mode", mode);
        figures.put("predictions", predictions);
        figures.put("load_before", loadAverage());

        BenchData data =
                new BenchData(
                        seed, predictions, START.toEpochMilli(), home.resolve("examples/fraud"));
        KafkaBrokerProcess broker = null;
        try {
            Map<String, String> env = new HashMap<>();
            if (input.equals("kafka")) {
                System.setProperty(KafkaBrokerProcess.HOME_PROPERTY, home.toString());
                broker = KafkaBrokerProcess.start(work.resolve("kafka"));
                env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            }
            JobSpec spec = SpecLoader.load(home.resolve("bench/spec.yaml"), env);
            Source<Either<DeadLetter, Prediction>, ?, ?> ps;
            Source<Either<DeadLetter, Feedback>, ?, ?> fs;
            long expected;
            if (broker != null) {
                long t0 = System.nanoTime();
                expected = KafkaInput.fill(broker, spec, data);
                figures.put("kafka_fill_s", seconds(System.nanoTime() - t0));
                ps = KafkaInput.predictions(spec);
                fs = KafkaInput.feedback(spec);
            } else {
                ps = GeneratedInput.predictions(data, spec, PARALLELISM, state);
                fs = GeneratedInput.feedback(data, spec, PARALLELISM, state, state);
                expected = predictions + (state ? 0 : data.feedbackOrder().length);
            }
            figures.put("events", expected);

            int restPort = freePort();
            Configuration conf = configuration(work, restPort);
            // Extra Flink options, e.g. RocksDB tuning: --flink-conf 'key=value;key=value'.
            String extra = arg("flink-conf", "");
            if (!extra.isBlank()) {
                Map<String, String> more = new HashMap<>();
                for (String kv : extra.split(";")) {
                    int eq = kv.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException(
                                "--flink-conf: expected key=value: " + kv);
                    }
                    more.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
                }
                conf.addAll(Configuration.fromMap(more));
                figures.put("flink_conf", extra.replace('\t', ' '));
            }
            StreamExecutionEnvironment flink =
                    StreamExecutionEnvironment.createLocalEnvironment(conf);
            CatalogLoader catalog =
                    sink.equals("iceberg")
                            ? IcebergCatalogs.localHadoop("bench", work.resolve("warehouse"))
                            : null;
            try (RunFigures run = new RunFigures(restPort)) {
                long submitted = System.nanoTime();
                // CPU time from the first record on: load-independent cost, beside wall time.
                long[] cpuAtFirst = {-1, -1};
                final KafkaBrokerProcess b = broker;
                Thread cpuMark =
                        new Thread(
                                () -> {
                                    while (Progress.firstRecordNanos() == 0) {
                                        Thread.onSpinWait();
                                        try {
                                            Thread.sleep(5);
                                        } catch (InterruptedException e) {
                                            return;
                                        }
                                    }
                                    cpuAtFirst[0] = RunFigures.processCpuNanos();
                                    cpuAtFirst[1] =
                                            b == null ? 0 : RunFigures.processCpuNanos(b.pid());
                                },
                                "bench-cpu-mark");
                cpuMark.setDaemon(true);
                cpuMark.start();
                Path parts = sink.equals("dump") ? work.resolve("rows") : null;
                JobClient job = launch(variant, flink, spec, ps, fs, catalog, parts);
                String jobId = job.getJobID().toHexString();
                run.pollCheckpoints(jobId);
                if (state) {
                    measureState(run, job, jobId, work, cpuAtFirst);
                } else {
                    job.getJobExecutionResult().get();
                    long end = System.nanoTime();
                    cpuMark.join();
                    cpuFigures(cpuAtFirst, broker, Progress.records());
                    long first = Progress.firstRecordNanos();
                    double secs = seconds(end - first);
                    figures.put("startup_s", seconds(first - submitted));
                    figures.put("run_s", secs);
                    figures.put("events_read", Progress.records());
                    double perSec = Progress.records() / secs;
                    figures.put("events_per_s", Math.round(perSec));
                    figures.put("events_per_s_per_core", Math.round(perSec / PARALLELISM));
                    checkpointFigures(run, jobId);
                    if (parts != null) {
                        Path to = Path.of(arg("dump", work.resolve("dump").toString()));
                        figures.put("dump", to);
                        RowDump.collect(parts, to).forEach((t, v) -> figures.put("rows_" + t, v));
                    }
                }
                figures.put("peak_heap_mb", run.peakHeapBytes() >> 20);
                figures.put("peak_rss_mb", RunFigures.peakRssBytes() >> 20);
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        StringBuilder line = new StringBuilder();
        figures.forEach(
                (k, v) ->
                        line.append(line.length() == 0 ? "" : "\t")
                                .append(k)
                                .append('=')
                                .append(v));
        System.out.println("RESULT " + line);
        Files.createDirectories(results.getParent());
        Files.writeString(
                results, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Predictions only, all waiting: once every record is in and two checkpoints later, measure.
     */
    private void measureState(
            RunFigures run, JobClient job, String jobId, Path work, long[] cpuAtFirst)
            throws Exception {
        while (Progress.exhaustedReaders() < 2L * PARALLELISM) {
            Thread.sleep(200);
        }
        long exhausted = System.nanoTime();
        cpuFigures(cpuAtFirst, null, Progress.records());
        double secs = seconds(exhausted - Progress.firstRecordNanos());
        figures.put("run_s", secs);
        figures.put("events_per_s_per_core", Math.round(Progress.records() / secs / PARALLELISM));
        long target = run.completedCheckpoints(jobId) + 2;
        while (run.completedCheckpoints(jobId) < target) {
            Thread.sleep(500);
        }
        Thread.sleep(3000); // one metric fetch interval after the checkpoint
        JsonNode latest = run.checkpoints(jobId).path("latest").path("completed");
        figures.put("checkpoint_full_bytes", latest.path("state_size").asLong());
        figures.put("checkpoint_incremental_bytes", latest.path("checkpointed_size").asLong());
        figures.put("checkpoint_duration_ms", latest.path("end_to_end_duration").asLong());
        figures.put("checkpoint_dir_bytes", RunFigures.bytesUnder(work.resolve("checkpoints"), ""));
        figures.put("sst_bytes", RunFigures.bytesUnder(work.resolve("rocksdb"), ".sst"));
        figures.put("live_data_bytes", run.sumMetric(jobId, "rocksdb_estimate-live-data-size"));
        figures.put(
                "live_data_timer_bytes",
                run.sumMetric(jobId, "event_user-timers.rocksdb_estimate-live-data-size"));
        figures.put("total_sst_metric_bytes", run.sumMetric(jobId, "rocksdb_total-sst-files-size"));
        figures.put("mem_tables_bytes", run.sumMetric(jobId, "rocksdb_cur-size-all-mem-tables"));
        long waiting = Progress.records();
        figures.put("waiting", waiting);
        figures.put(
                "checkpoint_full_bytes_per_prediction",
                latest.path("state_size").asLong() / (double) waiting);
        figures.put(
                "live_data_bytes_per_prediction",
                (long) figures.get("live_data_bytes") / (double) waiting);
        figures.put("sst_bytes_per_prediction", (long) figures.get("sst_bytes") / (double) waiting);
        job.cancel().get(60, TimeUnit.SECONDS);
    }

    /** Events per CPU-second of this JVM (plus the broker's, with Kafka) since the first record. */
    private void cpuFigures(long[] cpuAtFirst, KafkaBrokerProcess broker, long events) {
        double jvm = (RunFigures.processCpuNanos() - cpuAtFirst[0]) / 1e9;
        figures.put("cpu_s", Math.round(jvm * 100) / 100.0);
        double total = jvm;
        if (broker != null) {
            double brokerCpu = (RunFigures.processCpuNanos(broker.pid()) - cpuAtFirst[1]) / 1e9;
            figures.put("broker_cpu_s", Math.round(brokerCpu * 100) / 100.0);
            total += brokerCpu;
        }
        figures.put("events_per_cpu_s", Math.round(events / total));
        figures.put("load_after", loadAverage());
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void checkpointFigures(RunFigures run, String jobId) throws Exception {
        JsonNode c = run.lastCheckpoints();
        figures.put("checkpoints", c.path("counts").path("completed").asLong());
        JsonNode s = c.path("summary");
        figures.put("checkpoint_max_full_bytes", s.path("state_size").path("max").asLong());
        figures.put(
                "checkpoint_max_incremental_bytes",
                s.path("checkpointed_size").path("max").asLong());
        figures.put(
                "checkpoint_max_duration_ms", s.path("end_to_end_duration").path("max").asLong());
        figures.put(
                "checkpoint_median_duration_ms",
                s.path("end_to_end_duration").path("p50").asLong());
    }

    static JobClient launch(
            String variant,
            StreamExecutionEnvironment env,
            JobSpec spec,
            Source<Either<DeadLetter, Prediction>, ?, ?> ps,
            Source<Either<DeadLetter, Feedback>, ?, ?> fs,
            CatalogLoader catalog,
            Path dump)
            throws Exception {
        BenchSinks sinks = new BenchSinks(catalog, PARALLELISM, dump);
        switch (variant) {
            case "hindsight" -> {
                FeedbackJoinJob.build(env, spec, ps, fs, sinks);
                return env.executeAsync("bench: hindsight feedback join");
            }
            case "monitored" -> {
                SingleOutputStreamOperator<Outcome> outcomes =
                        FeedbackJoinJob.build(env, spec, ps, fs, sinks);
                FeedbackJoinJob.attachMonitoring(
                        spec,
                        outcomes.getSideOutput(FeedbackJoinFunction.PREDICTIONS),
                        outcomes,
                        sinks);
                return env.executeAsync("bench: hindsight join, drift, slice metrics, alerts");
            }
            case "passthrough" -> {
                BenchSinks.discard(predictions(env, spec, ps), "predictions-discard");
                BenchSinks.discard(feedback(env, spec, fs), "feedback-discard");
                return env.executeAsync("bench: pass-through");
            }
            case "datastream" -> {
                SingleOutputStreamOperator<Outcome> outcomes =
                        predictions(env, spec, ps)
                                .keyBy(Prediction::getPredictionId)
                                .connect(feedback(env, spec, fs).keyBy(Feedback::getPredictionId))
                                .process(new StraightforwardJoinFunction())
                                .returns(new AvroTypeInfo<>(Outcome.class))
                                .uid("straightforward-join")
                                .name("straightforward join");
                sinks.outcomes(outcomes);
                return env.executeAsync("bench: straightforward DataStream join");
            }
            case "sql" -> {
                StreamTableEnvironment tables = StreamTableEnvironment.create(env);
                Table joined =
                        SqlIntervalJoin.join(
                                tables, predictions(env, spec, ps), feedback(env, spec, fs));
                if (catalog == null) {
                    return joined.insertInto(
                                    TableDescriptor.forConnector("blackhole")
                                            .schema(
                                                    org.apache.flink.table.api.Schema.newBuilder()
                                                            .fromResolvedSchema(
                                                                    joined.getResolvedSchema())
                                                            .build())
                                            .build())
                            .execute()
                            .getJobClient()
                            .orElseThrow();
                }
                DataStream<Outcome> outcomes =
                        tables.toDataStream(joined)
                                .map(SqlIntervalJoin::outcome)
                                .returns(new AvroTypeInfo<>(Outcome.class))
                                .uid("sql-outcomes")
                                .name("row to outcome");
                sinks.table(outcomes, HindsightTable.OUTCOMES, "outcomes-table");
                return env.executeAsync("bench: SQL interval join");
            }
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        }
    }

    static DataStream<Prediction> predictions(
            StreamExecutionEnvironment env,
            JobSpec spec,
            Source<Either<DeadLetter, Prediction>, ?, ?> source) {
        return env.fromSource(source, watermarks(spec), "predictions")
                .uid("predictions-source")
                .process(new DeadLetterRouter<Prediction>())
                .returns(new AvroTypeInfo<>(Prediction.class))
                .uid("predictions-router")
                .name("route prediction dead letters");
    }

    static DataStream<Feedback> feedback(
            StreamExecutionEnvironment env,
            JobSpec spec,
            Source<Either<DeadLetter, Feedback>, ?, ?> source) {
        return env.fromSource(source, watermarks(spec), "feedback")
                .uid("feedback-source")
                .process(new DeadLetterRouter<Feedback>())
                .returns(new AvroTypeInfo<>(Feedback.class))
                .uid("feedback-router")
                .name("route feedback dead letters");
    }

    /** As the feedback join job's: event time of mapped events, dead letters never move it. */
    static <T> WatermarkStrategy<Either<DeadLetter, T>> watermarks(JobSpec spec) {
        return FeedbackJoinJob.aligned(
                WatermarkStrategy.<Either<DeadLetter, T>>forBoundedOutOfOrderness(
                                spec.join().outOfOrderness())
                        .withTimestampAssigner(
                                (e, ts) -> e.isRight() ? eventTime(e.right()) : Long.MIN_VALUE),
                spec);
    }

    private static long eventTime(Object event) {
        if (event instanceof Prediction p) {
            return p.getEventTime().toEpochMilli();
        }
        return ((Feedback) event).getEventTime().toEpochMilli();
    }

    static Configuration configuration(Path work, int restPort) {
        Configuration c = LocalFlink.configuration(work, PARALLELISM, Duration.ofSeconds(10));
        c.set(
                TaskManagerOptions.MANAGED_MEMORY_SIZE,
                MemorySize.ofMebiBytes(MANAGED_MB_PER_SLOT * PARALLELISM));
        // The SQL planner's operators carry no uids; savepoint compatibility is not measured here.
        c.set(PipelineOptions.AUTO_GENERATE_UIDS, true);
        c.set(RestOptions.PORT, restPort);
        Map<String, String> more = new HashMap<>();
        more.put("state.backend.rocksdb.localdir", work.resolve("rocksdb").toString());
        more.put("state.backend.rocksdb.metrics.estimate-live-data-size", "true");
        more.put("state.backend.rocksdb.metrics.total-sst-files-size", "true");
        more.put("state.backend.rocksdb.metrics.cur-size-all-mem-tables", "true");
        more.put("metrics.fetcher.update-interval", "1000");
        c.addAll(Configuration.fromMap(more));
        return c;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e7) / 100.0;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
