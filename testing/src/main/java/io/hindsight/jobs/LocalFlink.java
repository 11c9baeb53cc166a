package io.hindsight.jobs;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Flink in this process, configured as the cluster is (flink-conf/config.yaml): RocksDB with
 * incremental checkpoints to a local folder, exactly-once checkpoints, stable uids required, no
 * Kryo fallback. Used by the embedded default and the integration tests.
 */
public final class LocalFlink {

    private LocalFlink() {}

    public static Configuration configuration(Path workDir, int parallelism, Duration interval) {
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        c.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                workDir.resolve("checkpoints").toUri().toString());
        c.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                workDir.resolve("savepoints").toUri().toString());
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        c.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 2);
        c.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        c.set(PipelineOptions.GENERIC_TYPES, false);
        // Safe: no Hindsight operator keeps a reference to an input record after emitting it.
        c.set(PipelineOptions.OBJECT_REUSE, true);
        c.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256L * parallelism));
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        return c;
    }

    /**
     * Environment variable that turns on the Prometheus reporter of local runs (a port or range).
     */
    public static final String PROMETHEUS_PORT_ENV = "HINDSIGHT_PROMETHEUS_PORT";

    /**
     * Adds Flink's Prometheus reporter (as flink-conf/config.yaml configures it for a cluster),
     * serving every metric of the in-process cluster, JobManager and TaskManager alike, on {@code
     * port} (a port such as {@code 9249} or a range such as {@code 9249-9259}). The reporter must
     * be on the classpath (the CLI's provided classpath has flink-metrics-prometheus): an
     * in-process MiniCluster has no plugin manager and reads no plugins folder.
     */
    public static Configuration withPrometheus(Configuration c, String port) {
        c.set(MetricOptions.REPORTERS_LIST, "prom");
        c.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.setString("metrics.reporter.prom.port", port);
        return c;
    }

    /**
     * {@link #withPrometheus} with the port from {@value #PROMETHEUS_PORT_ENV} if that is set and
     * not blank; the configuration unchanged otherwise.
     */
    public static Configuration withPrometheusFromEnvironment(Configuration c) {
        String port = System.getenv(PROMETHEUS_PORT_ENV);
        return port == null || port.isBlank() ? c : withPrometheus(c, port.trim());
    }

    public static StreamExecutionEnvironment environment(Configuration configuration) {
        return StreamExecutionEnvironment.createLocalEnvironment(configuration);
    }
}
