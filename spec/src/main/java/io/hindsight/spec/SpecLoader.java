package io.hindsight.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads a job spec: YAML to records, {@code ${env:NAME}} substitution, then every structural and
 * cross-field error at once as one {@link SpecException}.
 */
public final class SpecLoader {

    private SpecLoader() {}

    /** Loads {@code file}; relative file paths in the spec resolve against its directory. */
    public static JobSpec load(Path file, Map<String, String> env) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SpecException(
                    List.of(
                            new SpecError(
                                    "spec",
                                    0,
                                    String.format(
                                            "cannot read %s — %s",
                                            file, e.getClass().getSimpleName()))));
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(yaml, env, dir);
    }

    /** Parses spec text; relative file paths resolve against the working directory. */
    public static JobSpec parse(String yaml, Map<String, String> env) {
        return parse(yaml, env, null);
    }

    private static JobSpec parse(String yaml, Map<String, String> env, Path baseDir) {
        SpecParser parser = new SpecParser(env, baseDir);
        Optional<JobSpec> spec = parser.parse(yaml);
        List<SpecError> errors = new ArrayList<>(parser.errors());
        spec.ifPresent(s -> errors.addAll(SpecValidator.validate(s, parser.source())));
        if (!errors.isEmpty()) {
            // In file order, so a person fixes them top to bottom; errors without a line last.
            errors.sort(
                    Comparator.comparingInt(
                            (SpecError e) -> e.line() == 0 ? Integer.MAX_VALUE : e.line()));
            throw new SpecException(errors);
        }
        return spec.orElseThrow();
    }
}
