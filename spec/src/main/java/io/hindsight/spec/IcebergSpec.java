package io.hindsight.spec;

import java.io.Serializable;
import java.util.Map;

/**
 * The Iceberg catalog and tables Hindsight writes; {@code catalogProperties} go unchanged to
 * Iceberg's {@code CatalogUtil.buildIcebergCatalog}.
 */
public record IcebergSpec(
        String catalogName,
        Map<String, String> catalogProperties,
        String namespace,
        TableNames tables)
        implements Serializable {

    public IcebergSpec {
        catalogProperties = Collections2.map(catalogProperties);
    }

    /** Never shows a credential: specs end up in logs and exception messages. */
    @Override
    public String toString() {
        return "IcebergSpec[catalogName="
                + catalogName
                + ", catalogProperties="
                + SpecSecrets.masked(catalogProperties)
                + ", namespace="
                + namespace
                + ", tables="
                + tables
                + "]";
    }
}
