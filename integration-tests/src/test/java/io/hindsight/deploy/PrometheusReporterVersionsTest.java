package io.hindsight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginManager;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.MetricRegistryConfiguration;
import org.apache.flink.runtime.metrics.MetricRegistryImpl;
import org.apache.flink.runtime.metrics.ReporterSetup;
import org.apache.flink.runtime.metrics.ReporterSetupBuilder;
import org.apache.flink.runtime.metrics.filter.DefaultReporterFilters;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which published {@code flink-metrics-prometheus} works as a reporter on this project's Flink
 * (2.1.1, for which none is published): each version is loaded exactly as a Flink distribution
 * loads it, through the plugin mechanism from its own {@code plugins/metrics-prometheus} folder
 * (the build copies the jars; none is on this test's classpath), instantiated from configuration by
 * Flink 2.1.1's reporter setup, handed Flink 2.1.1's own operator metric groups, and scraped over
 * HTTP. All three pass; the root pom pins 2.0.0.
 */
class PrometheusReporterVersionsTest {

    @ParameterizedTest
    @ValueSource(strings = {"2.0.0", "2.2.0", "2.3.0"})
    void reporterLoadsAsAPluginAndServesFlinkMetrics(String version) throws Exception {
        Path plugins = Path.of(System.getProperty("hindsight.flink.plugins")).resolve(version);
        assertThat(plugins.resolve("metrics-prometheus").resolve(jarName(version)))
                .as("copied by the build")
                .isRegularFile();
        assertThat(reporterOnClasspath())
                .as("the reporter must come from the plugin folder alone")
                .isFalse();

        int port = freePort();
        Configuration config = new Configuration();
        config.set(MetricOptions.REPORTERS_LIST, "prom");
        config.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        config.setString("metrics.reporter.prom.port", Integer.toString(port));

        PluginManager pluginManager =
                new DefaultPluginManager(
                        new DirectoryBasedPluginFinder(plugins).findPlugins(),
                        CoreOptions.getPluginParentFirstLoaderPatterns(config));
        List<ReporterSetup> setups =
                ReporterSetupBuilder.METRIC_SETUP_BUILDER.fromConfiguration(
                        config, DefaultReporterFilters::metricsFromConfiguration, pluginManager);
        assertThat(setups).hasSize(1);
        assertThat(setups.get(0).getReporter().getClass().getClassLoader())
                .as("loaded by a plugin class loader")
                .isNotSameAs(getClass().getClassLoader());

        MetricRegistryImpl registry =
                new MetricRegistryImpl(
                        MetricRegistryConfiguration.fromConfiguration(config, Long.MAX_VALUE),
                        setups);
        try {
            TaskManagerMetricGroup tm =
                    TaskManagerMetricGroup.createTaskManagerMetricGroup(
                            registry, "localhost", ResourceID.generate());
            TaskMetricGroup task =
                    tm.addJob(new JobID(), "hindsight: fraud")
                            .addTask(ExecutionAttemptID.randomId(), "feedback-join");
            MetricGroup hindsight = task.getOrAddOperator("feedback-join").addGroup("hindsight");
            Counter labeled = hindsight.counter("outcomesLabeled");
            labeled.inc(7);
            hindsight.gauge("predictionsWaiting", (Gauge<Long>) () -> 42L);

            String scrape = scrape(port);
            // Label values are filtered like names: the job "hindsight: fraud" is
            // "hindsight:_fraud".
            assertThat(scrape)
                    .contains(
                            "# TYPE flink_taskmanager_job_task_operator_hindsight_outcomesLabeled")
                    .containsPattern(
                            "(?m)^flink_taskmanager_job_task_operator_hindsight_outcomesLabeled\\{"
                                    + "[^}]*job_name=\"hindsight:_fraud\"[^}]*\\} 7\\.0$")
                    .containsPattern(
                            "(?m)^flink_taskmanager_job_task_operator_hindsight_predictionsWaiting"
                                    + "\\{[^}]*operator_name=\"feedback_join\"[^}]*\\} 42\\.0$");
        } finally {
            registry.closeAsync().get();
        }
    }

    private static String jarName(String version) {
        return "flink-metrics-prometheus-" + version + ".jar";
    }

    private static boolean reporterOnClasspath() {
        return PrometheusReporterVersionsTest.class
                        .getClassLoader()
                        .getResource("org/apache/flink/metrics/prometheus/PrometheusReporter.class")
                != null;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
