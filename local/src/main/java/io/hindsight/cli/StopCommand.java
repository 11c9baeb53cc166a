package io.hindsight.cli;

import io.hindsight.cli.Hindsight.UserError;
import io.hindsight.rest.FlinkRestClient;
import io.hindsight.spec.SpecSecrets;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ./hindsight stop JOB_ID --cluster URL [--savepoint-dir DIR]}. */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        versionProvider = Hindsight.Version.class,
        description =
                "Stop a job with a savepoint (waiting predictions stay waiting); prints the"
                        + " savepoint's path on stdout.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            Hindsight.EXIT_OK_TEXT,
            Hindsight.EXIT_FAILED_TEXT,
            Hindsight.EXIT_USAGE_TEXT
        })
final class StopCommand implements Callable<Integer> {

    @ParentCommand Hindsight cli;

    @Parameters(
            paramLabel = "JOB_ID",
            converter = Arguments.JobId.class,
            description = "the job id ./hindsight submit printed")
    String jobId;

    @Option(
            names = "--cluster",
            required = true,
            paramLabel = "URL",
            converter = Arguments.ClusterUrl.class,
            description = "the Flink REST address, e.g. http://localhost:8081")
    String cluster;

    @Option(
            names = "--savepoint-dir",
            paramLabel = "DIR",
            description =
                    "where the savepoint goes (a path or a URI such as s3://...; default: the"
                            + " cluster's execution.checkpointing.savepoint-dir)")
    String savepointDir;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "600",
            converter = Arguments.PositiveInt.class,
            description = "how long to wait for the savepoint (default: ${DEFAULT-VALUE})")
    int timeout;

    @Override
    public Integer call() {
        cli.secrets(SpecSecrets.values(cluster));
        Optional<String> dir =
                Optional.ofNullable(savepointDir)
                        .map(d -> Arguments.hasScheme(d) ? d : cli.path(d).toUri().toString());
        FlinkRestClient flink = new FlinkRestClient(cluster);
        try {
            String trigger = flink.stopWithSavepoint(jobId, dir);
            String location = flink.awaitSavepoint(jobId, trigger, Duration.ofSeconds(timeout));
            cli.err.println("stopped job " + jobId + " with a savepoint");
            cli.out.println(location);
        } catch (IOException e) {
            throw new UserError("stop: " + e.getMessage(), e);
        }
        return Hindsight.EXIT_OK;
    }
}
