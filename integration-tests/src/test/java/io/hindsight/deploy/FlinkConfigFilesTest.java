package io.hindsight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ClusterOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend.PriorityQueueStateType;
import org.apache.flink.state.rocksdb.PredefinedOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.CompressionType;

/**
 * flink-conf/config.yaml and config-local.yaml, read by Flink's own loader: the settings the jobs
 * rely on, and no key Flink does not know (a typo would be ignored silently by Flink).
 */
class FlinkConfigFilesTest {

    private static final Path CONF = FlinkOptionKeys.root().resolve("flink-conf");

    @TempDir Path tmp;

    @Test
    void productionConfigurationSetsWhatTheJobsRelyOn() {
        Configuration c = production();

        assertJobInvariants(c);
        assertThat(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).startsWith("s3://");
        assertThat(c.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).startsWith("s3://");
        assertThat(c.get(RocksDBOptions.PREDEFINED_OPTIONS))
                .isEqualTo(PredefinedOptions.FLASH_SSD_OPTIMIZED.name());
        assertThat(c.get(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS)).isTrue();
        assertThat(c.get(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL))
                .containsExactly(CompressionType.ZSTD_COMPRESSION);
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(c.get(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS))
                .isLessThan(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL));
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT))
                .isGreaterThan(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL));
        assertThat(c.get(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER)).isPositive();
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(c.get(MetricOptions.REPORTERS_LIST)).isEqualTo("prom");
        assertThat(c.toMap())
                .containsEntry(
                        "metrics.reporter.prom.factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .containsKey("metrics.reporter.prom.port");
        assertThat(c.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY))
                .isEqualTo(MemorySize.parse("8g"));
    }

    @Test
    void localConfigurationSetsWhatTheJobsRelyOn() throws Exception {
        Configuration c = local();

        assertJobInvariants(c);
        assertThat(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).startsWith("file://");
        assertThat(c.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).startsWith("file://");
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
        assertThat(c.get(ClusterOptions.ERROR_REGISTRATION_DELAY)).isEqualTo(Duration.ofSeconds(1));
        // The Prometheus reporter is not available to a cluster built from Maven artifacts.
        assertThat(c.get(MetricOptions.REPORTERS_LIST)).isNull();
        // RocksDB gets 256 MiB per slot, as LocalFlink gives the in-process cluster.
        assertThat(c.get(TaskManagerOptions.MANAGED_MEMORY_SIZE))
                .isEqualTo(MemorySize.ofMebiBytes(256L * c.get(TaskManagerOptions.NUM_TASK_SLOTS)));
        assertThat(c.get(CoreOptions.DEFAULT_PARALLELISM))
                .isEqualTo(c.get(TaskManagerOptions.NUM_TASK_SLOTS));
    }

    @Test
    void everyKeyIsOneFlinkKnows() throws Exception {
        for (Configuration c : List.of(production(), local())) {
            assertThat(FlinkOptionKeys.unknown(c.keySet(), c.get(MetricOptions.REPORTERS_LIST)))
                    .isEmpty();
        }
    }

    @Test
    void theKeyCheckCatchesTyposAndUnlistedReporters() {
        assertThat(
                        FlinkOptionKeys.unknown(
                                java.util.Set.of(
                                        "pipeline.auto-generate-uid",
                                        "pipeline.auto-generate-uids",
                                        "metrics.reporter.prom.factory.class",
                                        "metrics.reporter.jmx.factory.class",
                                        "metrics.reporter.prom.prot",
                                        "state.backend.rocksdb.timer-service.factory"),
                                "prom"))
                .containsExactlyInAnyOrder(
                        "pipeline.auto-generate-uid",
                        "metrics.reporter.jmx.factory.class",
                        "metrics.reporter.prom.prot");
    }

    @Test
    void jvmFlagsAreTheBuildsFlags() throws Exception {
        List<String> expected = FlinkOptionKeys.pomJvmFlags(FlinkOptionKeys.root());
        assertThat(expected).contains("--add-modules=jdk.incubator.foreign");
        for (Configuration c : List.of(production(), local())) {
            assertThat(c.get(CoreOptions.FLINK_JVM_OPTIONS).split("\\s+"))
                    .containsExactlyElementsOf(expected);
        }
    }

    /** What every Hindsight cluster must do, locally or in production. */
    private static void assertJobInvariants(Configuration c) {
        assertThat(c.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(c.get(RocksDBOptions.USE_MANAGED_MEMORY)).isTrue();
        assertThat(c.get(RocksDBOptions.TIMER_SERVICE_FACTORY))
                .isEqualTo(PriorityQueueStateType.ROCKSDB);
        assertThat(c.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
        assertThat(c.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isNotNull();
        assertThat(c.get(CheckpointingOptions.ENABLE_UNALIGNED)).isFalse();
        assertThat(c.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(c.get(PipelineOptions.AUTO_GENERATE_UIDS)).isFalse();
        assertThat(c.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(c.get(PipelineOptions.OBJECT_REUSE)).isTrue();
        // Key groups are fixed by the first savepoint: both clusters must agree.
        assertThat(c.get(PipelineOptions.MAX_PARALLELISM)).isEqualTo(720);
    }

    static Configuration production() {
        return GlobalConfiguration.loadConfiguration(CONF.toString());
    }

    /** GlobalConfiguration reads config.yaml: a directory holding the local file by that name. */
    private Configuration local() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("local-conf"));
        Files.copy(
                CONF.resolve("config-local.yaml"),
                dir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return GlobalConfiguration.loadConfiguration(dir.toString());
    }
}
