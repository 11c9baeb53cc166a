package io.hindsight.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ./hindsight validate SPEC...}. */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        versionProvider = Hindsight.Version.class,
        description = {
            "Check job specs: every error at once, each with its path and line, and the mapped"
                    + " fields against the producers' schemas.",
            "Secrets are shown as written ($${env:NAME}), never resolved."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every spec is valid",
            "1:a spec is invalid or missing",
            Hindsight.EXIT_USAGE_TEXT
        })
final class ValidateCommand implements Callable<Integer> {

    @ParentCommand Hindsight cli;

    @Parameters(arity = "1..*", paramLabel = "SPEC", description = "job spec files (YAML)")
    List<String> specs;

    @Override
    public Integer call() {
        return cli.validate(specs, cli.out);
    }
}
