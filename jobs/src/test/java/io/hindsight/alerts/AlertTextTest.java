package io.hindsight.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How numbers, durations and windows read in alert messages. */
class AlertTextTest {

    @Test
    void numbersReadPlainlyWithThreeSignificantDigits() {
        assertThat(AlertText.number(0.71)).isEqualTo("0.71");
        assertThat(AlertText.number(0.806666)).isEqualTo("0.807");
        assertThat(AlertText.number(812)).isEqualTo("812");
        assertThat(AlertText.number(12345.6)).isEqualTo("12300");
        assertThat(AlertText.number(-0.0312)).isEqualTo("-0.0312");
        assertThat(AlertText.number(0.000312)).isEqualTo("0.000312");
        assertThat(AlertText.number(3.14e-12)).isEqualTo("3.1e-12");
        assertThat(AlertText.number(Double.NaN)).isEqualTo("n/a");
        assertThat(AlertText.number(Double.POSITIVE_INFINITY)).isEqualTo("infinity");
        assertThat(AlertText.percent(0.2)).isEqualTo("20%");
        assertThat(AlertText.percent(0.2562)).isEqualTo("25.6%");
    }

    @Test
    void durationsUseTheLargestWholeUnit() {
        assertThat(AlertText.duration(Duration.ofDays(7))).isEqualTo("7d");
        assertThat(AlertText.duration(Duration.ofHours(36))).isEqualTo("36h");
        assertThat(AlertText.duration(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(AlertText.duration(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(AlertText.duration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void aDayWindowReadsAsItsDateAnyOtherAsAnInterval() {
        long day = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
        assertThat(AlertText.window(day, day + 86_400_000L)).isEqualTo("2026-11-20");
        assertThat(AlertText.window(day + 6 * 3_600_000L, day + 7 * 3_600_000L))
                .isEqualTo("2026-11-20T06:00Z/2026-11-20T07:00Z");
        assertThat(AlertText.window(day + 3_600_000L, day + 25 * 3_600_000L))
                .as("a day-long window not aligned on midnight")
                .isEqualTo("2026-11-20T01:00Z/2026-11-21T01:00Z");
    }
}
