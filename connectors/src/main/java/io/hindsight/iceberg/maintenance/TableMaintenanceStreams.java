package io.hindsight.iceberg.maintenance;

import io.hindsight.iceberg.HindsightTable;
import io.hindsight.spec.CurationRuleSpec;
import io.hindsight.spec.CurationSpec;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.MaintenanceSpec;
import io.hindsight.spec.TableNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.maintenance.api.DeleteOrphanFiles;
import org.apache.iceberg.flink.maintenance.api.ExpireSnapshots;
import org.apache.iceberg.flink.maintenance.api.JdbcLockFactory;
import org.apache.iceberg.flink.maintenance.api.MaintenanceTaskBuilder;
import org.apache.iceberg.flink.maintenance.api.RewriteDataFiles;
import org.apache.iceberg.flink.maintenance.api.TableMaintenance;
import org.apache.iceberg.flink.maintenance.api.TriggerLockFactory;

/**
 * Adds Iceberg's Flink table maintenance ({@link TableMaintenance}) for Hindsight's tables to a job
 * graph: per table, a monitor source that polls the table's commits, Iceberg's trigger manager and
 * three tasks in this order — compaction ({@link RewriteDataFiles}), snapshot expiry ({@link
 * ExpireSnapshots}) and orphan-file removal ({@link DeleteOrphanFiles}). Compaction comes first so
 * that the expiry after it can delete the small files it replaced.
 *
 * <pre>
 *  monitor source(table) ─► trigger manager ─┬─► rewrite data files ──┐
 *   (new snapshots:        (lock, rate limit) ├─► expire snapshots ────┼─► lock remover
 *    commits, files)                          └─► delete orphan files ─┘
 * </pre>
 *
 * <p>The same streams serve the job ({@code maintenance.in-job}, triggers from the spec) and a
 * maintenance pass ({@link MaintenancePass}: every task once).
 */
public final class TableMaintenanceStreams {

    /** The order of the tasks in each table's stream; task index {@code i} is {@code TASKS[i]}. */
    public static final List<String> TASKS =
            List.of("rewrite-data-files", "expire-snapshots", "delete-orphan-files");

    private TableMaintenanceStreams() {}

    /** When each task runs: from the spec's triggers, or every task at once (a pass). */
    public enum Schedule {
        SPEC,
        NOW
    }

    /**
     * The spec's tables that exist in the catalog now, by role (see {@link #tables}), in the order
     * of {@link #tables}. A table no run has created yet (e.g. alerts of a spec without rules) has
     * nothing to maintain.
     */
    public static Map<String, TableIdentifier> existingTables(JobSpec spec, CatalogLoader loader) {
        Map<String, TableIdentifier> out = new LinkedHashMap<>();
        Catalog catalog = loader.loadCatalog();
        try {
            for (Map.Entry<String, TableIdentifier> e : tables(spec).entrySet()) {
                if (catalog.tableExists(e.getValue())) {
                    out.put(e.getKey(), e.getValue());
                }
            }
        } finally {
            close(catalog);
        }
        return out;
    }

    /**
     * Every table of the spec, by role: a {@link HindsightTable}'s default name ({@code
     * predictions}, ..., {@code discovered_slices} when slice discovery is on) or {@code
     * curated_<rule>} for each curation rule's table.
     */
    public static Map<String, TableIdentifier> tables(JobSpec spec) {
        Namespace ns = Namespace.of(spec.iceberg().namespace());
        TableNames names = spec.iceberg().tables();
        Map<String, TableIdentifier> out = new LinkedHashMap<>();
        out.put(role(HindsightTable.PREDICTIONS), TableIdentifier.of(ns, names.predictions()));
        out.put(role(HindsightTable.OUTCOMES), TableIdentifier.of(ns, names.outcomes()));
        out.put(
                role(HindsightTable.UNMATCHED_FEEDBACK),
                TableIdentifier.of(ns, names.unmatchedFeedback()));
        out.put(role(HindsightTable.DRIFT), TableIdentifier.of(ns, names.drift()));
        out.put(role(HindsightTable.METRICS), TableIdentifier.of(ns, names.metrics()));
        out.put(role(HindsightTable.ALERTS), TableIdentifier.of(ns, names.alerts()));
        if (spec.metrics().enabled() && spec.metrics().discovery().enabled()) {
            out.put(
                    role(HindsightTable.DISCOVERED_SLICES),
                    TableIdentifier.of(ns, spec.metrics().discovery().table()));
        }
        for (CurationRuleSpec rule : spec.curation().rules()) {
            out.put(
                    role(HindsightTable.CURATED) + "_" + rule.name(),
                    TableIdentifier.of(
                            ns, CurationSpec.tableName(spec.application(), rule.name())));
        }
        return out;
    }

