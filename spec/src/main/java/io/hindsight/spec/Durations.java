package io.hindsight.spec;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the spec writes them: {@code 500ms}, {@code 30s}, ... {@code 2w}, or ISO-8601. */
public final class Durations {

    /** What error messages say a duration should look like. */
    static final String EXPECTED = "expected a number with a unit (ms, s, m, h, d, w), e.g. 60d";

    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})(ms|s|m|h|d|w)");

    private Durations() {}

    /** The duration {@code text} denotes, if it is one (positive or not). */
    public static Optional<Duration> parse(String text) {
        Matcher m = SHORT.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return Optional.of(
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        case "d" -> Duration.ofDays(n);
                        default -> Duration.ofDays(7 * n);
                    });
        }
        if (text.startsWith("P") || text.startsWith("-P")) {
            try {
                return Optional.of(Duration.parse(text));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The shortest spec spelling of {@code d}, e.g. {@code 60d}, {@code 90m}, {@code 1500ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % Duration.ofDays(7).toMillis() == 0) {
            return ms / Duration.ofDays(7).toMillis() + "w";
        }
        long[] units = {
            Duration.ofDays(1).toMillis(), 3_600_000L, 60_000L, 1000L,
        };
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms != 0 && ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }
}
