package io.hindsight.cli;

import io.hindsight.demo.Demo;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecError;
import io.hindsight.spec.SpecException;
import io.hindsight.spec.SpecLoader;
import io.hindsight.spec.SpecSchemaCheck;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/**
 * Hindsight's command line: {@code validate}, {@code demo}, {@code run}, {@code query}.
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
              run SPEC                  run the feedback join locally against the spec's Kafka
                                        and Iceberg catalog
              query SPEC SQL            run a Flink SQL query against the spec's Iceberg tables
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
        int code = new Hindsight(System.out, System.err, System.getenv()).run(args);
        System.exit(code);
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
                out.printf(
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
                LocalFlink.environment(LocalFlink.configuration(work, 2, Duration.ofSeconds(10)));
        FeedbackJoinJob.wire(flink, spec, FeedbackJoinJob.catalog(spec));
        out.println("running the feedback join for '" + spec.application() + "' (Ctrl-C stops it)");
        flink.execute("hindsight feedback join: " + spec.application());
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
