package io.hindsight.iceberg;

import io.hindsight.spec.JobSpec;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.configuration.BatchExecutionOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.api.config.TableConfigOptions;
import org.apache.flink.table.api.internal.TableResultInternal;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.utils.print.PrintStyle;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkCatalog;
import org.apache.iceberg.flink.FlinkConfigOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that builds the batch Flink SQL session over Hindsight's Iceberg tables, used by
 * {@code ./hindsight query}, {@code ./hindsight profile}, the demo's report and the tests.
 *
 * <p>It is configured on purpose rather than with Flink's local defaults, because with those the
 * plan and its memory depended on how many files the tables' commits happened to write: Iceberg
 * inferred each scan's parallelism from its splits, the in-process cluster got as many slots as the
 * widest scan, and its default 128 MB of managed memory, split over those slots and then over the
 * hash join, hash aggregates and sorts sharing a slot, left an aggregate less than the 1 MB its
 * hash map needs ({@code The minBucketMemorySize is not valid!}). Here:
 *
 * <ul>
 *   <li>parallelism is fixed ({@value #PARALLELISM}, also for scans: no inference from file counts,
 *       no adaptive auto-parallelism), so the same query gets the same plan on every machine and
 *       after every number of commits;
 *   <li>each of the {@value #PARALLELISM} slots has {@link #MANAGED_MEMORY_PER_SLOT} of managed
 *       memory, and each hash join, hash aggregate and sort reserves {@link #OPERATOR_MEMORY} of it
 *       as its weight: the several such operators of one query that share a slot each get several
 *       MB, far above the hash map's minimum, and spill beyond it;
 *   <li>the session time zone is UTC, the zone of the tables' day partitions and of the demo's
 *       dates.
 * </ul>
 *
 * <p>The Iceberg catalog is registered through Flink's Catalog API ({@link FlinkCatalog} over
 * Iceberg's {@link CatalogLoader}), never through a {@code CREATE CATALOG} statement, and the
 * catalog's properties are not handed to {@link FlinkCatalog} (which would copy them into every
 * table's options): no catalog property, a credential among them, appears in SQL text, in a table's
 * options or in a Flink error.
 *
 * <p>A query that fails (to plan or to run) raises {@link SqlQueryException}, whose message is one
 * line with the reason and where the full log is; the whole failure goes to the log.
 */
public final class IcebergBatchSql {

    private static final Logger LOG = LoggerFactory.getLogger(IcebergBatchSql.class);

    /** Parallelism of every operator, scans included. */
    public static final int PARALLELISM = 2;

    /** Managed memory of each slot, shared by the memory-using operators of a query. */
    public static final MemorySize MANAGED_MEMORY_PER_SLOT = MemorySize.ofMebiBytes(256);

    /**
     * What a hash join, hash aggregate or sort declares it needs; the planner uses it as the
     * operator's share of its slot's managed memory, not as an absolute amount.
     */
    public static final MemorySize OPERATOR_MEMORY = MemorySize.ofMebiBytes(64);

    private final TableEnvironment tables;
    private final Path log;

    private IcebergBatchSql(TableEnvironment tables, Path log) {
        this.tables = tables;
        this.log = log;
    }

    /**
     * A session with {@code catalogName} (through {@code loader}) as current catalog and {@code
     * namespace} as current database.
     *
     * @param log where the process's log goes, named in every {@link SqlQueryException}
     */
    public static IcebergBatchSql open(
            String catalogName, CatalogLoader loader, String namespace, Path log) {
        Objects.requireNonNull(catalogName, "catalogName");
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(log, "log");
        TableEnvironment tables =
                TableEnvironment.create(
                        EnvironmentSettings.newInstance()
                                .inBatchMode()
                                .withConfiguration(configuration())
                                .build());
        // Cache off: a session reads the tables as they are now, also while a job commits.
        FlinkCatalog catalog =
                new FlinkCatalog(
                        catalogName, namespace, Namespace.empty(), loader, Map.of(), false, -1);
        tables.registerCatalog(catalogName, catalog);
        tables.useCatalog(catalogName);
        tables.useDatabase(namespace);
        return new IcebergBatchSql(tables, log);
    }

    /**
     * A session over {@code spec}'s tables: its catalog (through {@code loader}, built from the
     * spec's catalog properties) and namespace.
     */
    public static IcebergBatchSql open(JobSpec spec, CatalogLoader loader, Path log) {
        return open(spec.iceberg().catalogName(), loader, spec.iceberg().namespace(), log);
    }

    /** The options of every session; see the class comment for why each is set. */
    public static Configuration configuration() {
        Configuration c = new Configuration();
        c.set(CoreOptions.DEFAULT_PARALLELISM, PARALLELISM);
        c.set(ExecutionConfigOptions.TABLE_EXEC_RESOURCE_DEFAULT_PARALLELISM, PARALLELISM);
        c.set(FlinkConfigOptions.TABLE_EXEC_ICEBERG_INFER_SOURCE_PARALLELISM, false);
        c.set(BatchExecutionOptions.ADAPTIVE_AUTO_PARALLELISM_ENABLED, false);
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, PARALLELISM);
        c.set(
                TaskManagerOptions.MANAGED_MEMORY_SIZE,
                MemorySize.ofMebiBytes(MANAGED_MEMORY_PER_SLOT.getMebiBytes() * PARALLELISM));
        c.set(ExecutionConfigOptions.TABLE_EXEC_RESOURCE_HASH_JOIN_MEMORY, OPERATOR_MEMORY);
        c.set(ExecutionConfigOptions.TABLE_EXEC_RESOURCE_HASH_AGG_MEMORY, OPERATOR_MEMORY);
        c.set(ExecutionConfigOptions.TABLE_EXEC_RESOURCE_SORT_MEMORY, OPERATOR_MEMORY);
        c.set(ExecutionConfigOptions.TABLE_EXEC_RESOURCE_EXTERNAL_BUFFER_MEMORY, OPERATOR_MEMORY);
        c.set(TableConfigOptions.LOCAL_TIME_ZONE, "UTC");
        return c;
    }

    /** The underlying session, for what the methods here do not cover. */
    public TableEnvironment tableEnvironment() {
        return tables;
    }

    /** All rows of {@code query}. */
    public List<Row> rows(String query) {
        try (CloseableIterator<Row> it = tables.executeSql(query).collect()) {
            List<Row> rows = new ArrayList<>();
            it.forEachRemaining(rows::add);
            return rows;
        } catch (Exception e) {
            throw failed(query, e);
        }
    }

    /**
     * Prints {@code query}'s result to {@code out} as Flink's {@code print()} does (a table whose
     * columns are as wide as their values, nulls empty) and returns the number of rows. Every row
     * is read before the first is printed, so a failing query prints nothing but the error.
     */
    public long print(String query, PrintStream out) {
        List<RowData> rows = new ArrayList<>();
        TableResultInternal result;
        try {
            result = (TableResultInternal) tables.executeSql(query);
            try (CloseableIterator<RowData> it = result.collectInternal()) {
                it.forEachRemaining(rows::add);
            }
        } catch (Exception e) {
            throw failed(query, e);
        }
        PrintWriter writer = new PrintWriter(out, true);
        PrintStyle.tableauWithDataInferredColumnWidths(
                        result.getResolvedSchema(),
                        result.getRowDataToStringConverter(),
                        PrintStyle.DEFAULT_MAX_COLUMN_WIDTH,
                        true,
                        false)
                .print(rows.iterator(), writer);
        writer.flush();
        return rows.size();
    }

    private SqlQueryException failed(String query, Exception e) {
        LOG.error("Flink SQL query failed: {}", query, e);
        return new SqlQueryException(SqlQueryException.reason(e), log, e);
    }
}
