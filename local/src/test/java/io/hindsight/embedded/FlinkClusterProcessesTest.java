package io.hindsight.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local cluster's configuration layers and its classpath lookup, without starting JVMs. */
class FlinkClusterProcessesTest {

    @Test
    void defaultsAloneGiveALocalClusterWithFastFailureDetection(@TempDir Path dir)
            throws IOException {
        Path work = dir.resolve("work");
        Map<String, String> c =
                FlinkClusterProcesses.configuration(dir, work, 18081, 16123, Map.of()).toMap();

        assertThat(c)
                .containsEntry("rest.port", "18081")
                .containsEntry("jobmanager.rpc.port", "16123")
                .containsEntry("jobmanager.rpc.address", "127.0.0.1")
                .containsEntry("taskmanager.rpc.port", "0")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsEntry("cluster.registration.error-delay", "1 s")
                .containsEntry("heartbeat.interval", "1 s")
                .containsEntry("heartbeat.timeout", "5 s")
                .containsEntry("taskmanager.numberOfTaskSlots", "1")
                .containsEntry("parallelism.default", "2")
                .containsEntry("restart-strategy.type", "fixed-delay")
                .containsEntry(
                        "execution.checkpointing.dir",
                        work.resolve("checkpoints").toUri().toString())
                .containsEntry("io.tmp.dirs", work.resolve("jobmanager").resolve("tmp").toString());
        assertThat(c.values())
                .noneMatch(v -> v.startsWith("/tmp/") && !v.startsWith(dir.toString()));
    }

    @Test
    void localConfigOverridesDefaultsButNotWhatOneMachineNeeds(@TempDir Path home)
            throws IOException {
        Files.createDirectories(home.resolve("flink-conf"));
        Files.writeString(
                home.resolve("flink-conf/config-local.yaml"),
                """
                taskmanager:
                  memory:
                    process:
                      size: 2g
                execution:
                  checkpointing:
                    interval: 30 s
                    dir: file:///somewhere/else
                rest:
                  port: 8081
                """);
        Configuration config =
                FlinkClusterProcesses.configuration(
                        home,
                        home.resolve("work"),
                        18081,
                        16123,
                        Map.of("execution.checkpointing.interval", "2 s"));

        assertThat(config.toMap())
                .containsEntry("taskmanager.memory.process.size", "2g")
                .containsEntry("execution.checkpointing.interval", "2 s")
                .containsEntry("rest.port", "18081")
                .containsEntry(
                        "execution.checkpointing.dir",
                        home.resolve("work").resolve("checkpoints").toUri().toString());
    }

    @Test
    void missingClasspathSaysHowToBuildIt(@TempDir Path home) {
        assertThatThrownBy(() -> FlinkClusterProcesses.clusterClasspath(home))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Flink cluster classpath not found: "
                                + home.resolve(
                                        "local/embedded-flink/target/flink-cluster.classpath")
                                + " does not exist; run mvn package first (cd "
                                + home
                                + " && mvn -q -B -pl local/embedded-flink package), or set"
                                + " -Dhindsight.flink.classpath");
    }
}
