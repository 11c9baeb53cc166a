package io.hindsight.cli;

import io.hindsight.cli.Hindsight.UserError;
import io.hindsight.drift.ReferenceProfile;
import io.hindsight.drift.ReferenceProfiles;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.spec.JobSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ./hindsight profile SPEC --from TIME --to TIME --out FILE}. */
@Command(
        name = "profile",
        mixinStandardHelpOptions = true,
        versionProvider = Hindsight.Version.class,
        description =
                "Build a drift reference profile from the predictions table (event time in [from,"
                        + " to)), for drift.reference type 'profile'.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            Hindsight.EXIT_OK_TEXT,
            Hindsight.EXIT_FAILED_TEXT,
            Hindsight.EXIT_USAGE_TEXT
        })
final class ProfileCommand implements Callable<Integer> {

    @ParentCommand Hindsight cli;

    @Parameters(paramLabel = "SPEC", description = "the job spec (YAML)")
    String specFile;

    @Option(
            names = "--from",
            required = true,
            paramLabel = "TIME",
            converter = Arguments.IsoInstant.class,
            description = "first event time, ISO-8601, e.g. 2026-01-01T00:00:00Z")
    Instant from;

    @Option(
            names = "--to",
            required = true,
            paramLabel = "TIME",
            converter = Arguments.IsoInstant.class,
            description = "end of the range (exclusive), ISO-8601")
    Instant to;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "the profile to write (JSON)")
    String out;

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
        Path file = cli.path(out);
        Preflight.catalog(spec, Duration.ofSeconds(checkTimeout));
        TableIdentifier table =
                TableIdentifier.of(
                        Namespace.of(spec.iceberg().namespace()),
                        spec.iceberg().tables().predictions());
        ReferenceProfile profile;
        try {
            profile =
                    ReferenceProfiles.fromTable(
                            FeedbackJoinJob.catalog(spec), table, from, to, spec);
        } catch (IllegalArgumentException e) {
            throw new UserError("profile: " + e.getMessage(), e);
        }
        profile.write(file);
        cli.out.printf(
                "wrote %s: %,d predictions of %s in [%s, %s), %d drift targets%n",
                file, profile.predictions(), table, from, to, profile.targets().size());
        return Hindsight.EXIT_OK;
    }
}
