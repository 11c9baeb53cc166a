package io.hindsight.cli;

import io.hindsight.demo.Demo;
import io.hindsight.drift.ReferenceProfile;
import io.hindsight.drift.ReferenceProfiles;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecError;
import io.hindsight.spec.SpecException;
import io.hindsight.spec.SpecLoader;
import io.hindsight.spec.SpecSchemaCheck;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Hindsight's command line: {@code validate}, {@code demo}, {@code run}, {@code query}, {@code
 * submit}, {@code stop}.
 *
 * <p>User errors (a bad spec, a missing file) print a message and exit non-zero, without a stack
 * trace; unexpected failures keep theirs.
 */
public final class Hindsight {

    static final String USAGE =
            """
            usage: ./hindsight <command> [arguments]

              validate SPEC...          check job specs; every error at once, each with its path
              demo [--days N] [--per-hour N]
                                        run the embedded default: a Kafka broker, a schema
                                        registry, Flink with RocksDB and a local Iceberg
                                        warehouse, fed by a simulated fraud model
              run SPEC                  run the jobs (feedback join, drift, slice metrics,
                                        alerts) locally against the spec's Kafka and Iceberg
                                        catalog
              query SPEC SQL            run a Flink SQL query against the spec's Iceberg tables
              profile SPEC --from TIME --to TIME --out FILE
                                        build a drift reference profile from the predictions
                                        table (event time in [from, to), ISO-8601 instants),
                                        for drift.reference type 'profile'
              submit SPEC --cluster URL [--savepoint PATH] [--parallelism N] [--jar JAR]
                                        validate the spec, upload the job jar to a Flink session
                                        cluster's REST API and run the job there;
                                        prints the job id (the cluster must read SPEC at the
                                        same absolute path)
              stop JOB_ID --cluster URL [--savepoint-dir DIR]
                                        stop a job with a savepoint (waiting predictions stay
                                        waiting); prints the savepoint's path
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    Hindsight(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) throws Exception {
        System.exit(execute(args, System.out, System.err, System.getenv()));
    }

    /** Runs one command as {@code ./hindsight} does and returns its exit code. */
    public static int execute(
            String[] args, PrintStream out, PrintStream err, Map<String, String> env)
            throws Exception {
        return new Hindsight(out, err, env).run(args);
    }

    int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "validate" -> validate(rest);
                case "demo" -> Demo.run(rest, out);
                case "run" -> runJob(rest);
                case "query" -> query(rest);
                case "profile" -> profile(rest);
                case "submit" -> submit(rest);
                case "stop" -> stop(rest);
                default -> {
                    err.println("unknown command '" + args[0] + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (SpecException | UserError e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    int validate(String[] specs) {
        return validate(specs, out);
    }

    /** Validates; a valid spec's summary goes to {@code validOut}, errors always to stderr. */
    private int validate(String[] specs, PrintStream validOut) {
        if (specs.length == 0) {
            err.println("validate: name at least one spec file");
            return 2;
        }
        int failed = 0;
        for (String file : specs) {
            List<SpecError> errors;
            JobSpec spec = null;
            try {
                spec = load(file);
                errors = SpecSchemaCheck.check(spec);
            } catch (SpecException e) {
                errors = e.errors();
            } catch (UserError e) {
                errors = List.of(new SpecError("", 0, e.getMessage()));
            }
            if (errors.isEmpty()) {
                validOut.printf(
                        "%s: valid — application '%s', predictions from '%s', feedback from '%s',"
                                + " label window %s, policy %s%n",
                        file,
                        spec.application(),
                        spec.inputs().predictions().topic(),
                        spec.inputs().feedback().topic(),
                        io.hindsight.spec.Durations.format(spec.join().labelWindow()),
                        spec.join().policy().name().toLowerCase());
            } else {
                failed++;
                err.printf("%s: %d error%s%n", file, errors.size(), errors.size() == 1 ? "" : "s");
                for (SpecError e : errors) {
                    err.println("  " + e);
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private int runJob(String[] args) throws Exception {
        if (args.length != 1) {
            err.println("usage: ./hindsight run SPEC");
            return 2;
        }
        JobSpec spec = load(args[0]);
        Path work = Path.of(".hindsight", "run", spec.application()).toAbsolutePath();
        var flink =
                LocalFlink.environment(
                        LocalFlink.withPrometheusFromEnvironment(
                                LocalFlink.configuration(work, 2, Duration.ofSeconds(10))));
        FeedbackJoinJob.wire(flink, spec, FeedbackJoinJob.catalog(spec));
        out.println(
                "running Hindsight for '"
                        + spec.application()
                        + "': feedback join, drift, slice metrics and alerts as the spec enables"
                        + " them (Ctrl-C stops it)");
        flink.execute("hindsight: " + spec.application());
        return 0;
    }

    private int query(String[] args) throws Exception {
        if (args.length != 2) {
            err.println("usage: ./hindsight query SPEC 'SELECT ...'");
            return 2;
        }
        JobSpec spec = load(args[0]);
        TableEnvironment tables = icebergSql(spec);
        tables.executeSql(args[1]).print();
        return 0;
    }

    private int profile(String[] args) throws Exception {
        String usage = "usage: ./hindsight profile SPEC --from TIME --to TIME --out FILE";
        String specPath = null;
        Instant from = null;
        Instant to = null;
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--from" -> from = instant("--from", value(args, ++i, usage));
                case "--to" -> to = instant("--to", value(args, ++i, usage));
                case "--out" -> file = Path.of(value(args, ++i, usage));
                default -> {
                    if (specPath != null || args[i].startsWith("--")) {
                        throw new UserError(
                                "profile: unexpected argument '" + args[i] + "'\n" + usage);
                    }
                    specPath = args[i];
                }
            }
        }
        if (specPath == null || from == null || to == null || file == null) {
            err.println(usage);
            return 2;
        }
        JobSpec spec = load(specPath);
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
            throw new UserError("profile: " + e.getMessage());
        }
        profile.write(file);
        out.printf(
                "wrote %s: %,d predictions of %s in [%s, %s), %d drift targets%n",
                file, profile.predictions(), table, from, to, profile.targets().size());
        return 0;
    }

    private static Instant instant(String option, String text) {
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new UserError(
                    option
                            + " must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, not '"
                            + text
                            + "'");
        }
    }

    private int submit(String[] args) throws Exception {
        String usage =
                "usage: ./hindsight submit SPEC --cluster URL [--savepoint PATH] [--parallelism N]"
                        + " [--jar JAR]";
        String specFile = null;
        String cluster = null;
        Optional<String> savepoint = Optional.empty();
        Optional<Integer> parallelism = Optional.empty();
        Path jar = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cluster" -> cluster = value(args, ++i, usage);
                case "--savepoint" -> savepoint = Optional.of(value(args, ++i, usage));
                case "--parallelism" ->
                        parallelism = Optional.of(positive(value(args, ++i, usage)));
                case "--jar" -> jar = Path.of(value(args, ++i, usage));
                default -> {
                    if (args[i].startsWith("--") || specFile != null) {
                        throw new UserError(
                                "submit: unexpected argument '" + args[i] + "'\n" + usage);
                    }
                    specFile = args[i];
                }
            }
        }
        if (specFile == null || cluster == null) {
            err.println(usage);
            return 2;
        }
        // Only the job id goes to stdout, so that JOB=$(./hindsight submit ...) works.
        if (validate(new String[] {specFile}, err) != 0) {
            return 1;
        }
        Path jobJar = jar != null ? jar : jobJar();
        if (!Files.isRegularFile(jobJar)) {
            throw new UserError(
                    "no job jar at " + jobJar + "; build it with mvn -pl jobs -am package");
        }
        Path spec = Path.of(specFile).toAbsolutePath().normalize();
        FlinkRestClient flink = new FlinkRestClient(cluster);
        String jarId;
        String jobId;
        try {
            if (parallelism.isEmpty()) {
                // The jar-run endpoint defaults to parallelism 1, not to the cluster's default.
                parallelism = flink.clusterConfig("parallelism.default").map(Hindsight::positive);
            }
            jarId = flink.uploadJar(jobJar);
            jobId =
                    flink.runJar(
                            jarId,
                            FeedbackJoinJob.class.getName(),
                            List.of("--spec", spec.toString()),
                            savepoint,
                            parallelism);
            flink.deleteJar(jarId);
        } catch (IOException e) {
            throw new UserError("submit: " + e.getMessage());
        }
        err.println(
                "submitted "
                        + spec.getFileName()
                        + " to "
                        + flink.baseUrl()
                        + " with parallelism "
                        + parallelism.map(String::valueOf).orElse("1")
                        + savepoint.map(p -> " from savepoint " + p).orElse(""));
        out.println(jobId);
        return 0;
    }

    private int stop(String[] args) throws Exception {
        String usage = "usage: ./hindsight stop JOB_ID --cluster URL [--savepoint-dir DIR]";
        String jobId = null;
        String cluster = null;
        Optional<String> dir = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cluster" -> cluster = value(args, ++i, usage);
                case "--savepoint-dir" ->
                        dir =
                                Optional.of(
                                        Path.of(value(args, ++i, usage))
                                                .toAbsolutePath()
                                                .toUri()
                                                .toString());
                default -> {
                    if (args[i].startsWith("--") || jobId != null) {
                        throw new UserError(
                                "stop: unexpected argument '" + args[i] + "'\n" + usage);
                    }
                    jobId = args[i];
                }
            }
        }
        if (jobId == null || cluster == null) {
            err.println(usage);
            return 2;
        }
        FlinkRestClient flink = new FlinkRestClient(cluster);
        try {
            String trigger = flink.stopWithSavepoint(jobId, dir);
            String location = flink.awaitSavepoint(jobId, trigger, Duration.ofMinutes(10));
            err.println("stopped job " + jobId + " with a savepoint");
            out.println(location);
        } catch (IOException e) {
            throw new UserError("stop: " + e.getMessage());
        }
        return 0;
    }

    /**
     * The shaded job jar of this checkout's build: {@code jobs/target/hindsight-jobs-*-job.jar}.
     */
    static Path jobJar() throws IOException {
        Path home = Path.of(System.getProperty("hindsight.home", ".")).toAbsolutePath();
        Path target = home.resolve("jobs").resolve("target");
        List<Path> jars = List.of();
        if (Files.isDirectory(target)) {
            try (var files = Files.newDirectoryStream(target, "hindsight-jobs-*-job.jar")) {
                jars = java.util.stream.StreamSupport.stream(files.spliterator(), false).toList();
            }
        }
        if (jars.size() != 1) {
            throw new UserError(
                    (jars.isEmpty() ? "no job jar" : "more than one job jar")
                            + " in "
                            + target
                            + "; build it with mvn -pl jobs -am package, or name one with --jar");
        }
        return jars.get(0);
    }

    private static String value(String[] args, int i, String usage) {
        if (i >= args.length) {
            throw new UserError("option '" + args[i - 1] + "' needs a value\n" + usage);
        }
        return args[i];
    }

    private static int positive(String text) {
        int n;
        try {
            n = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UserError("--parallelism must be a positive number, not '" + text + "'");
        }
        if (n <= 0) {
            throw new UserError("--parallelism must be a positive number, not '" + text + "'");
        }
        return n;
    }

    /** A batch SQL session with the spec's Iceberg catalog as current catalog and namespace. */
    public static TableEnvironment icebergSql(JobSpec spec) {
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        StringBuilder ddl = new StringBuilder("CREATE CATALOG hindsight WITH ('type'='iceberg'");
        for (var e : spec.iceberg().catalogProperties().entrySet()) {
            String key = e.getKey().equals("type") ? "catalog-type" : e.getKey();
            ddl.append(", '")
                    .append(key.replace("'", "''"))
                    .append("'='")
                    .append(e.getValue().replace("'", "''"))
                    .append("'");
        }
        ddl.append(")");
        tables.executeSql(ddl.toString());
        tables.useCatalog("hindsight");
        tables.useDatabase(spec.iceberg().namespace());
        return tables;
    }

    private JobSpec load(String file) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new UserError("no such spec file: " + file);
        }
        return SpecLoader.load(path, env);
    }

    /** A mistake of the caller's, reported without a stack trace. */
    static final class UserError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UserError(String message) {
            super(message);
        }
    }
}
