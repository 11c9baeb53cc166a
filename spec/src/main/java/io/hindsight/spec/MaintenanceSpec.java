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

    public MaintenanceSpec {
        lockProperties = Collections2.map(lockProperties);
    }

    /** Every default ({@link SpecDefaults#maintenance()}): what a spec without the section gets. */
    public static MaintenanceSpec defaults() {
        return SpecDefaults.maintenance();
    }

    /** The same with other expiry settings (benchmarks and tests age tables in seconds). */
    public MaintenanceSpec withExpiry(Duration olderThan, int retainLast) {
        return new MaintenanceSpec(
                inJob,
                checkInterval,
                compactEveryCommits,
                targetFileSizeBytes,
                compactMinInputFiles,
                expireEvery,
                olderThan,
                retainLast,
                orphansEvery,
                orphansOlderThan,
                lockJdbcUri,
                lockProperties);
    }

    /** The same with another orphan age. */
    public MaintenanceSpec withOrphansOlderThan(Duration olderThan) {
        return new MaintenanceSpec(
                inJob,
                checkInterval,
                compactEveryCommits,
                targetFileSizeBytes,
                compactMinInputFiles,
                expireEvery,
                expireOlderThan,
                retainLast,
                orphansEvery,
                olderThan,
                lockJdbcUri,
                lockProperties);
    }

    /** The same with another least number of files per compacted partition. */
    public MaintenanceSpec withCompactMinInputFiles(int minInputFiles) {
        return new MaintenanceSpec(
                inJob,
                checkInterval,
                compactEveryCommits,
                targetFileSizeBytes,
                minInputFiles,
                expireEvery,
                expireOlderThan,
                retainLast,
                orphansEvery,
                orphansOlderThan,
                lockJdbcUri,
                lockProperties);
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
                + SpecSecrets.maskUrl(lockJdbcUri)
                + ", lockProperties="
                + SpecSecrets.masked(lockProperties)
                + "]";
    }
}
