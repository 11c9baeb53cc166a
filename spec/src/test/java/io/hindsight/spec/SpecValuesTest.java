package io.hindsight.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Durations, field paths, env substitution and suggestions on their own. */
class SpecValuesTest {

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S",
        "30s, PT30S",
        "5m, PT5M",
        "1h, PT1H",
        "60d, PT1440H",
        "2w, PT336H",
        "PT1H, PT1H",
        "P2DT3H, PT51H",
        "0s, PT0S"
    })
    void parsesDurations(String text, String iso) {
        assertThat(Durations.parse(text)).contains(Duration.parse(iso));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"60", "sixty days", "1.5h", "5 m", "5M", "1y", "P2W", "", "-5m"})
    void rejectsOtherDurations(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "PT0.5S, 500ms",
        "PT30S, 30s",
        "PT90M, 90m",
        "PT1440H, 60d",
        "PT336H, 2w",
        "PT25H, 25h"
    })
    void formatsDurationsTheWaySpecsWriteThem(String iso, String text) {
        assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
    }

    @Test
    void fieldPathsAreDottedNames() {
        FieldPath path = FieldPath.parse("request.user_id");

        assertThat(path.segments()).containsExactly("request", "user_id");
        assertThat(path.leaf()).isEqualTo("user_id");
        assertThat(path).hasToString("request.user_id");
        assertThat(FieldPath.parse("x-trace")).hasToString("x-trace");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"", ".a", "a.", "a..b", "1a", "a b", "a.$b"})
    void rejectsMalformedFieldPaths(String text) {
        assertThat(FieldPath.problem(text)).isPresent();
        assertThatThrownBy(() -> FieldPath.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid field path '" + text + "'");
    }

    @Test
    void valueSourceIsAPathOrAConstant() {
        assertThat(ValueSource.ofConstant("gbm").isConstant()).isTrue();
        assertThat(ValueSource.ofConstant("gbm")).hasToString("{value: gbm}");
        assertThat(ValueSource.ofPath(FieldPath.parse("model.name")).isConstant()).isFalse();
        assertThatThrownBy(() -> new ValueSource(null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void substitutesEnvironmentVariables() {
        Map<String, String> env = Map.of("HOST", "kafka-1", "PORT", "9093");

        assertThat(EnvSubstitution.substitute("${env:HOST}:${env:PORT}", env))
                .isEqualTo(new EnvSubstitution.Result("kafka-1:9093", true, List.of()));
        assertThat(EnvSubstitution.substitute("${env:MISSING:-local:9092}", env).value())
                .isEqualTo("local:9092");
        assertThat(EnvSubstitution.substitute("${env:HOST:-other}", env).value())
                .isEqualTo("kafka-1");
        assertThat(EnvSubstitution.substitute("plain", env))
                .isEqualTo(new EnvSubstitution.Result("plain", false, List.of()));
    }

    @Test
    void leavesOtherPlaceholdersAndEscapesAlone() {
        Map<String, String> env = Map.of("X", "1");

        // Kafka's config providers use ${file:...}; they must reach the client untouched.
        assertThat(EnvSubstitution.substitute("${file:/etc/kafka.properties:pw}", env).value())
                .isEqualTo("${file:/etc/kafka.properties:pw}");
        assertThat(EnvSubstitution.substitute("$${env:X}", env).value()).isEqualTo("${env:X}");
    }

    @Test
    void suggestsOnlyPlausibleTypos() {
        List<String> known = List.of("label-window", "early-feedback-hold", "policy");

        assertThat(Suggestions.closest("lable-window", known)).contains("label-window");
        assertThat(Suggestions.closest("polcy", known)).contains("policy");
        assertThat(Suggestions.closest("colour", known)).isEmpty();
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void enumsHaveTheirYamlSpelling() {
        assertThat(SpecNames.yamlName(InputFormat.AVRO_CONFLUENT)).isEqualTo("avro-confluent");
        assertThat(SpecNames.yamlName(TimestampFormat.ISO_8601)).isEqualTo("iso-8601");
        assertThat(SpecNames.fromYaml(MetricName.class, "precision-at-k"))
                .contains(MetricName.PRECISION_AT_K);
        assertThat(SpecNames.fromYaml(MetricName.class, "PRECISION_AT_K")).isEmpty();
    }
}
