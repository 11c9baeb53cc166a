package io.hindsight.spec;

import java.io.Serializable;
import java.util.List;

/**
 * A model input watched for drift and data quality. {@code projections} only for TEXT; {@code
 * min}/{@code max} (expected range, may be null) only for NUMERIC.
 */
public record FeatureSpec(
        String name,
        FieldPath path,
        FeatureType type,
        List<TextProjection> projections,
        Double min,
        Double max)
        implements Serializable {

    public FeatureSpec {
        projections = Collections2.list(projections);
    }
}
