package io.hindsight.iceberg;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * Builds the Iceberg catalog Hindsight writes to from the catalog properties a team already uses
 * ({@code type} or {@code catalog-impl}, {@code warehouse}, {@code uri}, {@code io-impl}, ...),
 * with Iceberg's own loaders. Without {@code type} and {@code catalog-impl} it is a Hadoop catalog
 * over a local warehouse directory.
 */
public final class IcebergCatalogs {

    /** The catalog name Hindsight uses when the spec names none. */
    public static final String DEFAULT_CATALOG_NAME = "hindsight";

    private IcebergCatalogs() {}

    /**
     * The loader for {@code properties} with a default Hadoop configuration (which reads {@code
     * core-site.xml}/{@code hdfs-site.xml} from the classpath, as Hadoop always does).
     *
     * @param defaultWarehouse the warehouse of the Hadoop catalog when {@code properties} name
     *     neither a catalog type nor an implementation, or name type {@code hadoop} without a
     *     {@code warehouse}
     */
    public static CatalogLoader loader(
            String catalogName, Map<String, String> properties, Path defaultWarehouse) {
        return loader(catalogName, properties, new Configuration(), defaultWarehouse);
    }

    /** As {@link #loader(String, Map, Path)}, with the given Hadoop configuration. */
    public static CatalogLoader loader(
            String catalogName,
            Map<String, String> properties,
            Configuration hadoopConf,
            Path defaultWarehouse) {
        Objects.requireNonNull(catalogName, "catalogName");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(hadoopConf, "hadoopConf");
        Objects.requireNonNull(defaultWarehouse, "defaultWarehouse");
        Map<String, String> props = new LinkedHashMap<>(properties);
        String type = props.get(CatalogUtil.ICEBERG_CATALOG_TYPE);
        String impl = props.get(CatalogProperties.CATALOG_IMPL);
        if (type != null && impl != null) {
            throw new IllegalArgumentException(
                    String.format(
                            "Iceberg catalog '%s': set either 'type' or 'catalog-impl', not both"
                                    + " (type: %s, catalog-impl: %s)",
                            catalogName, type, impl));
        }
        if (impl != null) {
            requireOnClasspath(catalogName, "catalog-impl", impl, "the jar that provides it");
            return CatalogLoader.custom(catalogName, props, hadoopConf, impl);
        }
        String kind =
                type == null
                        ? CatalogUtil.ICEBERG_CATALOG_TYPE_HADOOP
                        : type.toLowerCase(Locale.ROOT);
        switch (kind) {
            case CatalogUtil.ICEBERG_CATALOG_TYPE_HADOOP:
                props.putIfAbsent(
                        CatalogProperties.WAREHOUSE_LOCATION,
                        defaultWarehouse.toAbsolutePath().toUri().toString());
                return CatalogLoader.hadoop(catalogName, hadoopConf, props);
            case CatalogUtil.ICEBERG_CATALOG_TYPE_REST:
                requireProperty(catalogName, kind, props, CatalogProperties.URI);
                return CatalogLoader.rest(catalogName, hadoopConf, props);
            case CatalogUtil.ICEBERG_CATALOG_TYPE_HIVE:
                requireOnClasspath(
                        catalogName,
                        kind,
                        CatalogUtil.ICEBERG_CATALOG_HIVE,
                        "org.apache.iceberg:iceberg-hive-metastore and the Hive metastore client");
                return CatalogLoader.hive(catalogName, hadoopConf, props);
            case CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC:
                requireProperty(catalogName, kind, props, CatalogProperties.URI);
                return custom(catalogName, props, hadoopConf, CatalogUtil.ICEBERG_CATALOG_JDBC);
            case CatalogUtil.ICEBERG_CATALOG_TYPE_GLUE:
                requireOnClasspath(
                        catalogName,
                        kind,
                        CatalogUtil.ICEBERG_CATALOG_GLUE,
                        "org.apache.iceberg:iceberg-aws and the AWS SDK v2 (glue, s3, sts)");
                return custom(catalogName, props, hadoopConf, CatalogUtil.ICEBERG_CATALOG_GLUE);
            case CatalogUtil.ICEBERG_CATALOG_TYPE_NESSIE:
                requireOnClasspath(
                        catalogName,
                        kind,
                        CatalogUtil.ICEBERG_CATALOG_NESSIE,
                        "org.apache.iceberg:iceberg-nessie");
                return custom(catalogName, props, hadoopConf, CatalogUtil.ICEBERG_CATALOG_NESSIE);
            default:
                throw new IllegalArgumentException(
                        String.format(
                                "Iceberg catalog '%s': unknown type '%s' (known: hadoop, hive,"
                                        + " rest, glue, jdbc, nessie; or set 'catalog-impl' to a"
                                        + " Catalog class)",
                                catalogName, type));
        }
    }

    /** A Hadoop catalog over {@code warehouse}, the embedded default. */
    public static CatalogLoader localHadoop(String catalogName, Path warehouse) {
        return loader(catalogName, Map.of(), warehouse);
    }

    private static CatalogLoader custom(
            String catalogName, Map<String, String> props, Configuration conf, String impl) {
        // CatalogUtil.buildIcebergCatalog refuses 'type' together with 'catalog-impl'; the
        // type has done its job once it is resolved to an implementation.
        Map<String, String> withoutType = new LinkedHashMap<>(props);
        withoutType.remove(CatalogUtil.ICEBERG_CATALOG_TYPE);
        return CatalogLoader.custom(catalogName, withoutType, conf, impl);
    }

    private static void requireProperty(
            String catalogName, String kind, Map<String, String> props, String key) {
        String value = props.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    String.format(
                            "Iceberg catalog '%s' of type '%s' needs property '%s'",
                            catalogName, kind, key));
        }
    }

    private static void requireOnClasspath(
            String catalogName, String kind, String className, String artifact) {
        try {
            Class.forName(className, false, IcebergCatalogs.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(
                    String.format(
                            "Iceberg catalog '%s' (%s): class %s is not on the classpath; add %s",
                            catalogName, kind, className, artifact),
                    e);
        }
    }
}
