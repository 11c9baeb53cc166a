package io.hindsight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * k8s/grafana/hindsight-dashboard.json queries only metrics that Hindsight, its connectors and
 * Flink export, under the names Flink's Prometheus reporter gives them.
 */
class GrafanaDashboardTest {

    /** Counters and the gauge of the join (group "hindsight"), and the dead-letter routers. */
    private static final List<String> HINDSIGHT_METRICS =
            List.of(
                    "predictionsIn",
                    "predictionsDuplicate",
                    "feedbackIn",
                    "feedbackDuplicate",
                    "outcomesLabeled",
                    "outcomesExpired",
                    "feedbackLate",
                    "feedbackOrphan",
                    "feedbackExtra",
                    "predictionsWaiting",
                    "deadLettered");

    /** Job metrics of the JobManager (checkpoint statistics, restarts). */
    private static final List<String> JOB_METRICS =
            List.of(
                    "lastCheckpointDuration",
                    "lastCheckpointSize",
                    "lastCheckpointFullSize",
                    "numberOfFailedCheckpoints",
                    "numberOfCompletedCheckpoints",
                    "numRestarts");

    /** Iceberg's committer metrics (IcebergFilesCommitterMetrics, group "table" = table name). */
    private static final List<String> ICEBERG_COMMITTER_METRICS =
            List.of("elapsedSecondsSinceLastSuccessfulCommit", "lastCommitDurationMs");

    /** Labels the queries may group by: Flink's scope variables and the key-value groups. */
    private static final Set<String> LABELS =
            Set.of(
                    "job_name",
                    "job_id",
                    "task_name",
                    "operator_name",
                    "subtask_index",
                    "tm_id",
                    "host",
                    "topic",
                    "partition",
                    "table");

    private static final Pattern METRIC = Pattern.compile("\\bflink_[A-Za-z0-9_:]+");
    private static final Pattern BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");

    private static JsonNode dashboard;

    @BeforeAll
    static void load() throws Exception {
        Path file = FlinkOptionKeys.root().resolve("k8s/grafana/hindsight-dashboard.json");
        dashboard = new ObjectMapper().readTree(file.toFile());
    }

    @Test
    void everyQueryNamesAnExportedMetric() {
        Set<String> exported = exportedNames();
        assertThat(dashboard.get("panels")).isNotEmpty();
        for (JsonNode panel : dashboard.get("panels")) {
            List<String> names = metricsOf(panel);
            assertThat(names).as(panel.get("title").asText()).isNotEmpty();
            assertThat(exported)
                    .as("metrics of panel '%s'", panel.get("title").asText())
                    .containsAll(names);
        }
    }

    @Test
    void everyQueryGroupsByLabelsTheMetricsCarry() {
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = BY.matcher(target.get("expr").asText());
                while (m.find()) {
                    for (String label : m.group(1).split("\\s*,\\s*")) {
                        assertThat(LABELS).as(target.get("expr").asText()).contains(label.trim());
                    }
                }
            }
        }
    }

    @Test
    void dashboardShowsWhatAnOperatorWatches() {
        Set<String> used = new TreeSet<>();
        dashboard.get("panels").forEach(p -> used.addAll(metricsOf(p)));
        MetricGroup operator = operatorGroup();
        assertThat(used)
                .contains(
                        name(operator.addGroup("hindsight"), "predictionsWaiting"),
                        name(operator.addGroup("hindsight"), "outcomesLabeled"),
                        name(operator.addGroup("hindsight"), "outcomesExpired"),
                        name(operator.addGroup("hindsight"), "feedbackLate"),
                        name(operator.addGroup("hindsight"), "feedbackOrphan"),
                        name(operator.addGroup("hindsight"), "deadLettered"),
                        name(jobGroup(), "lastCheckpointDuration"),
                        name(jobGroup(), "lastCheckpointSize"),
                        name(
                                operator.addGroup("IcebergFilesCommitter").addGroup("table", "t"),
                                "elapsedSecondsSinceLastSuccessfulCommit"),
                        name(operator, "pendingRecords"),
                        name(
                                operator.addGroup("KafkaSourceReader")
                                        .addGroup("topic", "t")
                                        .addGroup("partition", "0"),
                                "currentOffset"));
    }

    @Test
    void namesFollowThePrometheusReportersRule() {
        // Pinned once by hand, so a change in how the test derives names shows up here.
        assertThat(name(operatorGroup().addGroup("hindsight"), "predictionsWaiting"))
                .isEqualTo("flink_taskmanager_job_task_operator_hindsight_predictionsWaiting");
        assertThat(name(jobGroup(), "lastCheckpointDuration"))
                .isEqualTo("flink_jobmanager_job_lastCheckpointDuration");
    }

    /**
     * Every name the dashboard may use, derived as Flink's PrometheusReporter derives it: {@code
     * flink_} + the group's logical scope joined by {@code _} (key-value groups contribute their
     * key; the value becomes a label) + {@code _} + the metric name, with characters outside {@code
     * [a-zA-Z0-9:_]} replaced by {@code _}.
     */
    private static Set<String> exportedNames() {
        MetricGroup operator = operatorGroup();
        Set<String> names = new TreeSet<>();
        for (String m : HINDSIGHT_METRICS) {
            names.add(name(operator.addGroup("hindsight"), m));
        }
        for (String m : JOB_METRICS) {
            names.add(name(jobGroup(), m));
        }
        for (String m : ICEBERG_COMMITTER_METRICS) {
            names.add(name(operator.addGroup("IcebergFilesCommitter").addGroup("table", "t"), m));
        }
        names.add(name(operator, "pendingRecords"));
        names.add(name(operator, "currentOutputWatermark"));
        MetricGroup partition =
                operator.addGroup("KafkaSourceReader")
                        .addGroup("topic", "t")
                        .addGroup("partition", "0");
        names.add(name(partition, "currentOffset"));
        names.add(name(partition, "committedOffset"));
        return names;
    }

    private static MetricGroup operatorGroup() {
        return UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup();
    }

    private static MetricGroup jobGroup() {
        return UnregisteredMetricGroups.createUnregisteredJobManagerJobMetricGroup();
    }

    private static final CharacterFilter PROMETHEUS_FILTER =
            s -> s.replaceAll("[^a-zA-Z0-9:_]", "_");

    private static String name(MetricGroup group, String metric) {
        // What the FrontMetricGroup handed to the reporter delegates to.
        String scope = ((AbstractMetricGroup<?>) group).getLogicalScope(PROMETHEUS_FILTER, '_');
        return "flink_" + scope + "_" + PROMETHEUS_FILTER.filterCharacters(metric);
    }

    private static List<String> metricsOf(JsonNode panel) {
        List<String> names = new ArrayList<>();
        for (JsonNode target : panel.get("targets")) {
            Matcher m = METRIC.matcher(target.get("expr").asText());
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }
}
