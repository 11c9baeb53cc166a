package io.hindsight.spec;

import java.util.List;
import java.util.stream.Collectors;

/** An invalid job spec: every error found, one per line of the message. No stack trace needed. */
public class SpecException extends RuntimeException {

    private final List<SpecError> errors;

    public SpecException(List<SpecError> errors) {
        super(
                errors.stream().map(SpecError::toString).collect(Collectors.joining("\n")),
                null,
                false,
                false);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a SpecException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    public List<SpecError> errors() {
        return errors;
    }
}
