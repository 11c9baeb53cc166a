package io.hindsight.spec;

import java.io.Serializable;

/**
 * A value read from a field of the input record, or a constant given in the spec ({@code {value:
 * fraud-gbm}}); exactly one of {@code path} and {@code constant} is set.
 */
public record ValueSource(FieldPath path, String constant) implements Serializable {

    public ValueSource {
        if ((path == null) == (constant == null)) {
            throw new IllegalArgumentException("exactly one of path and constant must be set");
        }
    }

    public static ValueSource ofPath(FieldPath path) {
        return new ValueSource(path, null);
    }

    public static ValueSource ofConstant(String constant) {
        return new ValueSource(null, constant);
    }

    public boolean isConstant() {
        return constant != null;
    }

    @Override
    public String toString() {
        return isConstant() ? "{value: " + constant + "}" : path.toString();
    }
}
