package io.hindsight.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The typed readers every section reader shares: one YAML value at a path to a duration, bounded
 * number, enum, instant, field path, topic, file, map or list, with {@code ${env:...}}
 * substitution, the source line of every path, and the error recording. A reader never throws and
 * never stops at the first problem: it records a {@link SpecError} with the path and returns the
 * fallback (or null when there is none), so the parse goes on and every error is reported at once.
 */
final class ValueReader {

    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
    static final String NAME_EXPECTED =
            "expected lower-case letters, digits and _, starting with a letter";
    static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    private final Map<String, String> env;
    private final Path baseDir;
    private final List<SpecError> errors = new ArrayList<>();
    private final SourceInfo source = new SourceInfo();

    ValueReader(Map<String, String> env, Path baseDir) {
        this.env = env;
        this.baseDir = baseDir;
    }

    /** Every error recorded so far, in the order found. */
    List<SpecError> errors() {
        return errors;
    }

    /** The line and text as written of every path read. */
    SourceInfo source() {
        return source;
    }

    // ---------------------------------------------------------------- values

    /** A scalar after substitution, and how messages show it. */
    record Scalar(String value, String shown) {}

    Scalar scalar(Node node, String path) {
        record(path, node);
        if (!(node instanceof ScalarNode)) {
            error(path, line(node), "expected a single value, got %s", kind(node));
            return null;
        }
        String raw = ((ScalarNode) node).getValue();
        EnvSubstitution.Result r = EnvSubstitution.substitute(raw, env);
        if (!r.problems().isEmpty()) {
            for (String problem : r.problems()) {
                error(path, line(node), "%s", problem);
            }
            return null;
        }
        source.original(path, raw);
        return new Scalar(r.value(), "'" + raw + "'");
    }

    String string(Obj o, String key, boolean required, String expected) {
        Node node = required ? o.required(key, expected) : o.optional(key);
        if (node == null) {
            return null;
        }
        Scalar s = scalar(node, o.child(key));
        if (s == null) {
            return null;
        }
        if (s.value().isBlank()) {
            if (required) {
                error(o.child(key), line(node), "empty value — %s", expected);
            }
            return null;
        }
        return s.value();
    }

    String stringMatching(Obj o, String key, String fallback, Pattern pattern, String expected) {
        String value = string(o, key, false, null);
        if (value == null) {
            return fallback;
        }
        if (!pattern.matcher(value).matches()) {
            error(o.child(key), "invalid name %s — %s", shown(o.child(key), value), expected);
            return fallback;
        }
        return value;
    }

    String topic(Obj o, String key, String fallback, boolean required) {
        String value = string(o, key, required, "expected a topic name");
        if (value == null) {
            return fallback;
        }
        if (!TOPIC.matcher(value).matches()) {
            error(
                    o.child(key),
                    "invalid topic name %s — expected letters, digits, '.', '_' and '-', at"
                            + " most 249",
                    shown(o.child(key), value));
            return fallback;
        }
        return value;
    }

    String file(Obj o, String key) {
        String value = string(o, key, false, null);
        if (value == null) {
            return null;
        }
        String resolved = resolve(value);
        if (!Files.isRegularFile(Path.of(resolved))) {
            error(
                    o.child(key),
                    "file not found %s — resolved to %s",
                    shown(o.child(key), value),
                    resolved);
        }
        return resolved;
    }

    String resolve(String file) {
        Path p = Path.of(file);
        Path base = baseDir == null ? Path.of("") : baseDir;
        return (p.isAbsolute() ? p : base.resolve(p)).toAbsolutePath().normalize().toString();
    }

    FieldPath fieldPath(Obj o, String key, boolean required) {
        String value = string(o, key, required, "expected a field path, e.g. request.id");
        if (value == null) {
            return null;
        }
        Optional<String> problem = FieldPath.problem(value);
        if (problem.isPresent()) {
            error(o.child(key), "%s", problem.get());
            return null;
        }
        return FieldPath.parse(value);
    }

    ValueSource valueSource(Obj o, String key) {
        Node node = o.required(key, "expected a field path, or a constant as {value: fraud-gbm}");
        if (node == null) {
            return null;
        }
        if (node instanceof MappingNode) {
            Obj c = obj(node, o.child(key));
            String constant = string(c, "value", true, "expected the constant, e.g. fraud-gbm");
            c.finish();
            return constant == null ? null : ValueSource.ofConstant(constant);
        }
        FieldPath path = fieldPath(o, key, true);
        return path == null ? null : ValueSource.ofPath(path);
    }

    Map<String, FieldPath> namedPaths(Node node, String path) {
        Map<String, FieldPath> out = new LinkedHashMap<>();
        Obj o = obj(node, path);
        if (o == null) {
            return out;
        }
        for (String key : o.keys()) {
            if (!NAME.matcher(key).matches()) {
                error(o.child(key), "invalid name '%s' — %s", key, NAME_EXPECTED);
                o.optional(key);
                continue;
            }
            FieldPath p = fieldPath(o, key, true);
            if (p != null) {
                out.put(key, p);
            }
        }
        return out;
    }

