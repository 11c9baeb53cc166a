package io.hindsight.iceberg;

import io.hindsight.spec.IcebergSpec;
import io.hindsight.spec.JobSpec;
import java.nio.file.Path;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * The Iceberg catalog a job spec names: where the job's sinks, drift's table reference, the command
 * line and batch SQL all get it, so that none of them has to reach into the job's wiring for it.
 */
public final class SpecCatalog {

    /**
     * The warehouse of the Hadoop catalog when the spec names no catalog type: {@code
     * .hindsight/warehouse} under the working directory.
     */
    public static final Path DEFAULT_WAREHOUSE = Path.of(".hindsight", "warehouse");

    private SpecCatalog() {}

    /** The loader of the catalog {@code spec.iceberg()} names. */
    public static CatalogLoader loader(JobSpec spec) {
        return loader(spec.iceberg());
    }

    /** The loader of the catalog {@code iceberg} names. */
    public static CatalogLoader loader(IcebergSpec iceberg) {
        return IcebergCatalogs.loader(
                iceberg.catalogName(),
                iceberg.catalogProperties(),
                DEFAULT_WAREHOUSE.toAbsolutePath());
    }
}
