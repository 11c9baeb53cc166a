package io.hindsight.cli;

import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.spec.JobSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ./hindsight run SPEC}: the jobs in this process, after the preflight checks. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = Hindsight.Version.class,
        description = {
            "Run the jobs (feedback join, drift, slice metrics, alerts) in this process against"
                    + " the spec's Kafka, schema registry and Iceberg catalog; Ctrl-C stops them.",
            "First checks that each of them answers, each within --check-timeout."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            Hindsight.EXIT_OK_TEXT,
            Hindsight.EXIT_FAILED_TEXT,
            Hindsight.EXIT_USAGE_TEXT
        })
final class RunCommand implements Callable<Integer> {

    @ParentCommand Hindsight cli;

    @Parameters(paramLabel = "SPEC", description = "the job spec (YAML)")
    String specFile;

    @Option(
            names = "--check-timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            converter = Arguments.PositiveInt.class,
            description =
                    "how long each preflight check waits for Kafka, the registry and the catalog"
                            + " (default: ${DEFAULT-VALUE})")
    int checkTimeout;

    @Override
    public Integer call() throws Exception {
        JobSpec spec = cli.load(specFile);
        Duration timeout = Duration.ofSeconds(checkTimeout);
        Preflight.kafka(
                spec.kafka(),
                List.of(spec.inputs().predictions().topic(), spec.inputs().feedback().topic()),
                timeout);
        Preflight.registry(spec.kafka(), spec.inputs().predictions().topic() + "-value", timeout);
        Preflight.catalog(spec, timeout);
        Path work = Path.of(".hindsight", "run", spec.application()).toAbsolutePath();
        var flink =
                LocalFlink.environment(
                        LocalFlink.withPrometheusFromEnvironment(
                                LocalFlink.configuration(work, 2, Duration.ofSeconds(10))));
        var catalog = FeedbackJoinJob.catalog(spec);
        FeedbackJoinJob.wire(flink, spec, catalog);
        cli.out.println(
                "running Hindsight for '"
                        + spec.application()
                        + "': feedback join, drift, slice metrics and alerts as the spec enables"
                        + " them (Ctrl-C stops it; log: "
                        + Hindsight.logFile()
                        + ")");
        flink.execute("hindsight: " + spec.application());
        FeedbackJoinJob.afterRun(spec, catalog); // a drained run's dataset tags
        return Hindsight.EXIT_OK;
    }
}
