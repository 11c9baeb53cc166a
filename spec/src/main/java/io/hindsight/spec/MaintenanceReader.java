package io.hindsight.spec;

import io.hindsight.spec.ValueReader.Obj;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the {@code maintenance} section: whether the job maintains its tables, and the triggers and
 * limits of compaction, snapshot expiry and orphan-file removal, and the lock.
 */
final class MaintenanceReader {

    private static final Pattern JDBC_URL = Pattern.compile("jdbc:[a-z0-9]+:.+");
    private static final String JDBC_EXPECTED =
            "expected a JDBC URL, e.g. jdbc:postgresql://db:5432/locks";
    private static final int MAX_FILE_SIZE_MB = 1024 * 1024;

    private MaintenanceReader() {}

    static MaintenanceSpec read(ValueReader r, Node node, String path) {
        MaintenanceSpec d = SpecDefaults.maintenance();
        Obj o = node == null ? null : r.obj(node, path);
        if (o == null) {
            return d;
        }
        boolean inJob = ValueReader.nonNull(r.bool(o, "in-job", d.inJob()), d.inJob());
        Duration check = r.duration(o, "check-interval", d.checkInterval());

        Obj c = r.obj(o.optional("compaction"), o.child("compaction"));
        int everyCommits = d.compactEveryCommits();
        long targetBytes = d.targetFileSizeBytes();
        int minFiles = d.compactMinInputFiles();
        if (c != null) {
            everyCommits = r.integer(c, "every-commits", everyCommits, 1, Integer.MAX_VALUE, false);
            targetBytes =
                    r.integer(
                                    c,
                                    "target-file-size-mb",
                                    SpecDefaults.TARGET_FILE_SIZE_MB,
                                    1,
                                    MAX_FILE_SIZE_MB,
                                    false)
                            * 1024L
                            * 1024L;
            minFiles = r.integer(c, "min-input-files", minFiles, 2, Integer.MAX_VALUE, false);
            c.finish();
        }

        Obj e = r.obj(o.optional("expire-snapshots"), o.child("expire-snapshots"));
        Duration expireEvery = d.expireEvery();
        Duration expireOlderThan = d.expireOlderThan();
        int retainLast = d.retainLast();
        if (e != null) {
            expireEvery = r.duration(e, "every", expireEvery);
            expireOlderThan = r.duration(e, "older-than", expireOlderThan);
            retainLast = r.integer(e, "retain-last", retainLast, 1, Integer.MAX_VALUE, false);
            e.finish();
        }

        Obj f = r.obj(o.optional("orphan-files"), o.child("orphan-files"));
        Duration orphansEvery = d.orphansEvery();
        Duration orphansOlderThan = d.orphansOlderThan();
        if (f != null) {
            orphansEvery = r.duration(f, "every", orphansEvery);
            orphansOlderThan = r.duration(f, "older-than", orphansOlderThan);
            if (orphansOlderThan != null
                    && orphansOlderThan.compareTo(SpecDefaults.ORPHANS_MIN_AGE) < 0) {
                r.error(
                        f.child("older-than"),
                        "too young %s — expected at least 1d: a checkpoint's files wait"
                                + " unreferenced for its commit, and a restored job commits them"
                                + " again",
                        r.shown(f.child("older-than"), Durations.format(orphansOlderThan)));
            }
            f.finish();
        }

        Obj l = r.obj(o.optional("lock"), o.child("lock"));
        String jdbcUri = null;
        Map<String, String> lockProperties = Map.of();
        if (l != null) {
            jdbcUri = r.string(l, "jdbc-uri", true, JDBC_EXPECTED);
            if (jdbcUri != null && !JDBC_URL.matcher(jdbcUri).matches()) {
                r.error(
                        l.child("jdbc-uri"),
                        "invalid JDBC URL %s — %s",
                        r.shown(l.child("jdbc-uri"), jdbcUri),
                        JDBC_EXPECTED);
                jdbcUri = null;
            }
            Node props = l.optional("properties");
            if (props != null) {
                lockProperties = r.stringMap(props, l.child("properties"));
            }
            l.finish();
        }
        o.finish();
        return new MaintenanceSpec(
                inJob,
                check,
                everyCommits,
                targetBytes,
                minFiles,
                expireEvery,
                expireOlderThan,
                retainLast,
                orphansEvery,
                orphansOlderThan,
                jdbcUri,
                lockProperties);
    }
}
