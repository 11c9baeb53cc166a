package io.hindsight.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Progress a person can read. On a terminal, one line rewritten in place ({@code \r}, padded over a
 * longer previous text) whenever its text changes. In a log or CI output, where {@code \r} rewrites
 * nothing, a line only when the count it reports changed (a rate that drifts while nothing moves is
 * no news), and at most once per {@link #LOG_INTERVAL}; {@link #done} always prints the final
 * state, so the last line of a phase is never lost.
 */
final class ProgressLine {

    /** The least time between two lines of progress in a log. */
    static final Duration LOG_INTERVAL = Duration.ofSeconds(5);

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private String shown;
    private long shownCount;
    private String pending;
    private long shownAt;
    private int shownWidth;

    ProgressLine(PrintStream out, boolean terminal, LongSupplier nanoClock, Duration logInterval) {
        this.out = Objects.requireNonNull(out, "out");
        this.terminal = terminal;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.intervalNanos = logInterval.toNanos();
    }

    /** Progress to {@code out}, rewritten in place when this process writes to a terminal. */
    static ProgressLine of(PrintStream out) {
        return new ProgressLine(out, System.console() != null, System::nanoTime, LOG_INTERVAL);
    }

    /**
     * Shows {@code text}, which reports {@code count}: on a terminal if the text changed; in a log
     * if the count changed and the last line is at least {@link #LOG_INTERVAL} old.
     */
    void update(long count, String text) {
        long now = nanoClock.getAsLong();
        if (terminal) {
            if (!text.equals(shown)) {
                show(count, text, now);
            }
        } else if (shown == null || count != shownCount) {
            if (shown == null || now - shownAt >= intervalNanos) {
                show(count, text, now);
            } else {
                pending = text;
            }
        }
    }

    /** Shows {@code text} as the phase's last state and ends the line. */
    void done(long count, String text) {
        if (!text.equals(shown)) {
            show(count, text, nanoClock.getAsLong());
        }
        if (terminal) {
            out.println();
        }
        shown = null;
        pending = null;
        shownWidth = 0;
    }

    /** The latest text not shown yet because it came too soon after the previous line. */
    String pending() {
        return pending;
    }

    private void show(long count, String text, long now) {
        if (terminal) {
            int pad = Math.max(0, shownWidth - text.length());
            out.print("\r" + text + " ".repeat(pad));
            out.flush();
        } else {
            out.println(text);
        }
        shown = text;
        shownCount = count;
        shownAt = now;
        shownWidth = text.length();
        pending = null;
    }
}
