package io.hindsight.iceberg.maintenance;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * How far a {@link MaintenancePass} has got: the succeeded and failed task counters that Iceberg's
 * maintenance operators register ({@code maintenance.<tableName>.<taskName>.<taskIndex>
 * .succeededTasks}), read through a Flink metric reporter of the in-process cluster. Iceberg's
 * maintenance stream returns no result stream to its caller; its metrics are the one public account
 * of which task ran and how it ended.
 *
 * <p>The reporter is configured with a run id ({@code metrics.reporter.<name>.run}); each pass
 * reads the counters of its own run.
 */
public final class MaintenanceProgress {

    static final String SUCCEEDED = "succeededTasks";
    static final String FAILED = "failedTasks";
    static final String RUN_PROPERTY = "run";

    private static final Map<String, MaintenanceProgress> RUNS = new ConcurrentHashMap<>();

    private final Map<String, Counter> succeeded = new ConcurrentHashMap<>();
    private final Map<String, Counter> failed = new ConcurrentHashMap<>();

    private MaintenanceProgress() {}

    /** The progress of run {@code run}, created on first use. */
    static MaintenanceProgress of(String run) {
        return RUNS.computeIfAbsent(run, r -> new MaintenanceProgress());
    }

    static void forget(String run) {
        RUNS.remove(run);
    }

    /** Succeeded runs by {@code <table>/<task>}, for the tasks whose counters are registered. */
    Map<String, Long> succeeded() {
        return counts(succeeded);
    }

    /** Failed runs by {@code <table>/<task>}. */
    Map<String, Long> failed() {
        return counts(failed);
    }

    private static Map<String, Long> counts(Map<String, Counter> counters) {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, c) -> out.put(k, c.getCount()));
        return out;
    }

    private void added(Metric metric, String name, MetricGroup group) {
        if (!(metric instanceof Counter counter)) {
            return;
        }
        Map<String, String> vars = group.getAllVariables();
        String table = vars.get("<tableName>");
        String task = vars.get("<taskName>");
        if (table == null || task == null) {
            return;
        }
        String key = table + "/" + task;
        if (SUCCEEDED.equals(name)) {
            succeeded.put(key, counter);
        } else if (FAILED.equals(name)) {
            failed.put(key, counter);
        }
    }

    /** The reporter; {@code metrics.reporter.<name>.factory.class} names {@link Factory}. */
    public static final class Reporter implements MetricReporter {
        private MaintenanceProgress progress;

        @Override
        public void open(MetricConfig config) {
            progress = of(config.getString(RUN_PROPERTY, "default"));
        }

        @Override
        public void close() {}

        @Override
        public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
            progress.added(metric, name, group);
        }

        @Override
        public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}
    }

    /** Creates {@link Reporter}s. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new Reporter();
        }
    }
}
