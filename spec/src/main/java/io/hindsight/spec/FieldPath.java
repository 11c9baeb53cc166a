package io.hindsight.spec;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** A dotted path to a field of an input record, through nested records and maps. */
public record FieldPath(List<String> segments) implements Serializable {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

    public FieldPath {
        segments = Collections2.list(segments);
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a field path needs at least one segment");
        }
    }

    /** Parses {@code a.b.c}; throws IllegalArgumentException with {@link #problem}'s text. */
    public static FieldPath parse(String text) {
        Optional<String> problem = problem(text);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return new FieldPath(Arrays.asList(text.split("\\.", -1)));
    }

    /** Why {@code text} is not a field path, if it is not one. */
    public static Optional<String> problem(String text) {
        for (String segment : text.split("\\.", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                return Optional.of(
                        String.format(
                                "invalid field path '%s' — expected names separated by dots,"
                                        + " each a letter or _ followed by letters, digits, _"
                                        + " or -, e.g. request.id",
                                text));
            }
        }
        return Optional.empty();
    }

    /** The last segment: the field's own name. */
    public String leaf() {
        return segments.get(segments.size() - 1);
    }

    @Override
    public String toString() {
        return String.join(".", segments);
    }
}
