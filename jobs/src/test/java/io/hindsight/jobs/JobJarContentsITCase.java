package io.hindsight.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar holds the job and its connectors only: none of the local tooling (command
 * line, demo, simulator, embedded broker and cluster launchers) and none of the in-process
 * stand-ins. Runs after {@code package} (failsafe), on the jar the build just wrote; {@code
 * -Dhindsight.job.jar=PATH} checks another.
 */
class JobJarContentsITCase {

    /** Hindsight's packages that belong in the job: its operators, spec, schemas and connectors. */
    static final Set<String> JOB_PACKAGES =
            Set.of(
                    "io/hindsight/alerts/",
                    "io/hindsight/curation/",
                    "io/hindsight/discovery/",
                    "io/hindsight/drift/",
                    "io/hindsight/iceberg/",
                    "io/hindsight/ingest/",
                    "io/hindsight/jobs/",
                    "io/hindsight/join/",
                    "io/hindsight/kafka/",
                    "io/hindsight/metrics/",
                    "io/hindsight/registry/",
                    "io/hindsight/schemas/",
                    "io/hindsight/spec/",
                    "io/hindsight/uids/",
                    "io/hindsight/window/");

    static List<String> entries;
    static Manifest manifest;

    @BeforeAll
    static void listJar() throws IOException {
        Path jar = Path.of(System.getProperty("hindsight.job.jar"));
        assertThat(jar).as("the shaded job jar (run mvn package first)").isRegularFile();
        try (JarFile file = new JarFile(jar.toFile())) {
            entries = Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
            manifest = file.getManifest();
        }
    }

    @Test
    void holdsTheJobAndItsConnectors() {
        assertThat(entries)
                .contains(
                        "io/hindsight/jobs/FeedbackJoinJob.class",
                        "io/hindsight/join/FeedbackJoinFunction.class",
                        "io/hindsight/drift/DriftPipeline.class",
                        "io/hindsight/metrics/SliceMetricsPipeline.class",
                        "io/hindsight/alerts/AlertPipeline.class",
                        "io/hindsight/spec/SpecLoader.class",
                        "io/hindsight/registry/RestSchemaRegistryClient.class",
                        "org/apache/flink/connector/kafka/source/KafkaSource.class",
                        "org/apache/iceberg/flink/sink/IcebergSink.class",
                        "org/apache/datasketches/kll/KllDoublesSketch.class");
        assertThat(manifest.getMainAttributes().getValue("Main-Class"))
                .isEqualTo("io.hindsight.jobs.FeedbackJoinJob");
    }

    @Test
    void holdsNoHindsightClassOutsideTheJobsPackages() {
        List<String> outside =
                entries.stream()
                        .filter(e -> e.startsWith("io/hindsight/") && e.endsWith(".class"))
                        .filter(e -> JOB_PACKAGES.stream().noneMatch(e::startsWith))
                        .toList();
        assertThat(outside).as("local tooling in the job jar").isEmpty();
    }

    @Test
    void holdsNoLocalToolingNorStandIns() {
        assertThat(entries)
                .noneMatch(e -> e.startsWith("io/hindsight/cli/"))
                .noneMatch(e -> e.startsWith("io/hindsight/demo/"))
                .noneMatch(e -> e.startsWith("io/hindsight/sim/"))
                .noneMatch(e -> e.startsWith("io/hindsight/embedded/"))
                .noneMatch(e -> e.startsWith("io/hindsight/registry/StandInSchemaRegistry"))
                .noneMatch(e -> e.startsWith("io/hindsight/jobs/LocalFlink"));
    }

    @Test
    void holdsNeitherFlinkNorTheBrokerNorLogging() {
        // Flink is the cluster's; the Kafka broker (kafka_2.13, Scala) is the embedded default's.
        assertThat(entries)
                .noneMatch(e -> e.startsWith("org/apache/flink/runtime/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/streaming/api/"))
                .noneMatch(e -> e.startsWith("kafka/server/"))
                .noneMatch(e -> e.startsWith("scala/"))
                .noneMatch(e -> e.startsWith("org/apache/logging/log4j/"))
                .noneMatch(e -> e.startsWith("org/slf4j/"));
    }
}
