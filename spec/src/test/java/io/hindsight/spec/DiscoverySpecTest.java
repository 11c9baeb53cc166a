package io.hindsight.spec;

import static io.hindsight.spec.SpecTesting.edit;
import static io.hindsight.spec.SpecTesting.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code metrics.discovery} and alert rules with {@code source: discovery}: values and errors. */
class DiscoverySpecTest {

    static final String SLICES = "slices: [[country], [channel, model_version]]";

    static String withDiscovery(String block) {
        return edit(SLICES, SLICES + "\n  discovery:\n" + block);
    }

    @Test
    void leftOutItIsOffAndGivenItTakesTheDefaults() {
        assertThat(SpecLoader.parse(SpecTesting.BASE, Map.of()).metrics().discovery().enabled())
                .isFalse();
        DiscoverySpec d =
                SpecLoader.parse(withDiscovery("    dimensions: [country, merchant]\n"), Map.of())
                        .metrics()
                        .discovery();
        assertThat(d)
                .isEqualTo(
                        new DiscoverySpec(
                                true,
                                List.of("country", "merchant"),
                                2,
                                0.05,
                                200,
                                100,
                                List.of(),
                                "shop_discovered_slices",
                                "hindsight.shop.discovered-slices"));
        DiscoverySpec set =
                SpecLoader.parse(
                                withDiscovery(
                                        "    dimensions: [country, channel, model_version]\n"
                                                + "    max-dimensions: 3\n    q: 0.1\n"
                                                + "    min-support: 50\n    max-values: 20\n"
                                                + "    metrics: [auc]\n    table: slices\n"
                                                + "    topic: shop.slices\n"),
                                Map.of())
                        .metrics()
                        .discovery();
        assertThat(set)
                .isEqualTo(
                        new DiscoverySpec(
                                true,
                                List.of("country", "channel", "model_version"),
                                3,
                                0.1,
                                50,
                                20,
                                List.of("auc"),
                                "slices",
                                "shop.slices"));
    }

    @Test
    void everyErrorOfTheSectionAtOnceWithItsPath() {
        assertThat(
                        errors(
                                withDiscovery(
                                        "    dimensions: [contry, amount, country, country]\n"
                                                + "    max-dimensions: 9\n    q: 1.5\n"
                                                + "    metrics: [recall, squared-error]\n"
                                                + "    max-value: 10\n")))
                .containsExactly(
                        "metrics.discovery.dimensions[0] (line 39): unknown field 'contry' (known:"
                                + " country, channel, merchant, model_version)",
                        "metrics.discovery.dimensions[1] (line 39): feature 'amount' is numeric —"
                                + " expected a tag, categorical feature or model_version",
                        "metrics.discovery.dimensions[3] (line 39): duplicate dimension 'country' —"
                                + " list each once",
                        "metrics.discovery.max-dimensions (line 40): invalid number '9' — expected"
                                + " 1 to 4",
                        "metrics.discovery.q (line 41): invalid number '1.5' — expected a number"
                                + " above 0 and below 1",
                        "metrics.discovery.metrics[0] (line 42): invalid value 'recall' — expected"
                                + " one of: error-rate, auc, squared-error, absolute-error",
                        "metrics.discovery.metrics[1] (line 42): metric 'squared-error' does not fit"
                                + " task 'binary-classification' — expected one of: error-rate, auc",
                        "metrics.discovery.max-value (line 43): unknown key (did you mean"
                                + " 'max-values'?)");
        assertThat(errors(withDiscovery("    max-dimensions: 2\n")))
                .containsExactly(
                        "metrics.discovery.dimensions (line 39): missing required key — expected a"
                                + " list of dimension names, e.g. [country, model_version]");
        assertThat(errors(withDiscovery("    dimensions: []\n")))
                .containsExactly(
                        "metrics.discovery.dimensions (line 39): empty — expected at least one"
                                + " dimension name");
        assertThat(errors(withDiscovery("    dimensions: [country]\n    max-dimensions: 2\n")))
                .containsExactly(
                        "metrics.discovery.max-dimensions (line 40): 2 is more than the 1"
                                + " dimensions listed — expected at most 1");
    }

    @Test
    void alertRulesOnDiscoveredSlices() {
        String rule =
                "  - name: auc-low\n    source: metrics\n    metric: auc\n"
                        + "    condition: {below: 0.8}\n";
        String discoveryRule =
                rule
                        + "  - name: worse\n    source: discovery\n    slice: [country, merchant]\n"
                        + "    condition: {below: 0.1}\n    p-value: 0.01\n";
        String yaml = SpecTesting.BASE.replace(rule, discoveryRule);
        assertThat(errors(yaml))
                .containsExactly(
                        "alerts[1].source (line 44): slice discovery is disabled — expected an"
                                + " enabled metrics.discovery section");
        String on =
                yaml.replace(
                        SLICES, SLICES + "\n  discovery:\n    dimensions: [country, channel]\n");
        assertThat(errors(on))
                .containsExactly(
                        "alerts[1].slice (line 48): slice [country, merchant] is not a combination"
                                + " of at most 2 of metrics.discovery.dimensions (country, channel)"
                                + " — expected such a list, or none for every discovered slice",
                        "alerts[1].condition (line 49): a discovery rule compares the effect (how"
                                + " much worse the slice is) — expected above");
        String withMetric =
                on.replace("slice: [country, merchant]", "metric: auc")
                        .replace("{below: 0.1}", "{above: 0.1}");
        assertThat(errors(withMetric))
                .containsExactly(
                        "alerts[1].metric (line 48): only used with source metrics — expected no"
                                + " metric with source discovery");
        AlertRuleSpec parsed =
                SpecLoader.parse(
                                withMetric.replace(
                                        "    metric: auc\n    condition: {above",
                                        "    condition: {above"),
                                Map.of())
                        .alerts()
                        .get(1);
        assertThat(parsed.source()).isEqualTo(AlertSource.DISCOVERY);
        assertThat(parsed.maxPValue()).isEqualTo(0.01);
    }
}
