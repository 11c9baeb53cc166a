package io.hindsight.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Slice keys: which slices a record falls into, and the merge stage's key of each.
 *
 * <p>Key: the application, then per dimension {@code \u0000 name \u0001 value}; the population is
 * {@code application \u0000 *}. Unambiguous whatever the values hold, because the two separators
 * are replaced by U+FFFD inside names and values. The row's readable {@code slice} ({@code
 * country=BR,model_version=v7}) is rebuilt from the key.
 */
public final class Slices {

    /** The value of a dimension a record does not have. */
    public static final String MISSING = "(missing)";

    /** The {@code slice} of the whole population. */
    public static final String POPULATION = "*";

    private static final char FIELD = '\u0000';
    private static final char VALUE = '\u0001';

    private Slices() {}

    /**
     * A record's value for a dimension: its tag, else its categorical feature, else its model
     * version or name; {@link #MISSING} when none has it.
     */
    public static String value(
            String dimension,
            Map<String, String> tags,
            Map<String, String> categorical,
            String modelName,
            String modelVersion) {
        String v = tags == null ? null : tags.get(dimension);
        if (v == null && categorical != null) {
            v = categorical.get(dimension);
        }
        if (v == null && dimension.equals("model_version")) {
            v = modelVersion;
        }
        if (v == null && dimension.equals("model_name")) {
            v = modelName;
        }
        return v == null ? MISSING : v;
    }

    public static String populationKey(String application) {
        return clean(application) + FIELD + POPULATION;
    }

    /** The key of one slice, given its dimension names and the record's values for them. */
    public static String key(String application, List<String> dimensions, String[] values) {
        StringBuilder b = new StringBuilder(clean(application));
        for (int i = 0; i < dimensions.size(); i++) {
            b.append(FIELD).append(clean(dimensions.get(i))).append(VALUE).append(clean(values[i]));
        }
        return b.toString();
    }

    /** The dimensions of a key, in the spec's order; empty for the population. */
    public static Map<String, String> dimensions(String key) {
        Map<String, String> dims = new LinkedHashMap<>();
        int at = key.indexOf(FIELD);
        if (at < 0) {
            throw new IllegalArgumentException("not a slice key: " + key.replace(FIELD, '|'));
        }
        String rest = key.substring(at + 1);
        if (rest.equals(POPULATION)) {
            return dims;
        }
        for (String pair : rest.split(String.valueOf(FIELD), -1)) {
            int v = pair.indexOf(VALUE);
            if (v < 0) {
                throw new IllegalArgumentException("not a slice key: " + key.replace(FIELD, '|'));
            }
            dims.put(pair.substring(0, v), pair.substring(v + 1));
        }
        return dims;
    }

    /** The readable slice: {@code *}, or {@code name=value} pairs joined by {@code ,}. */
    public static String slice(Map<String, String> dimensions) {
        if (dimensions.isEmpty()) {
            return POPULATION;
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : dimensions.entrySet()) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(e.getKey()).append('=').append(e.getValue());
        }
        return b.toString();
    }

    private static String clean(String s) {
        return s.indexOf(FIELD) < 0 && s.indexOf(VALUE) < 0
                ? s
                : s.replace(FIELD, '\uFFFD').replace(VALUE, '\uFFFD');
    }
}
