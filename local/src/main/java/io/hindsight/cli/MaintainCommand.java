package io.hindsight.cli;

import io.hindsight.cli.Hindsight.UserError;
import io.hindsight.iceberg.SpecCatalog;
import io.hindsight.iceberg.maintenance.MaintenancePass;
import io.hindsight.iceberg.maintenance.TableFootprint;
import io.hindsight.spec.JobSpec;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ./hindsight maintain SPEC}. */
@Command(
        name = "maintain",
        mixinStandardHelpOptions = true,
        versionProvider = Hindsight.Version.class,
        description =
                "One Iceberg maintenance pass over the spec's tables (compaction, snapshot expiry,"
                        + " orphan-file removal, as the spec's maintenance section sets them),"
                        + " with Iceberg's Flink maintenance streams in-process; prints each"
                        + " table's files, snapshots and metadata before and after.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            Hindsight.EXIT_OK_TEXT,
            Hindsight.EXIT_FAILED_TEXT,
            Hindsight.EXIT_USAGE_TEXT
        })
final class MaintainCommand implements Callable<Integer> {

    @ParentCommand Hindsight cli;

    @Parameters(paramLabel = "SPEC", description = "the job spec (YAML)")
    String specFile;

    @Option(
            names = "--timeout",
            paramLabel = "MINUTES",
            defaultValue = "60",
            converter = Arguments.PositiveInt.class,
            description = "fail when the pass has not ended by then (default: ${DEFAULT-VALUE})")
    int timeoutMinutes;

    @Option(
            names = "--check-timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            converter = Arguments.PositiveInt.class,
            description = "how long the catalog check waits (default: ${DEFAULT-VALUE})")
    int checkTimeout;

    @Override
    public Integer call() throws Exception {
        JobSpec spec = cli.load(specFile);
        if (!Preflight.catalog(spec, Duration.ofSeconds(checkTimeout))) {
            throw new UserError(
                    "maintain: Iceberg catalog '"
                            + spec.iceberg().catalogName()
                            + "' has no namespace '"
                            + spec.iceberg().namespace()
                            + "' yet — no Hindsight job has written there, nothing to maintain");
        }
        MaintenancePass.Result result;
        try {
            result =
                    MaintenancePass.run(
                            spec,
                            spec.maintenance(),
                            SpecCatalog.loader(spec),
                            new Configuration(),
                            Duration.ofMinutes(timeoutMinutes));
        } catch (IllegalStateException | java.util.concurrent.TimeoutException e) {
            throw new UserError("maintain: " + e.getMessage(), e);
        }
        cli.out.printf(
                "maintained %d tables in %.1f s (compaction to %d MB files, snapshots older than"
                        + " %s expired keeping the last %d, orphans older than %s removed)%n",
                result.tables().size(),
                result.took().toMillis() / 1000.0,
                spec.maintenance().targetFileSizeBytes() >> 20,
                spec.maintenance().expireOlderThan(),
                spec.maintenance().retainLast(),
                spec.maintenance().orphansOlderThan());
        cli.out.printf(
                "%-32s %21s %21s %25s %21s%n",
                "table", "data files", "snapshots", "metadata file bytes", "files on storage");
        for (MaintenancePass.TableResult t : result.tables()) {
            TableFootprint b = t.before();
            TableFootprint a = t.after();
            cli.out.printf(
                    "%-32s %21s %21s %25s %21s%n",
                    t.id().name(),
                    b.dataFiles() + " -> " + a.dataFiles(),
                    b.snapshots() + " -> " + a.snapshots(),
                    b.metadataFileBytes() + " -> " + a.metadataFileBytes(),
                    b.filesOnStorage() + " -> " + a.filesOnStorage());
        }
        return Hindsight.EXIT_OK;
    }
}
