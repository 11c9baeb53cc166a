package io.hindsight.spec;

import static io.hindsight.spec.SpecTesting.edit;
import static io.hindsight.spec.SpecTesting.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code join.max-source-drift}: off unless set, a positive duration when set. */
class MaxSourceDriftTest {

    @Test
    void isOffUnlessSet() {
        JobSpec spec = SpecLoader.parse(SpecTesting.BASE, Map.of());
        assertThat(spec.join().maxSourceDrift()).isZero();
    }

    @Test
    void readsADuration() {
        JobSpec spec =
                SpecLoader.parse(
                        edit("label-window: 60d", "label-window: 60d\n  max-source-drift: 1d"),
                        Map.of());
        assertThat(spec.join().maxSourceDrift()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void refusesWhatIsNotAPositiveDuration() {
        assertThat(
                        errors(
                                edit(
                                        "label-window: 60d",
                                        "label-window: 60d\n  max-source-drift: a day")))
                .singleElement()
                .asString()
                .startsWith("join.max-source-drift")
                .contains("invalid duration");
        assertThat(errors(edit("label-window: 60d", "label-window: 60d\n  max-source-drift: 0s")))
                .singleElement()
                .asString()
                .startsWith("join.max-source-drift");
    }
}