    Map<String, String> stringMap(Node node, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        Obj o = obj(node, path);
        if (o == null) {
            return out;
        }
        for (String key : o.keys()) {
            Node value = o.optional(key);
            Scalar s = value == null ? null : scalar(value, o.child(key));
            // An empty value (e.g. ${env:TOKEN:-}) leaves the property unset.
            if (s != null && !s.value().isEmpty()) {
                out.put(key, s.value());
            }
        }
        return out;
    }

    List<Node> list(Node node, String path) {
        if (node == null) {
            return List.of();
        }
        record(path, node);
        if (!(node instanceof SequenceNode)) {
            error(path, line(node), "expected a list, got %s", kind(node));
            return List.of();
        }
        return ((SequenceNode) node).getValue();
    }

    <E extends Enum<E>> E enumValue(
            Obj o, String key, Class<E> type, E fallback, boolean required) {
        String value =
                string(
                        o,
                        key,
                        required,
                        "expected one of: " + String.join(", ", SpecNames.yamlNames(type)));
        if (value == null) {
            return required ? null : fallback;
        }
        Optional<E> e = SpecNames.fromYaml(type, value);
        if (e.isEmpty()) {
            error(
                    o.child(key),
                    "invalid value %s — expected one of: %s",
                    shown(o.child(key), value),
                    String.join(", ", SpecNames.yamlNames(type)));
            return required ? null : fallback;
        }
        return e.get();
    }

    /** The list's single values in order; an item that is not one is an error and left out. */
    List<String> scalarList(Node node, String path) {
        List<String> out = new ArrayList<>();
        List<Node> items = list(node, path);
        for (int i = 0; i < items.size(); i++) {
            Scalar item = scalar(items.get(i), path + "[" + i + "]");
            if (item != null) {
                out.add(item.value());
            }
        }
        return out;
    }

    /** The listed enum values, or null when the key is absent (so callers apply their default). */
    <E extends Enum<E>> List<E> enumList(Obj o, String key, Class<E> type) {
        Node node = o.optional(key);
        if (node == null) {
            return null;
        }
        List<E> out = new ArrayList<>();
        List<Node> items = list(node, o.child(key));
        for (int i = 0; i < items.size(); i++) {
            String path = o.child(key) + "[" + i + "]";
            Scalar s = scalar(items.get(i), path);
            if (s == null) {
                continue;
            }
            Optional<E> e = SpecNames.fromYaml(type, s.value());
            if (e.isEmpty()) {
                error(
                        path,
                        "invalid value %s — expected one of: %s",
                        s.shown(),
                        String.join(", ", SpecNames.yamlNames(type)));
            } else if (out.contains(e.get())) {
                error(path, "duplicate value %s — list each once", s.shown());
            } else {
                out.add(e.get());
            }
        }
        return out;
    }

    Duration requiredDuration(Obj o, String key) {
        if (o.required(key, "expected a duration, e.g. 60d") == null) {
            return null;
        }
        return duration(o, key, null);
    }

    Duration duration(Obj o, String key, Duration fallback) {
        String value = string(o, key, false, null);
        if (value == null) {
            return fallback;
        }
        Optional<Duration> d = Durations.parse(value.trim());
        if (d.isEmpty()) {
            error(
                    o.child(key),
                    "invalid duration %s — %s",
                    shown(o.child(key), value),
                    Durations.EXPECTED);
            return null;
        }
        if (d.get().isNegative() || d.get().isZero()) {
            error(
                    o.child(key),
                    "invalid duration %s — expected a positive duration, e.g. 60d",
                    shown(o.child(key), value));
            return null;
        }
        return d.get();
    }

