package io.hindsight.iceberg.maintenance;

import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * What a table costs a reader and its storage: the data files a full scan opens, the snapshots (and
 * so manifest lists) its metadata keeps, the size of its current metadata file, and the files and
 * bytes under its location (live, expired-but-kept and orphaned alike).
 *
 * @param filesOnStorage -1 when the table's FileIO cannot list (then also {@code bytesOnStorage})
 */
public record TableFootprint(
        long rows,
        long dataFiles,
        long snapshots,
        long metadataFileBytes,
        long metadataDirBytes,
        long filesOnStorage,
        long bytesOnStorage) {

    /** Measures {@code table} as of its current snapshot. */
    public static TableFootprint of(Table table) {
        table.refresh();
        long rows = 0;
        long dataFiles = 0;
        if (table.currentSnapshot() != null) {
            try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
                for (FileScanTask task : tasks) {
                    dataFiles++;
                    rows += task.file().recordCount();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("Planning a scan of " + table.name(), e);
            }
        }
        long snapshots = 0;
        for (org.apache.iceberg.Snapshot ignored : table.snapshots()) {
            snapshots++;
        }
        String metadataFile =
                ((HasTableOperations) table).operations().current().metadataFileLocation();
        long metadataFileBytes = table.io().newInputFile(metadataFile).getLength();
        long metadataDirBytes = -1;
        long files = -1;
        long bytes = -1;
        if (table.io() instanceof SupportsPrefixOperations io) {
            metadataDirBytes = 0;
            files = 0;
            bytes = 0;
            for (FileInfo f : io.listPrefix(table.location())) {
                files++;
                bytes += f.size();
                // Listed locations may spell the scheme differently (file:/ against file:///).
                if (f.location().contains("/metadata/")) {
                    metadataDirBytes += f.size();
                }
            }
        }
        return new TableFootprint(
                rows, dataFiles, snapshots, metadataFileBytes, metadataDirBytes, files, bytes);
    }
}
