package io.hindsight.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The demo's failure lines, word for word: CI and a person read them. */
class DemoReportMessagesTest {

    @Test
    void aQueryWithoutRowsIsNamedByItsQuestion() {
        assertThat(
                        DemoReport.noRows(
                                "How did model v7 do on new users in the week of 2026-02-09,"
                                        + " against v6? (labels so far)"))
                .isEqualTo(
                        "no rows from the query \"How did model v7 do on new users in the week of"
                                + " 2026-02-09, against v6?\"");
        assertThat(DemoReport.noRows("Which alerts fired?"))
                .isEqualTo("no rows from the query \"Which alerts fired?\"");
    }

    @Test
    void anUnbalancedCheckSaysWhatAndBothSides() {
        assertThat(DemoReport.unbalanced("read = table rows + dead letters", 146_271, 146_270))
                .isEqualTo(
                        "conservation check does not balance: read = table rows + dead letters"
                                + " (146,271 ≠ 146,270)");
    }
}
