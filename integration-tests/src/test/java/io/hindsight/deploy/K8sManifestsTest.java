package io.hindsight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecException;
import io.hindsight.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests in k8s/: the FlinkDeployment runs the real entry class with the settings
 * of flink-conf/config.yaml, its spec loads, every secret it reads exists, and the PodMonitor finds
 * its pods.
 */
class K8sManifestsTest {

    private static final Path K8S = FlinkOptionKeys.root().resolve("k8s");
    private static final Pattern ENV_REFERENCE =
            Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)(:-[^}]*)?}");

    /** Keys whose value differs from config.yaml on purpose. */
    private static final Map<String, String> INTENDED_DIFFERENCES =
            Map.of(
                    "metrics.reporter.prom.port",
                    "one pod per IP on Kubernetes: a fixed port to scrape, not a range");

    private static Map<String, List<Map<String, Object>>> documentsByFile;

    @TempDir Path tmp;

    @BeforeAll
    static void loadManifests() throws IOException {
        documentsByFile = new HashMap<>();
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                List<Map<String, Object>> docs = new ArrayList<>();
                for (Object doc : new Yaml().loadAll(Files.readString(file))) {
                    docs.add(map(doc));
                }
                documentsByFile.put(file.getFileName().toString(), docs);
            }
        }
    }

    /** The Secret template is applied on its own, once: never with the rest. */
    static final String SECRET_TEMPLATE = "secret.yaml";

    @Test
    void kustomizationListsEveryManifestButTheSecretTemplate() {
        Map<String, Object> kustomization = single("kustomization.yaml", "Kustomization");
        Set<String> manifests = new TreeSet<>(documentsByFile.keySet());
        manifests.remove("kustomization.yaml");
        manifests.remove(SECRET_TEMPLATE);
        assertThat(list(kustomization.get("resources")))
                .containsExactlyInAnyOrderElementsOf(manifests)
                .doesNotContain(SECRET_TEMPLATE);
        assertThat(documents()).noneMatch(doc -> "Secret".equals(doc.get("kind")));
    }

    @Test
    void flinkDeploymentRunsTheJoinWithSavepointUpgrades() throws Exception {
        Map<String, Object> spec = map(deployment().get("spec"));
        Map<String, Object> job = map(spec.get("job"));

        assertThat(job)
                .containsEntry("upgradeMode", "savepoint")
                .containsEntry("state", "running")
                .containsEntry("jarURI", "local:///opt/flink/usrlib/hindsight-jobs-job.jar")
                .containsEntry("args", List.of("--spec", "/opt/hindsight/spec/spec.yaml"))
                .containsEntry("allowNonRestoredState", false)
                .containsKey("savepointRedeployNonce");
        String entryClass = (String) job.get("entryClass");
        assertThat(Class.forName(entryClass).getMethod("main", String[].class)).isNotNull();
        assertThat(Files.readString(K8S.resolve("Dockerfile")))
                .contains("/opt/flink/usrlib/hindsight-jobs-job.jar")
                .contains("FROM flink:2.1.1-java17");

        Map<String, Object> tm = map(spec.get("taskManager"));
        int slots =
                Integer.parseInt(flinkConfiguration().get(TaskManagerOptions.NUM_TASK_SLOTS.key()));
        assertThat((Integer) tm.get("replicas") * slots).isEqualTo(job.get("parallelism"));
        assertThat(map(spec.get("jobManager"))).containsKey("replicas");
    }

    @Test
    void flinkConfigurationHasStateCheckpointsAndHa() {
        Map<String, String> conf = flinkConfiguration();
        assertThat(conf)
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("state.backend.rocksdb.memory.managed", "true")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsEntry("pipeline.auto-generate-uids", "false")
                .containsEntry("pipeline.generic-types", "false")
                .containsEntry("high-availability.type", "kubernetes");
        assertThat(conf.get("execution.checkpointing.dir")).startsWith("s3://");
        assertThat(conf.get("execution.checkpointing.savepoint-dir")).startsWith("s3://");
        assertThat(conf.get("high-availability.storageDir")).startsWith("s3://");
        assertThat(FlinkOptionKeys.unknown(conf.keySet(), conf.get("metrics.reporters"))).isEmpty();
    }

    @Test
    void flinkConfigurationAgreesWithConfigYaml() {
        Map<String, String> production = FlinkConfigFilesTest.production().toMap();
        Map<String, String> conf = flinkConfiguration();
        for (Map.Entry<String, String> e : conf.entrySet()) {
            if (production.containsKey(e.getKey())
                    && !INTENDED_DIFFERENCES.containsKey(e.getKey())) {
                assertThat(e.getValue()).as(e.getKey()).isEqualTo(production.get(e.getKey()));
            }
        }
        // The operator sets process memory from the resources: they must match config.yaml.
        Map<String, Object> spec = map(deployment().get("spec"));
        assertThat(memory(spec, "taskManager"))
                .isEqualTo(MemorySize.parse(production.get("taskmanager.memory.process.size")));
        assertThat(memory(spec, "jobManager"))
                .isEqualTo(MemorySize.parse(production.get("jobmanager.memory.process.size")));
    }

    @Test
    void flinkConfigurationValuesAreStrings() {
        // The CRD declares map<string, string>: an unquoted true or 3 is rejected by the API
        // server.
        Map<String, Object> raw = map(map(deployment().get("spec")).get("flinkConfiguration"));
        assertThat(raw.values()).allSatisfy(v -> assertThat(v).isInstanceOf(String.class));
    }

    @Test
    void specFromTheConfigMapLoadsWithTheDeploymentsEnvironment() throws Exception {
        Path dir = mountSpec();
        Map<String, String> env = new HashMap<>();
        for (String name : containerEnv().keySet()) {
            env.put(name, dummy(name));
        }

        JobSpec spec = SpecLoader.load(dir.resolve("spec.yaml"), env);

        assertThat(spec.application()).isEqualTo("fraud");
        assertThat(spec.kafka().properties())
                .containsEntry("sasl.jaas.config", dummy("KAFKA_SASL_JAAS_CONFIG"));
        assertThat(spec.iceberg().catalogProperties())
                .containsEntry("type", "rest")
                .containsEntry("uri", dummy("ICEBERG_REST_URI"));
    }

    @Test
    void everyRequiredVariableOfTheSpecIsSetByTheDeployment() throws Exception {
        String yaml = (String) configMapData().get("spec.yaml");
        Set<String> required = new TreeSet<>();
        Matcher m = ENV_REFERENCE.matcher(yaml);
        while (m.find()) {
            if (m.group(2) == null) {
                required.add(m.group(1));
            }
        }
        assertThat(required).contains("KAFKA_SASL_JAAS_CONFIG", "SCHEMA_REGISTRY_PASSWORD");
        assertThat(containerEnv().keySet()).containsAll(required);

        // Each of them is really required: without it the spec does not load.
        Path dir = mountSpec();
        for (String missing : required) {
            Map<String, String> env = new HashMap<>();
            for (String name : containerEnv().keySet()) {
                if (!name.equals(missing)) {
                    env.put(name, dummy(name));
                }
            }
            assertThatThrownBy(() -> SpecLoader.load(dir.resolve("spec.yaml"), env))
                    .isInstanceOf(SpecException.class)
                    .hasMessageContaining("environment variable '" + missing + "' is not set");
        }
    }

    @Test
    void secretsComeFromTheSecretOfTheTemplate() {
        Map<String, Map<String, Object>> secrets = new HashMap<>();
        for (Map<String, Object> doc : documentsByFile.get(SECRET_TEMPLATE)) {
            if ("Secret".equals(doc.get("kind"))) {
                secrets.put((String) map(doc.get("metadata")).get("name"), doc);
            }
        }
        Map<String, Map<String, Object>> env = containerEnv();
        for (String name : List.of("KAFKA_SASL_JAAS_CONFIG", "SCHEMA_REGISTRY_PASSWORD")) {
            Map<String, Object> ref = map(map(env.get(name).get("valueFrom")).get("secretKeyRef"));
            assertThat(secrets).as("Secret of %s", name).containsKey((String) ref.get("name"));
        }
        for (Map<String, Object> var : env.values()) {
            if (var.containsKey("valueFrom")) {
                Map<String, Object> ref = map(map(var.get("valueFrom")).get("secretKeyRef"));
                Map<String, Object> secret = secrets.get((String) ref.get("name"));
                assertThat(secret).as("Secret %s", ref.get("name")).isNotNull();
                assertThat(map(secret.get("stringData"))).containsKey((String) ref.get("key"));
            }
        }
    }

    @Test
    void specIsMountedFromTheConfigMapWithTheExamplesSchemas() throws Exception {
        Map<String, Object> podSpec =
                map(map(map(deployment().get("spec")).get("podTemplate")).get("spec"));
        Map<String, Object> specVolume =
                list(podSpec.get("volumes")).stream()
                        .map(K8sManifestsTest::map)
                        .filter(v -> "spec".equals(v.get("name")))
                        .findFirst()
                        .orElseThrow();
        assertThat(map(specVolume.get("configMap")).get("name"))
                .isEqualTo(map(configMap().get("metadata")).get("name"));
        assertThat(list(mainContainer().get("volumeMounts")))
                .contains(
                        Map.of(
                                "name",
                                "spec",
                                "mountPath",
                                "/opt/hindsight/spec",
                                "readOnly",
                                true));

        ObjectMapper json = new ObjectMapper();
        Path examples = FlinkOptionKeys.root().resolve("examples/fraud");
        for (String schema : List.of("prediction.avsc", "feedback.avsc")) {
            assertThat(json.readTree((String) configMapData().get(schema)))
                    .as(schema)
                    .isEqualTo(json.readTree(Files.readString(examples.resolve(schema))));
        }
    }

    @Test
    void podMonitorScrapesTheReportersPort() {
        Map<String, Object> monitor = single("pod-monitor.yaml", "PodMonitor");
        Map<String, Object> spec = map(monitor.get("spec"));
        Map<String, Object> selector = map(map(spec.get("selector")).get("matchLabels"));
        Map<String, Object> podLabels =
                map(
                        map(map(map(deployment().get("spec")).get("podTemplate")).get("metadata"))
                                .get("labels"));
        assertThat(podLabels).containsAllEntriesOf(selector);

        String port = (String) map(list(spec.get("podMetricsEndpoints")).get(0)).get("port");
        Map<String, Object> containerPort =
                list(mainContainer().get("ports")).stream()
                        .map(K8sManifestsTest::map)
                        .filter(p -> port.equals(p.get("name")))
                        .findFirst()
                        .orElseThrow();
        assertThat(String.valueOf(containerPort.get("containerPort")))
                .isEqualTo(flinkConfiguration().get("metrics.reporter.prom.port"));
    }

    // --- helpers ---

    private Path mountSpec() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("spec"));
        for (Map.Entry<String, Object> file : configMapData().entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), (String) file.getValue());
        }
        return dir;
    }

    private static String dummy(String name) {
        if (name.endsWith("_JAAS_CONFIG")) {
            // The validator checks the shape of a JAAS line.
            return "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"dummy\" password=\"dummy-"
                    + name.toLowerCase()
                    + "\";";
        }
        return name.endsWith("_URI") || name.endsWith("_URL")
                // a host name has no underscores, and the validator checks URLs
                ? "https://" + name.toLowerCase().replace('_', '-') + ".test"
                : "dummy-" + name.toLowerCase();
    }

    private static MemorySize memory(Map<String, Object> spec, String component) {
        return MemorySize.parse(
                (String) map(map(spec.get(component)).get("resource")).get("memory"));
    }

    private static Map<String, String> flinkConfiguration() {
        Map<String, Object> raw = map(map(deployment().get("spec")).get("flinkConfiguration"));
        // Through Flink's Configuration, so values are compared as Flink reads them.
        Map<String, String> strings =
                raw.entrySet().stream()
                        .collect(
                                Collectors.toMap(
                                        Map.Entry::getKey, e -> String.valueOf(e.getValue())));
        return Configuration.fromMap(strings).toMap();
    }

    private static Map<String, Map<String, Object>> containerEnv() {
        Map<String, Map<String, Object>> env = new HashMap<>();
        for (Object var : list(mainContainer().get("env"))) {
            env.put((String) map(var).get("name"), map(var));
        }
        return env;
    }

    private static Map<String, Object> mainContainer() {
        Map<String, Object> podSpec =
                map(map(map(deployment().get("spec")).get("podTemplate")).get("spec"));
        return list(podSpec.get("containers")).stream()
                .map(K8sManifestsTest::map)
                .filter(c -> "flink-main-container".equals(c.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no flink-main-container in podTemplate"));
    }

    private static Map<String, Object> deployment() {
        return single("flink-deployment.yaml", "FlinkDeployment");
    }

    private static Map<String, Object> configMap() {
        return single("spec-configmap.yaml", "ConfigMap");
    }

    private static Map<String, Object> configMapData() {
        return map(configMap().get("data"));
    }

    private static Map<String, Object> single(String file, String kind) {
        List<Map<String, Object>> docs =
                documentsByFile.getOrDefault(file, List.of()).stream()
                        .filter(d -> kind.equals(d.get("kind")))
                        .toList();
        assertThat(docs).as("%s in k8s/%s", kind, file).hasSize(1);
        return docs.get(0);
    }

    private static List<Map<String, Object>> documents() {
        Set<String> listed =
                new LinkedHashSet<>(
                        list(single("kustomization.yaml", "Kustomization").get("resources"))
                                .stream()
                                .map(String::valueOf)
                                .toList());
        return listed.stream()
                .flatMap(f -> documentsByFile.getOrDefault(f, List.of()).stream())
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }
}
