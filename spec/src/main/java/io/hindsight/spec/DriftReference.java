package io.hindsight.spec;

import java.io.Serializable;
import java.time.Instant;

/**
 * The distribution drift is measured against: the previous {@code windows} windows (ROLLING), a
 * profile file (PROFILE, absolute path), or the predictions table between {@code from} and {@code
 * to} (TABLE). Fields of other types are 0 or null.
 */
public record DriftReference(
        ReferenceType type, int windows, String profileFile, Instant from, Instant to)
        implements Serializable {

    public static DriftReference rolling(int windows) {
        return new DriftReference(ReferenceType.ROLLING, windows, null, null, null);
    }
}