    Integer integer(Obj o, String key, Integer fallback, int min, int max, boolean required) {
        String value = string(o, key, required, "expected a whole number");
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                error(
                        o.child(key),
                        "invalid number %s — %s",
                        shown(o.child(key), value),
                        max == Integer.MAX_VALUE
                                ? "expected at least " + min
                                : "expected " + min + " to " + max);
                return fallback;
            }
            return n;
        } catch (NumberFormatException e) {
            error(
                    o.child(key),
                    "invalid number %s — expected a whole number",
                    shown(o.child(key), value));
            return fallback;
        }
    }

    Double number(Obj o, String key, Double fallback) {
        String value = string(o, key, false, null);
        if (value == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(value.trim());
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below, like a non-finite value
        }
        error(
                o.child(key),
                "invalid number %s — expected a number, e.g. 0.5",
                shown(o.child(key), value));
        return fallback;
    }

    /** A number in (lo, hi) or (lo, hi] as {@code hiExclusive} says; lo is always exclusive. */
    Double bounded(Obj o, String key, Double fallback, double lo, double hi, boolean hiExclusive) {
        if (o.optional(key) == null) {
            return fallback;
        }
        Double d = number(o, key, null);
        if (d == null) {
            return fallback;
        }
        boolean ok = d > lo && (hiExclusive ? d < hi : d <= hi);
        if (!ok) {
            String range =
                    hi == Double.MAX_VALUE
                            ? "expected a number above " + fmt(lo)
                            : "expected a number above "
                                    + fmt(lo)
                                    + " and "
                                    + (hiExclusive ? "below " : "at most ")
                                    + fmt(hi);
            error(
                    o.child(key),
                    "invalid number %s — %s",
                    shown(o.child(key), o.optionalText(key)),
                    range);
            return fallback;
        }
        return d;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    Boolean bool(Obj o, String key, Boolean fallback) {
        String value = string(o, key, false, null);
        if (value == null) {
            return fallback;
        }
        if (value.equals("true") || value.equals("false")) {
            return Boolean.valueOf(value);
        }
        error(
                o.child(key),
                "invalid value %s — expected true or false",
                shown(o.child(key), value));
        return fallback;
    }

    Instant instant(Obj o, String key) {
        String value = string(o, key, false, null);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            error(
                    o.child(key),
                    "invalid instant %s — expected ISO-8601 in UTC, e.g. 2026-01-01T00:00:00Z",
                    shown(o.child(key), value));
            return null;
        }
    }

    static <T> T nonNull(T value, T fallback) {
        return value == null ? fallback : value;
    }

    // ---------------------------------------------------------------- nodes and errors

    Obj obj(Node node, String path) {
        if (node == null) {
            return null;
        }
        record(path, node);
        if (!(node instanceof MappingNode)) {
            error(path, line(node), "expected a mapping of keys, got %s", kind(node));
            return null;
        }
        return new Obj((MappingNode) node, path);
    }

    void record(String path, Node node) {
        source.line(path, line(node));
    }

    String shown(String path, String value) {
        return source.shown(path, value);
    }

    void missing(Obj o, String key, String expected) {
        SpecError e = new SpecError(o.child(key), o.line, "missing required key — " + expected);
        errors.add(e);
        o.missing.put(key, e);
    }

    void error(String path, String format, Object... args) {
        error(path, source.lineOf(path), format, args);
    }

    void error(String path, int line, String format, Object... args) {
        errors.add(new SpecError(path, line, String.format(format, args)));
    }

    static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }

    /** A YAML mapping being read: remembers which keys were used so the rest are reported. */
    final class Obj {
        private final String path;
        private final int line;
        private final Map<String, Node> entries = new LinkedHashMap<>();
        private final Set<String> known = new LinkedHashSet<>();
        private final Map<String, SpecError> missing = new LinkedHashMap<>();

        Obj(MappingNode node, String path) {
            this.path = path;
            this.line = line(node);
            for (NodeTuple tuple : node.getValue()) {
                Node keyNode = tuple.getKeyNode();
                if (!(keyNode instanceof ScalarNode)) {
                    error(
                            path.isEmpty() ? "spec" : path,
                            line(keyNode),
                            "expected a plain key, got %s",
                            kind(keyNode));
                    continue;
                }
                String key = ((ScalarNode) keyNode).getValue();
                String child = child(key);
                if (entries.containsKey(key)) {
                    error(
                            child,
                            line(keyNode),
                            "duplicate key — first given on line %d",
                            source.lineOf(child));
                    continue;
                }
                entries.put(key, tuple.getValueNode());
                source.line(child, line(keyNode));
            }
        }

        String child(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        Set<String> keys() {
            return entries.keySet();
        }

        /** The value of {@code key}, or null when absent or YAML null; marks the key known. */
        Node optional(String key) {
            known.add(key);
            Node node = entries.get(key);
            return node == null || isNull(node) ? null : node;
        }

        String optionalText(String key) {
            Node node = optional(key);
            return node instanceof ScalarNode ? ((ScalarNode) node).getValue() : "";
        }

        Node required(String key, String expected) {
            Node node = optional(key);
            if (node == null) {
                missing(this, key, expected);
            }
            return node;
        }

        /** Reports every key nobody asked for, suggesting the closest known key. */
        void finish() {
            for (String key : entries.keySet()) {
                if (known.contains(key)) {
                    continue;
                }
                Optional<String> suggestion = Suggestions.closest(key, known);
                // A misspelt required key is one mistake: the typo, not also the missing key.
                suggestion.map(missing::get).ifPresent(errors::remove);
                error(
                        child(key),
                        source.lineOf(child(key)),
                        "%s",
                        suggestion.isPresent()
                                ? "unknown key (did you mean '" + suggestion.get() + "'?)"
                                : "unknown key (known: " + String.join(", ", known) + ")");
            }
        }
    }
}
