package io.hindsight.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.sim.SimulationPlan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong nanos = new AtomicLong();

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void inALogRepeatsNothingAndPrintsAtMostOneLinePerInterval() {
        ProgressLine p = new ProgressLine(out, false, nanos::get, Duration.ofSeconds(5));
        p.update(10, "a 10");
        advance(Duration.ofSeconds(1));
        p.update(10, "a 10, slower"); // the count did not change: no line
        p.update(20, "a 20"); // too soon after the first line
        assertThat(p.pending()).isEqualTo("a 20");
        advance(Duration.ofSeconds(4));
        p.update(20, "a 20"); // now 5 s after the first line, and the count changed
        advance(Duration.ofSeconds(10));
        p.update(20, "a 20, slower"); // same count, however long it has been
        p.update(30, "a 30");
        advance(Duration.ofSeconds(1));
        p.update(40, "a 40"); // too soon
        p.done(40, "a 40");

        assertThat(printed()).isEqualTo("a 10\na 20\na 30\na 40\n");
    }

    @Test
    void aLogGetsTheFinalLineOnceEvenIfItWasShownAlready() {
        ProgressLine p = new ProgressLine(out, false, nanos::get, Duration.ofSeconds(5));
        p.update(5, "done 5");
        p.done(5, "done 5");

        assertThat(printed()).isEqualTo("done 5\n");
    }

    @Test
    void onATerminalRewritesOneLineInPlaceAndEndsIt() {
        ProgressLine p = new ProgressLine(out, true, nanos::get, Duration.ofSeconds(5));
        p.update(1, "count 1, 100/s");
        p.update(1, "count 1, 100/s"); // unchanged text: nothing written
        p.update(1, "count 1, 50/s"); // the rate changed: rewritten although the count did not
        p.update(22, "n 22");
        p.done(22, "n 22");

        assertThat(printed())
                .isEqualTo("\rcount 1, 100/s\rcount 1, 50/s \rn 22         " + "\n")
                .doesNotContain("\n\r");
    }

    @Test
    void publishedAndJoinedLinesSayCountRatePercentageAndSimulatedTime() {
        SimulationPlan plan =
                SimulationPlan.defaults(
                        1, Instant.parse("2026-01-05T00:00:00Z"), Duration.ofDays(10), 60);
        assertThat(
                        Demo.published(
                                12_345,
                                Instant.parse("2026-01-07T12:00:00Z"),
                                plan,
                                Duration.ofSeconds(5).toNanos()))
                .isEqualTo(
                        "  published    12,345 records,   2,469/s, simulated time 2026-01-07 (25%)");
        assertThat(Demo.joined(50_000, 200_000, Duration.ofSeconds(8).toNanos()))
                .isEqualTo(
                        "  joined and committed    50,000 of 200,000 input records (25%),   6,250/s");
    }
}
