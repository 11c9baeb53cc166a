package io.hindsight.iceberg;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.IcebergSink;

/**
 * Appends a stream of Hindsight records to its Iceberg table with Iceberg's Sink V2, committing
 * once per Flink checkpoint (exactly once).
 */
public final class IcebergSinks {

    private IcebergSinks() {}

    /**
     * Ensures the table exists ({@link IcebergTables#ensure}) and appends {@code records} to it.
     *
     * <p>Operators get uids and names from {@code uidPrefix}: {@code <uidPrefix>-to-rowdata} for
     * the conversion and {@code <uidPrefix>-iceberg} as the sink's uid suffix (the sink derives its
     * writer's and committer's uids from it). Changing the prefix loses the sink's state in
     * savepoints.
     *
     * @param writeParallelism parallelism of the Iceberg writers; the committer runs once
     */
    public static <T extends SpecificRecord> DataStreamSink<RowData> append(
            DataStream<T> records,
            HindsightTable table,
            CatalogLoader loader,
            TableIdentifier id,
            String uidPrefix,
            int writeParallelism) {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(uidPrefix, "uidPrefix");
        Class<T> recordType = records.getType().getTypeClass();
        if (!table.recordClass().isAssignableFrom(recordType)) {
            throw new IllegalArgumentException(
                    String.format(
                            "Iceberg table %s (%s) is written from %s, not %s",
                            id, table, table.recordClass().getName(), recordType.getName()));
        }
        if (writeParallelism < 1) {
            throw new IllegalArgumentException(
                    "writeParallelism must be at least 1, was " + writeParallelism);
        }
        ensure(loader, id, table);

        DataStream<RowData> rows =
                records.map(new ToRowData<T>(table))
                        .uid(uidPrefix + "-to-rowdata")
                        .name(uidPrefix + ": " + table.defaultTableName() + " to RowData");
        return IcebergSink.forRowData(rows)
                .tableLoader(TableLoader.fromCatalog(loader, id))
                // The rows carry Hindsight's schema; the sink matches it to the table's columns
                // by name, so column order in the table does not matter.
                .resolvedSchema(FlinkSchemaUtil.toResolvedSchema(table.rowType()))
                .overwrite(false)
                .upsert(false)
                // Rows go to the writer of their subtask: hashing by day would send almost all
                // of a stream's rows, which are mostly of the current day, to a single writer.
                .distributionMode(DistributionMode.NONE)
                .writeParallelism(writeParallelism)
                .uidSuffix(uidPrefix + "-iceberg")
                .append()
                .name(uidPrefix + ": Iceberg " + id);
    }

    private static void ensure(CatalogLoader loader, TableIdentifier id, HindsightTable table) {
        Catalog catalog = loader.loadCatalog();
        try (Closeable closer = catalog instanceof Closeable c ? c : () -> {}) {
            IcebergTables.ensure(catalog, id.namespace(), table, id.name());
        } catch (IOException e) {
            throw new UncheckedIOException("Closing Iceberg catalog after ensuring " + id, e);
        }
    }
}
