package io.hindsight.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${env:NAME}} and {@code ${env:NAME:-default}} in a scalar; {@code $${} stays a
 * literal {@code ${}. Other {@code ${...}} forms pass through untouched, since Kafka's own config
 * providers ({@code ${file:...}}) use them.
 */
public final class EnvSubstitution {

    private static final String OPEN = "${env:";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * The substituted text; {@code substituted} tells whether any variable was used, in which case
     * messages must show the original text only. {@code problems} describe bad references.
     */
    public record Result(String value, boolean substituted, List<String> problems) {}

    private EnvSubstitution() {}

    public static Result substitute(String text, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        List<String> problems = new ArrayList<>();
        boolean substituted = false;
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                continue;
            }
            if (!text.startsWith(OPEN, i)) {
                out.append(text.charAt(i++));
                continue;
            }
            int close = text.indexOf('}', i);
            if (close < 0) {
                problems.add(
                        String.format(
                                "unterminated reference '%s' — expected ${env:NAME} or"
                                        + " ${env:NAME:-default}",
                                text.substring(i)));
                break;
            }
            String ref = text.substring(i, close + 1);
            String body = text.substring(i + OPEN.length(), close);
            int sep = body.indexOf(":-");
            String name = sep < 0 ? body : body.substring(0, sep);
            String fallback = sep < 0 ? null : body.substring(sep + 2);
            if (!NAME.matcher(name).matches()) {
                problems.add(
                        String.format(
                                "invalid reference '%s' — expected ${env:NAME} or"
                                        + " ${env:NAME:-default}, NAME of letters, digits and _",
                                ref));
            } else if (env.containsKey(name)) {
                out.append(env.get(name));
                substituted = true;
            } else if (fallback != null) {
                out.append(fallback);
                substituted = true;
            } else {
                problems.add(
                        String.format(
                                "environment variable '%s' is not set — set it or give a"
                                        + " default: ${env:%s:-value}",
                                name, name));
            }
            i = close + 1;
        }
        return new Result(out.toString(), substituted, List.copyOf(problems));
    }
}
