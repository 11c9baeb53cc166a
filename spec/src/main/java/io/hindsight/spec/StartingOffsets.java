package io.hindsight.spec;

/** Where an input starts reading when the job starts without a checkpoint. */
public enum StartingOffsets {
    EARLIEST,
    LATEST,
    /** The consumer group's committed offsets, earliest for partitions without one. */
    COMMITTED
}
