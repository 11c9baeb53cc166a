package io.hindsight.spec;

/** The kind of a model input, which decides how drift and data quality treat it. */
public enum FeatureType {
    NUMERIC,
    CATEGORICAL,
    /** Unstructured text: drift is computed on its numeric projections. */
    TEXT
}
