package io.hindsight.cli;

import io.hindsight.spec.Durations;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecError;
import io.hindsight.spec.SpecException;
import io.hindsight.spec.SpecLoader;
import io.hindsight.spec.SpecSchemaCheck;
import io.hindsight.spec.SpecSecrets;
import io.hindsight.spec.Suggestions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Hindsight's command line: {@code validate}, {@code demo}, {@code run}, {@code query}, {@code
 * profile}, {@code submit}, {@code stop}, parsed by picocli.
 *
 * <p>Every failure is reported the way {@code validate} reports a bad spec: a line saying what went
 * wrong, where and what to do, then the path of the log that holds the details; never a stack
 * trace, never a secret (every message is passed through {@link SpecSecrets#redact} with the
 * secrets of the specs the command loaded). Relative paths are the caller's: {@code ./hindsight}
 * passes its caller's working directory as {@code -Dhindsight.cwd}.
 */
@Command(
        name = "hindsight",
        mixinStandardHelpOptions = true,
        versionProvider = Hindsight.Version.class,
        usageHelpAutoWidth = true,
        synopsisSubcommandLabel = "COMMAND",
        description =
                "Streaming feedback loops for ML in production: joins predictions with their"
                        + " late feedback, watches drift and slice metrics, raises alerts.",
        subcommands = {
            ValidateCommand.class,
            DemoCommand.class,
            RunCommand.class,
            QueryCommand.class,
            ProfileCommand.class,
            MaintainCommand.class,
            SubmitCommand.class,
            StopCommand.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%nRun ./hindsight COMMAND --help for a command's options.%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            Hindsight.EXIT_OK_TEXT,
            Hindsight.EXIT_FAILED_TEXT,
            Hindsight.EXIT_USAGE_TEXT
        })
public final class Hindsight implements Callable<Integer> {

    /** The command did what it was asked. */
    public static final int EXIT_OK = 0;

    /** The command failed: invalid spec, missing file, a service that does not answer, ... */
    public static final int EXIT_FAILED = 1;

    /** Wrong usage: unknown command or option, a missing or malformed argument. */
    public static final int EXIT_USAGE = 2;

    static final String EXIT_OK_TEXT = "0:success";
    static final String EXIT_FAILED_TEXT =
            "1:the command failed (invalid spec, missing file, a Kafka broker, schema registry,"
                    + " Iceberg catalog or Flink cluster that does not answer, a failed job):"
                    + " one line on stderr, details in .hindsight/hindsight.log";
    static final String EXIT_USAGE_TEXT =
            "2:wrong usage (unknown command or option, missing or malformed argument)";

    private static final Logger LOG = LoggerFactory.getLogger(Hindsight.class);

    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    final Path cwd;

    /** Secrets of every spec loaded so far: masked in whatever this command prints or logs. */
    private final Set<String> secrets = new LinkedHashSet<>();

    @Spec CommandSpec command;

    Hindsight(PrintStream out, PrintStream err, Map<String, String> env) {
        this(out, err, env, callerDirectory());
    }

    Hindsight(PrintStream out, PrintStream err, Map<String, String> env, Path cwd) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.cwd = cwd.toAbsolutePath().normalize();
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err, System.getenv()));
    }

    /** Runs one command as {@code ./hindsight} does and returns its exit code. */
    public static int execute(
            String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return new Hindsight(out, err, env).run(args);
    }

    int run(String... args) {
        CommandLine cli = new CommandLine(this);
        cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cli.setParameterExceptionHandler(this::usageError);
        cli.setExecutionExceptionHandler(this::failure);
        return cli.execute(args);
    }

    /** {@code ./hindsight} alone: the overview, as a usage error. */
    @Override
    public Integer call() {
        command.commandLine().usage(err);
        return EXIT_USAGE;
    }

    /** The directory relative paths are read from: the caller's, not the installation's. */
    static Path callerDirectory() {
        return Path.of(System.getProperty("hindsight.cwd", System.getProperty("user.dir")));
    }

    /** The log the command line writes (flink-conf/log4j-cli.properties). */
    public static Path logFile() {
        return Path.of(System.getProperty("hindsight.home", "."))
                .toAbsolutePath()
                .normalize()
                .resolve(".hindsight")
                .resolve("hindsight.log");
    }

    /** A path the caller gave, resolved against the caller's working directory. */
    Path path(String given) {
        return cwd.resolve(given).normalize();
    }

    /** Adds values that must be masked in every message and log line of this command. */
    void secrets(Collection<String> values) {
        secrets.addAll(values);
    }

    String redact(String text) {
        return SpecSecrets.redact(text, secrets);
    }

    /**
     * Loads and fully validates a spec (as {@code validate} does, the producers' schemas included);
     * an invalid spec fails with validate's listing.
     */
    JobSpec load(String file) {
        Path path = path(file);
        if (!Files.isRegularFile(path)) {
            throw new UserError("no such spec file: " + path);
        }
        List<SpecError> errors;
        try {
            JobSpec spec = SpecLoader.load(path, env);
            secrets(SpecSecrets.values(spec));
            errors = SpecSchemaCheck.check(spec);
            if (errors.isEmpty()) {
                return spec;
            }
        } catch (SpecException e) {
            errors = e.errors();
        }
        throw new UserError(listing(file, errors));
    }

    /** Validates; a valid spec's summary goes to {@code validOut}, errors always to stderr. */
    int validate(List<String> specs, PrintStream validOut) {
        int failed = 0;
        for (String file : specs) {
            Path path = path(file);
            List<SpecError> errors;
            JobSpec spec = null;
            if (!Files.isRegularFile(path)) {
                failed++;
                err.println("no such spec file: " + path);
                continue;
            }
            try {
                spec = SpecLoader.load(path, env);
                errors = SpecSchemaCheck.check(spec);
            } catch (SpecException e) {
                errors = e.errors();
            }
            if (errors.isEmpty()) {
                validOut.printf(
                        "%s: valid — application '%s', predictions from '%s', feedback from '%s',"
                                + " label window %s, policy %s%n",
                        file,
                        spec.application(),
                        spec.inputs().predictions().topic(),
                        spec.inputs().feedback().topic(),
                        Durations.format(spec.join().labelWindow()),
                        spec.join().policy().name().toLowerCase());
            } else {
                failed++;
                err.println(listing(file, errors));
            }
        }
        return failed == 0 ? EXIT_OK : EXIT_FAILED;
    }

    private static String listing(String file, List<SpecError> errors) {
        StringBuilder text =
                new StringBuilder(
                        file + ": " + errors.size() + " error" + (errors.size() == 1 ? "" : "s"));
        for (SpecError e : errors) {
            text.append("\n  ").append(e);
        }
        return text.toString();
    }

    /**
     * Wrong usage: one line, with a suggestion for a mistyped command or option (the same
     * did-you-mean as the spec's keys get). An unknown argument is reported before anything it left
     * missing.
     */
    private int usageError(ParameterException e, String[] args) {
        CommandLine where = e.getCommandLine();
        String name = where.getCommandSpec().qualifiedName(" ");
        List<String> unmatched =
                e instanceof UnmatchedArgumentException u
                        ? u.getUnmatched()
                        : where.getUnmatchedArguments();
        String message = e.getMessage();
        if (!unmatched.isEmpty()) {
            String given = unmatched.get(0);
            boolean option = given.startsWith("-");
            boolean command = !option && !where.getSubcommands().isEmpty();
            Collection<String> known =
                    command
                            ? where.getSubcommands().keySet()
                            : where.getCommandSpec().optionsMap().keySet();
            message =
                    (command ? "unknown command '" : "unknown argument '")
                            + given
                            + "'"
                            + (option || command
                                    ? Suggestions.closest(given, known)
                                            .map(s -> " (did you mean '" + s + "'?)")
                                            .orElse("")
                                    : "");
        }
        err.println(
                redact(
                        (where.getParent() == null ? "" : where.getCommandName() + ": ")
                                + message
                                + " — see ./"
                                + name
                                + " --help"));
        return EXIT_USAGE;
    }

    /** A failed command: one line on the terminal, the whole story in the log. */
    private int failure(Exception e, CommandLine where, ParseResult parsed) {
        String name = where.getCommandName();
        if (e instanceof UserError) {
            String message = redact(prefixed(name, e.getMessage()));
            LOG.error("{} failed: {}", name, message);
            err.println(message);
        } else {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            LOG.error("{} failed unexpectedly: {}", name, redact(trace.toString()));
            err.println(redact(name + ": " + oneLine(e)));
        }
        err.println("  details: " + logFile());
        return EXIT_FAILED;
    }

    private static String prefixed(String name, String message) {
        return message.startsWith(name + ": ") ? message : name + ": " + message;
    }

    /**
     * The type and first line of the deepest cause that says something (a bare {@code
     * ClosedChannelException} under a {@code ConnectException} does not): what a person can act on.
     */
    static String oneLine(Throwable e) {
        Throwable shown = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                shown = t;
            }
        }
        String message = shown.getMessage() == null ? "" : shown.getMessage().strip();
        String first = message.lines().findFirst().orElse("");
        return shown.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first);
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

    /** {@code --version}: Hindsight's version and the Flink it was built against. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties versions = new Properties();
            try (InputStream in = Hindsight.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    throw new IOException("version.properties is missing from the build");
                }
                versions.load(in);
            }
            return new String[] {
                "hindsight "
                        + versions.getProperty("version")
                        + " (Flink "
                        + versions.getProperty("flink")
                        + ", Java "
                        + System.getProperty("java.version")
                        + ")"
            };
        }
    }

    /** A mistake of the caller's or an unreachable service, reported without a stack trace. */
    static final class UserError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UserError(String message) {
            super(message);
        }

        UserError(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
