package io.hindsight.cli;

import io.hindsight.cli.Hindsight.UserError;
import io.hindsight.iceberg.IcebergBatchSql;
import io.hindsight.iceberg.SpecCatalog;
import io.hindsight.iceberg.SqlQueryException;
import io.hindsight.spec.JobSpec;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ./hindsight query SPEC SQL}. */
@Command(
        name = "query",
        mixinStandardHelpOptions = true,
        versionProvider = Hindsight.Version.class,
        description =
                "Run a Flink SQL query (batch) against the spec's Iceberg tables; the spec's"
                        + " catalog and namespace are the current ones.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            Hindsight.EXIT_OK_TEXT,
            Hindsight.EXIT_FAILED_TEXT,
            Hindsight.EXIT_USAGE_TEXT
        })
final class QueryCommand implements Callable<Integer> {

    /** How {@link SqlQueryException} opens the reason of a query the planner rejected. */
    private static final String INVALID = "query failed: ";

    @ParentCommand Hindsight cli;

    @Parameters(index = "0", paramLabel = "SPEC", description = "the job spec (YAML)")
    String specFile;

    @Parameters(index = "1", paramLabel = "SQL", description = "e.g. 'SELECT COUNT(*) FROM x'")
    String sql;

    @Option(
            names = "--check-timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            converter = Arguments.PositiveInt.class,
            description = "how long the catalog check waits (default: ${DEFAULT-VALUE})")
    int checkTimeout;

    @Override
    public Integer call() {
        JobSpec spec = cli.load(specFile);
        if (!Preflight.catalog(spec, Duration.ofSeconds(checkTimeout))) {
            throw new UserError(
                    "query: Iceberg catalog '"
                            + spec.iceberg().catalogName()
                            + "' has no namespace '"
                            + spec.iceberg().namespace()
                            + "' yet — no Hindsight job has written there; start one with"
                            + " ./hindsight run SPEC (or try ./hindsight demo)");
        }
        IcebergBatchSql tables;
        try {
            tables = IcebergBatchSql.open(spec, SpecCatalog.loader(spec), Hindsight.logFile());
        } catch (RuntimeException e) {
            throw new UserError(
                    "query: cannot open Iceberg catalog '"
                            + spec.iceberg().catalogName()
                            + "' ("
                            + Hindsight.oneLine(e)
                            + ") — check iceberg.catalog",
                    e);
        }
        try {
            tables.print(sql, cli.out);
        } catch (SqlQueryException e) {
            String reason = e.reason();
            throw new UserError(
                    reason.startsWith(INVALID)
                            ? "query: invalid SQL — "
                                    + reason.substring(INVALID.length())
                                    + " (tables: SHOW TABLES lists them)"
                            : "query: " + reason.substring("query ".length()),
                    e);
        }
        return Hindsight.EXIT_OK;
    }
}
