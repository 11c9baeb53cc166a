package io.hindsight.iceberg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Hindsight's tables when missing and adds the optional columns a newer Hindsight schema
 * brings; refuses any other difference. Safe when several jobs start at once.
 */
public final class IcebergTables {

    private static final Logger LOG = LoggerFactory.getLogger(IcebergTables.class);

    /**
     * Properties of a table Hindsight creates. Commits happen once per checkpoint and per job; jobs
     * of several applications may commit to the same catalog, so commits retry with backoff for a
     * while instead of failing the checkpoint, and old metadata files are cleaned up.
     */
    public static final Map<String, String> TABLE_PROPERTIES =
            Map.of(
                    TableProperties.FORMAT_VERSION, "2",
                    TableProperties.DEFAULT_FILE_FORMAT, "parquet",
                    TableProperties.UPSERT_ENABLED, "false",
                    TableProperties.COMMIT_NUM_RETRIES, "10",
                    TableProperties.COMMIT_MIN_RETRY_WAIT_MS, "100",
                    TableProperties.COMMIT_MAX_RETRY_WAIT_MS, "10000",
                    TableProperties.COMMIT_TOTAL_RETRY_TIME_MS, "600000",
                    TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
                    TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100");

    /** Schema updates that lose a race with another job are retried on the refreshed table. */
    private static final int SCHEMA_UPDATE_ATTEMPTS = 5;

    private IcebergTables() {}

    /**
     * Returns the table {@code namespace.tableName}, creating the namespace and the table if
     * missing and adding missing optional columns to an existing table.
     *
     * @throws IllegalStateException if the existing table differs from {@code table}'s schema in
     *     anything but missing optional columns
     */
    public static Table ensure(
            Catalog catalog, Namespace namespace, HindsightTable table, String tableName) {
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(tableName, "tableName");
        ensureNamespace(catalog, namespace);
        TableIdentifier id = TableIdentifier.of(namespace, tableName);
        Table existing;
        if (catalog.tableExists(id)) {
            existing = catalog.loadTable(id);
        } else {
            try {
                Table created =
                        catalog.buildTable(id, table.schema())
                                .withPartitionSpec(table.spec())
                                .withProperties(TABLE_PROPERTIES)
                                .create();
                LOG.info("Created Iceberg table {} for {}", id, table);
                return created;
            } catch (AlreadyExistsException e) {
                LOG.info("Iceberg table {} was created concurrently; loading it", id);
                existing = catalog.loadTable(id);
            }
        }
        return evolve(id, existing, table);
    }

    private static void ensureNamespace(Catalog catalog, Namespace namespace) {
        if (namespace.isEmpty() || !(catalog instanceof SupportsNamespaces)) {
            return;
        }
        SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
        if (!namespaces.namespaceExists(namespace)) {
            try {
                namespaces.createNamespace(namespace);
                LOG.info("Created Iceberg namespace {}", namespace);
            } catch (AlreadyExistsException e) {
                LOG.info("Iceberg namespace {} was created concurrently", namespace);
            }
        }
    }

    private static Table evolve(TableIdentifier id, Table existing, HindsightTable table) {
        for (int attempt = 1; ; attempt++) {
            List<Types.NestedField> missing = missingColumns(id, existing.schema(), table);
            if (missing.isEmpty()) {
                return existing;
            }
            UpdateSchema update = existing.updateSchema();
            List<Types.NestedField> wanted = table.schema().columns();
            for (Types.NestedField column : missing) {
                update.addColumn(column.name(), column.type(), column.doc());
                // Keep Hindsight's column order, so that SELECT * reads the same everywhere.
                int position = wanted.indexOf(column);
                if (position == 0) {
                    update.moveFirst(column.name());
                } else {
                    update.moveAfter(column.name(), wanted.get(position - 1).name());
                }
            }
            try {
                update.commit();
                LOG.info(
                        "Added columns {} to Iceberg table {}",
                        missing.stream().map(Types.NestedField::name).toList(),
                        id);
                return existing;
            } catch (CommitFailedException e) {
                if (attempt >= SCHEMA_UPDATE_ATTEMPTS) {
                    throw e;
                }
                LOG.info("Schema update of {} lost a race (attempt {}); retrying", id, attempt);
                existing.refresh();
            }
        }
    }

    /**
     * The optional columns of {@code table} that {@code current} lacks, or an exception listing
     * every other difference.
     */
    static List<Types.NestedField> missingColumns(
            TableIdentifier id, Schema current, HindsightTable table) {
        List<Types.NestedField> missing = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Types.NestedField wanted : table.schema().columns()) {
            Types.NestedField have = current.findField(wanted.name());
            if (have == null) {
                if (wanted.isRequired()) {
                    problems.add(
                            String.format(
                                    "column '%s' (%s) is missing and required, so it cannot be"
                                            + " added",
                                    wanted.name(), describe(wanted.type())));
                } else {
                    missing.add(wanted);
                }
                continue;
            }
            String haveType = describe(have.type());
            String wantedType = describe(wanted.type());
            if (!haveType.equals(wantedType)) {
                problems.add(
                        String.format(
                                "column '%s' has type %s in the table, %s in Hindsight's schema",
                                wanted.name(), haveType, wantedType));
            }
            if (have.isOptional() != wanted.isOptional()) {
                problems.add(
                        String.format(
                                "column '%s' is %s in the table, %s in Hindsight's schema",
                                wanted.name(), nullability(have), nullability(wanted)));
            }
        }
        for (Types.NestedField have : current.columns()) {
            if (table.schema().findField(have.name()) == null) {
                problems.add(
                        String.format(
                                "column '%s' (%s) is not in Hindsight's schema",
                                have.name(), describe(have.type())));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(
                    String.format(
                            "Iceberg table %s does not match Hindsight's %s schema: %s (only"
                                    + " missing optional columns are added automatically)",
                            id, table, String.join("; ", problems)));
        }
        return missing;
    }

    private static String nullability(Types.NestedField field) {
        return field.isOptional() ? "optional" : "required";
    }

    /** A type's shape without field ids, nullability of nested values included. */
    static String describe(Type type) {
        if (type.isPrimitiveType()) {
            return type.toString();
        }
        if (type.isMapType()) {
            Types.MapType map = type.asMapType();
            return String.format(
                    "map<%s, %s%s>",
                    describe(map.keyType()),
                    describe(map.valueType()),
                    map.isValueOptional() ? "" : " not null");
        }
        if (type.isListType()) {
            Types.ListType list = type.asListType();
            return String.format(
                    "list<%s%s>",
                    describe(list.elementType()), list.isElementOptional() ? "" : " not null");
        }
        return type.asStructType().fields().stream()
                .map(
                        f ->
                                f.name()
                                        + ": "
                                        + describe(f.type())
                                        + (f.isOptional() ? "" : " not null"))
                .collect(Collectors.joining(", ", "struct<", ">"));
    }
}
