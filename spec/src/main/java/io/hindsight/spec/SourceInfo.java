package io.hindsight.spec;

import java.util.HashMap;
import java.util.Map;

/**
 * What the parser learnt about the YAML text that the spec objects no longer hold: the source line
 * of each path, and each scalar's text as written, which messages show (so a secret stays {@code
 * ${env:NAME}}).
 */
final class SourceInfo {

    /** For specs built in code: no lines, nothing substituted. */
    static final SourceInfo NONE = new SourceInfo();

    private final Map<String, Integer> lines = new HashMap<>();
    private final Map<String, String> originals = new HashMap<>();

    void line(String path, int line) {
        lines.putIfAbsent(path, line);
    }

    void original(String path, String text) {
        originals.put(path, text);
    }

    /** The line of {@code path}, or of its closest enclosing path that has one; 0 if none. */
    int lineOf(String path) {
        String p = path;
        while (!p.isEmpty()) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
        return 0;
    }

    /** {@code 'value'} as written in the YAML at {@code path}, else {@code value} itself. */
    String shown(String path, Object value) {
        String original = originals.get(path);
        return "'" + (original != null ? original : String.valueOf(value)) + "'";
    }
}
