package io.hindsight.spec;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;

/**
 * Iceberg table maintenance of the application's tables (spec section {@code maintenance}):
 * small-file compaction, snapshot expiry and orphan-file removal, each run by Iceberg's Flink
 * maintenance API when its trigger fires.
 *
 * @param inJob whether the feedback join job runs maintenance beside its writers (streaming runs
 *     only); {@code ./hindsight maintain SPEC} runs one pass regardless
 * @param checkInterval how often the tables are polled for new commits, and the least time between
 *     two maintenance tasks on one table
 * @param compactEveryCommits compaction runs after this many commits to a table
 * @param targetFileSizeBytes the size compaction writes files of
 * @param compactMinInputFiles a partition is compacted once it has at least this many small files
 * @param expireEvery snapshot expiry runs this often
 * @param expireOlderThan snapshots older than this are expired ...
 * @param retainLast ... but the latest {@code retainLast} snapshots are always kept (and so are
 *     snapshots that a tag or branch references)
 * @param orphansEvery orphan-file removal runs this often
 * @param orphansOlderThan files no snapshot references that are older than this are deleted
 * @param lockJdbcUri the JDBC URL of the lock database all maintenance of these tables shares;
 *     {@code null}: the lock of Flink's job manager, which holds within one job only
 * @param lockProperties JDBC properties of the lock database (user, password, ...)
 */
public record MaintenanceSpec(
        boolean inJob,
        Duration checkInterval,
        int compactEveryCommits,
        long targetFileSizeBytes,
        int compactMinInputFiles,
        Duration expireEvery,
        Duration expireOlderThan,
        int retainLast,
        Duration orphansEvery,
        Duration orphansOlderThan,
        String lockJdbcUri,
        Map<String, String> lockProperties)
        implements Serializable {

    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofMinutes(1);
    public static final int DEFAULT_COMPACT_EVERY_COMMITS = 50;
    public static final long DEFAULT_TARGET_FILE_SIZE_BYTES = 128L * 1024 * 1024;
    public static final int DEFAULT_COMPACT_MIN_INPUT_FILES = 5;
    public static final Duration DEFAULT_EXPIRE_EVERY = Duration.ofHours(1);
    public static final Duration DEFAULT_EXPIRE_OLDER_THAN = Duration.ofDays(7);
    public static final int DEFAULT_RETAIN_LAST = 100;
    public static final Duration DEFAULT_ORPHANS_EVERY = Duration.ofDays(1);
    public static final Duration DEFAULT_ORPHANS_OLDER_THAN = Duration.ofDays(3);

    public MaintenanceSpec {
        lockProperties = Collections2.map(lockProperties);
    }

    /** Every default; maintenance not in the job. What a spec without the section gets. */
    public static MaintenanceSpec defaults() {
        return new MaintenanceSpec(
                false,
                DEFAULT_CHECK_INTERVAL,
                DEFAULT_COMPACT_EVERY_COMMITS,
                DEFAULT_TARGET_FILE_SIZE_BYTES,
                DEFAULT_COMPACT_MIN_INPUT_FILES,
                DEFAULT_EXPIRE_EVERY,
                DEFAULT_EXPIRE_OLDER_THAN,
                DEFAULT_RETAIN_LAST,
                DEFAULT_ORPHANS_EVERY,
                DEFAULT_ORPHANS_OLDER_THAN,
                null,
                Map.of());
    }

    /** Never shows a lock database credential. */
    @Override
    public String toString() {
        return "MaintenanceSpec[inJob="
                + inJob
                + ", checkInterval="
                + checkInterval
                + ", compactEveryCommits="
                + compactEveryCommits
                + ", targetFileSizeBytes="
                + targetFileSizeBytes
                + ", compactMinInputFiles="
                + compactMinInputFiles
                + ", expireEvery="
                + expireEvery
                + ", expireOlderThan="
                + expireOlderThan
                + ", retainLast="
                + retainLast
                + ", orphansEvery="
                + orphansEvery
                + ", orphansOlderThan="
                + orphansOlderThan
                + ", lockJdbcUri="
                + lockJdbcUri
                + ", lockProperties="
                + SpecSecrets.masked(lockProperties)
                + "]";
    }
}