    private static String role(HindsightTable table) {
        return table.defaultTableName();
    }

    /**
     * Adds the maintenance stream of table {@code id} to {@code env}. The table must exist.
     *
     * @param uidSuffix makes the operators' uids (Iceberg derives them from it); stable per table
     * @param checkInterval the monitor's polling interval and the trigger manager's rate limit
     */
    public static void attach(
            StreamExecutionEnvironment env,
            CatalogLoader loader,
            TableIdentifier id,
            MaintenanceSpec maintenance,
            Schedule schedule,
            String uidSuffix,
            Duration checkInterval) {
        TableMaintenance.Builder builder =
                TableMaintenance.forTable(
                                env,
                                TableLoader.fromCatalog(loader, id),
                                lockFactory(maintenance, id))
                        .uidSuffix(uidSuffix)
                        .rateLimit(checkInterval)
                        // A task that finds the lock taken (the table's previous task still
                        // running) looks again this much later.
                        .lockCheckDelay(checkInterval)
                        .parallelism(1);
        for (MaintenanceTaskBuilder<?> task : tasks(maintenance, schedule, uidSuffix)) {
            builder.add(task);
        }
        try {
            builder.append();
        } catch (IOException e) {
            throw new UncheckedIOException("Adding the maintenance of Iceberg table " + id, e);
        }
    }

    /**
     * The three tasks, in {@link #TASKS} order, configured and scheduled from {@code m}; their
     * operators' uids end in {@code <uidSuffix>-<task>} (Iceberg uses a task's suffix as is, so it
     * must name the table too).
     */
    static List<MaintenanceTaskBuilder<?>> tasks(
            MaintenanceSpec m, Schedule schedule, String uidSuffix) {
        RewriteDataFiles.Builder rewrite =
                RewriteDataFiles.builder()
                        .targetFileSizeBytes(m.targetFileSizeBytes())
                        .minInputFiles(m.compactMinInputFiles())
                        // Large tables commit their compaction in parts, so that one failure
                        // (a conflict, a lost TaskManager) does not waste the whole rewrite.
                        .partialProgressEnabled(true)
                        .partialProgressMaxCommits(10);
        ExpireSnapshots.Builder expire =
                ExpireSnapshots.builder()
                        .maxSnapshotAge(m.expireOlderThan())
                        .retainLast(m.retainLast());
        DeleteOrphanFiles.Builder orphans =
                DeleteOrphanFiles.builder().minAge(m.orphansOlderThan());
        if (schedule == Schedule.NOW) {
            // Any commit fires every task; the monitor's first look back counts the table's
            // recent commits, so each task runs once right after the start.
            rewrite.scheduleOnCommitCount(1);
            expire.scheduleOnCommitCount(1);
            orphans.scheduleOnCommitCount(1);
        } else {
            rewrite.scheduleOnCommitCount(m.compactEveryCommits());
            expire.scheduleOnInterval(m.expireEvery());
            orphans.scheduleOnInterval(m.orphansEvery());
        }
        List<MaintenanceTaskBuilder<?>> tasks = new ArrayList<>();
        tasks.add(rewrite.uidSuffix(uidSuffix + "-" + TASKS.get(0)));
        tasks.add(expire.uidSuffix(uidSuffix + "-" + TASKS.get(1)));
        tasks.add(orphans.uidSuffix(uidSuffix + "-" + TASKS.get(2)));
        return tasks;
    }

    /**
     * The spec's JDBC lock, one lock id per table; {@code null} without one, which makes Iceberg
     * use the lock its operator coordinator holds in Flink's job manager (one job only).
     */
    static TriggerLockFactory lockFactory(MaintenanceSpec m, TableIdentifier id) {
        if (m.lockJdbcUri() == null) {
            return null;
        }
        Map<String, String> properties = new HashMap<>(m.lockProperties());
        properties.putIfAbsent(JdbcLockFactory.INIT_LOCK_TABLES_PROPERTY, "true");
        return new JdbcLockFactory(m.lockJdbcUri(), id.toString(), properties);
    }

    private static void close(Catalog catalog) {
        if (catalog instanceof java.io.Closeable c) {
            try {
                c.close();
            } catch (IOException e) {
                throw new UncheckedIOException("Closing the Iceberg catalog", e);
            }
        }
    }
}
