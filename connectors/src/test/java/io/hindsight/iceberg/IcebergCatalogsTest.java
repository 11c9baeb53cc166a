package io.hindsight.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.util.InstantiationUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IcebergCatalogsTest {

    @TempDir Path dir;

    @Test
    void defaultIsAHadoopCatalogOverTheLocalWarehouse() throws Exception {
        CatalogLoader loader = IcebergCatalogs.loader("hindsight", Map.of(), dir);

        Catalog catalog = loader.loadCatalog();

        assertThat(catalog).isInstanceOf(HadoopCatalog.class);
        assertThat(catalog.name()).isEqualTo("hindsight");
        ((SupportsNamespaces) catalog).createNamespace(Namespace.of("ns"));
        assertThat(Files.isDirectory(dir.resolve("ns"))).isTrue();
    }

    @Test
    void hadoopTypeWithItsOwnWarehouseIgnoresTheDefault() throws Exception {
        Path own = Files.createDirectory(dir.resolve("own"));
        CatalogLoader loader =
                IcebergCatalogs.loader(
                        "lake",
                        Map.of("type", "HADOOP", "warehouse", own.toUri().toString()),
                        dir.resolve("unused"));

        Catalog catalog = loader.loadCatalog();
        ((SupportsNamespaces) catalog).createNamespace(Namespace.of("ns"));

        assertThat(Files.isDirectory(own.resolve("ns"))).isTrue();
        assertThat(Files.exists(dir.resolve("unused"))).isFalse();
    }

    @Test
    void catalogImplIsLoadedByIcebergByClassName() {
        CatalogLoader loader =
                IcebergCatalogs.loader(
                        "custom",
                        Map.of(
                                "catalog-impl",
                                HadoopCatalog.class.getName(),
                                "warehouse",
                                dir.toUri().toString()),
                        dir);

        assertThat(loader.loadCatalog()).isInstanceOf(HadoopCatalog.class);
    }

    @Test
    void loaderSurvivesJavaSerialization() throws Exception {
        CatalogLoader loader = IcebergCatalogs.localHadoop("hindsight", dir);

        CatalogLoader copy = InstantiationUtil.clone(loader);

        assertThat(copy.loadCatalog().name()).isEqualTo("hindsight");
    }

    @Test
    void restCatalogLoaderIsIcebergsOwn() {
        CatalogLoader loader =
                IcebergCatalogs.loader(
                        "rest", Map.of("type", "rest", "uri", "http://localhost:8181"), dir);

        assertThat(loader.toString()).contains("RESTCatalogLoader");
    }

    @Test
    void refusesTypeAndCatalogImplTogether() {
        assertThatThrownBy(
                        () ->
                                IcebergCatalogs.loader(
                                        "lake",
                                        Map.of("type", "rest", "catalog-impl", "com.example.Cat"),
                                        dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Iceberg catalog 'lake': set either 'type' or 'catalog-impl', not both"
                                + " (type: rest, catalog-impl: com.example.Cat)");
    }

    @Test
    void refusesAnUnknownType() {
        assertThatThrownBy(() -> IcebergCatalogs.loader("lake", Map.of("type", "hdfs"), dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Iceberg catalog 'lake': unknown type 'hdfs' (known: hadoop, hive, rest,"
                                + " glue, jdbc, nessie; or set 'catalog-impl' to a Catalog class)");
    }

    @Test
    void restAndJdbcNeedAUri() {
        assertThatThrownBy(() -> IcebergCatalogs.loader("lake", Map.of("type", "rest"), dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Iceberg catalog 'lake' of type 'rest' needs property 'uri'");
        assertThatThrownBy(() -> IcebergCatalogs.loader("lake", Map.of("type", "jdbc"), dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Iceberg catalog 'lake' of type 'jdbc' needs property 'uri'");
    }

    @Test
    void namesTheArtifactWhenTheCatalogClassIsMissing() {
        assertThatThrownBy(
                        () ->
                                IcebergCatalogs.loader(
                                        "lake",
                                        Map.of("type", "glue", "warehouse", "s3://bucket/wh"),
                                        dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Iceberg catalog 'lake' (glue): class"
                                + " org.apache.iceberg.aws.glue.GlueCatalog is not on the"
                                + " classpath; add org.apache.iceberg:iceberg-aws and the AWS"
                                + " SDK v2 (glue, s3, sts)");
        assertThatThrownBy(
                        () ->
                                IcebergCatalogs.loader(
                                        "lake", Map.of("catalog-impl", "com.example.Cat"), dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Iceberg catalog 'lake' (catalog-impl): class com.example.Cat is not on"
                                + " the classpath; add the jar that provides it");
    }
}
