package io.hindsight.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecCatalogTest {

    @TempDir Path dir;

    static JobSpec spec(String iceberg) {
        return SpecLoader.parse(
                """
                version: 1
                application: fraud
                kafka: {bootstrap-servers: localhost:9092}
                inputs:
                  predictions:
                    topic: p
                    format: json
                    fields: {join-key: id, event-time: ts, model-name: m, model-version: v}
                  feedback:
                    topic: f
                    format: json
                    fields: {join-key: id, event-time: ts}
                join: {label-window: 60d}
                """
                        + iceberg,
                Map.of());
    }

    @Test
    void theCatalogTheSpecNamesIsLoaded() throws Exception {
        JobSpec spec =
                spec(
                        "iceberg:\n  catalog-name: lake\n  catalog: {type: hadoop, warehouse: '"
                                + dir.toUri()
                                + "'}\n");

        Catalog catalog = SpecCatalog.loader(spec).loadCatalog();
        ((SupportsNamespaces) catalog).createNamespace(Namespace.of("ns"));

        assertThat(catalog).isInstanceOf(HadoopCatalog.class);
        assertThat(catalog.name()).isEqualTo("lake");
        assertThat(Files.isDirectory(dir.resolve("ns"))).isTrue();
    }

    @Test
    void withoutACatalogTheWarehouseIsUnderTheWorkingDirectory() {
        CatalogLoader loader = SpecCatalog.loader(spec(""));

        assertThat(loader.toString())
                .contains("hindsight")
                .contains(Path.of("").toAbsolutePath().resolve(".hindsight/warehouse").toString());
    }
}
