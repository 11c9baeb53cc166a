package io.hindsight.spec;

/** Where the drift reference distribution comes from. */
public enum ReferenceType {
    /** The previous N windows of the same stream. */
    ROLLING,
    /** A profile file, e.g. built from the training set by {@code hindsight profile}. */
    PROFILE,
    /** A time range of the application's Iceberg predictions table. */
    TABLE
}
