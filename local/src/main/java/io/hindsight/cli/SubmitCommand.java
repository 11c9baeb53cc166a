package io.hindsight.cli;

import io.hindsight.cli.Hindsight.UserError;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.rest.FlinkRestClient;
import io.hindsight.spec.SpecSecrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ./hindsight submit SPEC --cluster URL ...}. */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        versionProvider = Hindsight.Version.class,
        description = {
            "Validate the spec, upload the job jar to a Flink session cluster's REST API and run"
                    + " the job there; prints the job id on stdout.",
            "The cluster must read SPEC at the same absolute path. Checks first that the cluster"
                    + " answers, within --check-timeout."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            Hindsight.EXIT_OK_TEXT,
            Hindsight.EXIT_FAILED_TEXT,
            Hindsight.EXIT_USAGE_TEXT
        })
final class SubmitCommand implements Callable<Integer> {

    @ParentCommand Hindsight cli;

    @Parameters(paramLabel = "SPEC", description = "the job spec (YAML)")
    String specFile;

    @Option(
            names = "--cluster",
            required = true,
            paramLabel = "URL",
            converter = Arguments.ClusterUrl.class,
            description = "the Flink REST address, e.g. http://localhost:8081")
    String cluster;

    @Option(
            names = "--savepoint",
            paramLabel = "PATH",
            description = "start from this savepoint (a path or a URI such as s3://...)")
    String savepoint;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            converter = Arguments.PositiveInt.class,
            description = "the job's parallelism (default: the cluster's parallelism.default)")
    Integer parallelism;

    @Option(
            names = "--jar",
            paramLabel = "JAR",
            description = "the job jar (default: jobs/target/hindsight-jobs-*-job.jar)")
    String jar;

    @Option(
            names = "--check-timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            converter = Arguments.PositiveInt.class,
            description = "how long the cluster check waits (default: ${DEFAULT-VALUE})")
    int checkTimeout;

    @Override
    public Integer call() throws Exception {
        cli.secrets(SpecSecrets.values(cluster));
        // Only the job id goes to stdout, so that JOB=$(./hindsight submit ...) works.
        if (cli.validate(List.of(specFile), cli.err) != Hindsight.EXIT_OK) {
            return Hindsight.EXIT_FAILED;
        }
        Path jobJar = jar != null ? cli.path(jar) : Hindsight.jobJar();
        if (!Files.isRegularFile(jobJar)) {
            throw new UserError(
                    "no job jar at " + jobJar + "; build it with mvn -pl jobs -am package");
        }
        Path spec = cli.path(specFile);
        Optional<String> from =
                Optional.ofNullable(savepoint)
                        .map(p -> Arguments.hasScheme(p) ? p : cli.path(p).toString());
        FlinkRestClient flink = new FlinkRestClient(cluster);
        Preflight.cluster(flink, Duration.ofSeconds(checkTimeout));
        Optional<Integer> chosen = Optional.ofNullable(parallelism);
        String jobId;
        try {
            if (chosen.isEmpty()) {
                // The jar-run endpoint defaults to parallelism 1, not to the cluster's default.
                chosen =
                        flink.clusterConfig("parallelism.default")
                                .map(p -> new Arguments.PositiveInt().convert(p));
            }
            String jarId = flink.uploadJar(jobJar);
            jobId =
                    flink.runJar(
                            jarId,
                            FeedbackJoinJob.class.getName(),
                            List.of("--spec", spec.toString()),
                            from,
                            chosen);
            flink.deleteJar(jarId);
        } catch (IOException e) {
            throw new UserError("submit: " + e.getMessage(), e);
        }
        cli.err.println(
                "submitted "
                        + spec.getFileName()
                        + " to "
                        + flink.baseUrl()
                        + " with parallelism "
                        + chosen.map(String::valueOf).orElse("1")
                        + from.map(p -> " from savepoint " + p).orElse(""));
        cli.out.println(jobId);
        return Hindsight.EXIT_OK;
    }
}
