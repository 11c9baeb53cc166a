package io.hindsight.spec;

import java.io.Serializable;

/**
 * One problem in a job spec: where it is (dotted path, source line or 0 when unknown) and what is
 * wrong, with the value given and what is allowed.
 */
public record SpecError(String path, int line, String message) implements Serializable {

    @Override
    public String toString() {
        return line > 0 ? path + " (line " + line + "): " + message : path + ": " + message;
    }
}
