package io.hindsight.iceberg.maintenance;

import io.hindsight.spec.JobSpec;
import io.hindsight.spec.MaintenanceSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * One maintenance pass over the spec's tables, on an in-process Flink cluster: Iceberg's
 * maintenance streams of every existing table ({@link TableMaintenanceStreams}), each task fired
 * once, the job cancelled when every task of every table has reported success. What {@code
 * ./hindsight maintain SPEC} runs, and what the benchmark and the tests run.
 *
 * <p>Iceberg's maintenance job never ends by itself (its monitor source is unbounded): the pass
 * watches the tasks' success counters ({@link MaintenanceProgress}) and cancels the job then. A
 * task that reports failure fails the pass, with the table and task in the message (the cause is in
 * the log, as Iceberg logs it).
 */
public final class MaintenancePass {

    private static final String REPORTER = "hindsight-maintenance";

    private MaintenancePass() {}

    /** One table's footprint before and after the pass; {@code table} is its role. */
    public record TableResult(
            String table, TableIdentifier id, TableFootprint before, TableFootprint after) {}

    /**
     * What the pass did, table by table in the order of {@link TableMaintenanceStreams#tables}, and
     * how long it took.
     */
    public record Result(List<TableResult> tables, Duration took) {}

    /**
     * Runs the pass.
     *
     * @param flinkConfiguration of the in-process cluster (the CLI's log settings, a test's
     *     temporary directories); the pass adds its metric reporter
     * @param timeout the pass fails when its tasks have not all succeeded by then
     */
    public static Result run(
            JobSpec spec,
            MaintenanceSpec maintenance,
            CatalogLoader loader,
            Configuration flinkConfiguration,
            Duration timeout)
            throws Exception {
        Map<String, TableIdentifier> tables = new LinkedHashMap<>();
        Map<String, TableFootprint> before = new LinkedHashMap<>();
        Catalog catalog = loader.loadCatalog();
        for (Map.Entry<String, TableIdentifier> e :
                TableMaintenanceStreams.existingTables(spec, loader).entrySet()) {
            Table table = catalog.loadTable(e.getValue());
            // A table without a commit has nothing to maintain, and no commit would fire a task.
            if (table.currentSnapshot() != null) {
                tables.put(e.getKey(), e.getValue());
                before.put(e.getKey(), TableFootprint.of(table));
            }
        }
        Instant start = Instant.now();
        if (!tables.isEmpty()) {
            runJob(tables, maintenance, loader, flinkConfiguration, timeout);
        }
        List<TableResult> results = new ArrayList<>();
        for (Map.Entry<String, TableIdentifier> e : tables.entrySet()) {
            results.add(
                    new TableResult(
                            e.getKey(),
                            e.getValue(),
                            before.get(e.getKey()),
                            TableFootprint.of(catalog.loadTable(e.getValue()))));
        }
        if (catalog instanceof java.io.Closeable c) {
            c.close();
        }
        return new Result(results, Duration.between(start, Instant.now()));
    }

    private static void runJob(
            Map<String, TableIdentifier> tables,
            MaintenanceSpec maintenance,
            CatalogLoader loader,
            Configuration flinkConfiguration,
            Duration timeout)
            throws Exception {
        String run = UUID.randomUUID().toString();
        Configuration conf = new Configuration(flinkConfiguration);
        conf.setString(
                "metrics.reporter." + REPORTER + ".factory.class",
                MaintenanceProgress.Factory.class.getName());
        conf.setString(
                "metrics.reporter." + REPORTER + "." + MaintenanceProgress.RUN_PROPERTY, run);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        for (Map.Entry<String, TableIdentifier> e : tables.entrySet()) {
            TableMaintenanceStreams.attach(
                    env,
                    loader,
                    e.getValue(),
                    maintenance,
                    TableMaintenanceStreams.Schedule.NOW,
                    "maintenance-pass-" + e.getKey(),
                    // Short: one task of a table starts this soon after the previous one ended.
                    Duration.ofSeconds(1));
        }
        MaintenanceProgress progress = MaintenanceProgress.of(run);
        JobClient job = env.executeAsync("hindsight maintenance pass");
        int expected = tables.size() * TableMaintenanceStreams.TASKS.size();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                Map<String, Long> failed = progress.failed();
                failed.values().removeIf(n -> n == 0);
                if (!failed.isEmpty()) {
                    throw new IllegalStateException(
                            "maintenance failed: " + failed.keySet() + " (see the log)");
                }
                Map<String, Long> succeeded = progress.succeeded();
                if (succeeded.size() == expected && !succeeded.containsValue(0L)) {
                    return;
                }
                JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
                if (status.isGloballyTerminalState()) {
                    throw new IllegalStateException(
                            "maintenance job ended ("
                                    + status
                                    + ") before every task ran; done: "
                                    + succeeded);
                }
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException(
                            "maintenance did not finish within "
                                    + timeout
                                    + "; done: "
                                    + succeeded);
                }
                // The counters live in this JVM's cluster; looking five times a second costs
                // nothing and ends the pass soon after its last task.
                Thread.sleep(200);
            }
        } finally {
            cancel(job);
            MaintenanceProgress.forget(run);
        }
    }

    private static void cancel(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (!status.isGloballyTerminalState()) {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        try {
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException cancelledOrFailed) {
            // A cancelled job's result is an exception; the pass's own outcome is decided above.
        }
    }
}
