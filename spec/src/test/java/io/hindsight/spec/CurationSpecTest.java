package io.hindsight.spec;

import static io.hindsight.spec.SpecTesting.edit;
import static io.hindsight.spec.SpecTesting.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code curation} section: its records, its defaults, and every message pinned. */
class CurationSpecTest {

    private static final String END = "    condition: {below: 0.8}\n";

    static String withCuration(String section) {
        return edit(END, END + section);
    }

    static final String VALID =
            """
            curation:
              rules:
                - name: uncertain_br
                  select:
                    uncertain-within: 0.1
                    slice: {country: BR}
                  sampling: most-uncertain
                  budget: 200
                  period: 12h
                - name: wrong
                  select: {wrong: true, model-version: v7}
                  sampling: stratified
                  stratify-by: country
                  strata: [BR, US]
                  budget: 100
                  seed: 7
              retrain:
                - name: auc_down
                  when: {alert: auc-low, firing-for: 6h}
                  train-on: wrong
                - name: enough_labels
                  when: {dataset: wrong, labeled-rows: 1000}
            """;

    @Test
    void aValidSectionBecomesItsRecords() {
        JobSpec spec = SpecLoader.parse(withCuration(VALID), Map.of());
        CurationSpec c = spec.curation();

        assertThat(c.enabled()).isTrue();
        assertThat(c.retrainTopic()).isEqualTo("hindsight.shop.retrain");
        assertThat(c.rules())
                .containsExactly(
                        new CurationRuleSpec(
                                "uncertain_br",
                                CurationSource.PREDICTIONS,
                                null,
                                null,
                                0.5,
                                0.1,
                                false,
                                Map.of("country", "BR"),
                                null,
                                CurationSampling.MOST_UNCERTAIN,
                                null,
                                List.of(),
                                200,
                                Duration.ofHours(12),
                                0),
                        new CurationRuleSpec(
                                "wrong",
                                CurationSource.OUTCOMES,
                                null,
                                null,
                                0.5,
                                null,
                                true,
                                Map.of(),
                                "v7",
                                CurationSampling.STRATIFIED,
                                "country",
                                List.of("BR", "US"),
                                100,
                                Duration.ofDays(1),
                                7));
        assertThat(c.retrain())
                .containsExactly(
                        new RetrainTriggerSpec(
                                "auc_down", "auc-low", Duration.ofHours(6), null, 0, "wrong"),
                        new RetrainTriggerSpec(
                                "enough_labels", null, null, "wrong", 1000, "wrong"));
        assertThat(c.rules().get(1).capacity()).isEqualTo(50);
    }

    @Test
    void withoutTheSectionCurationIsDisabled() {
        assertThat(SpecLoader.parse(SpecTesting.BASE, Map.of()).curation())
                .isEqualTo(CurationSpec.disabled());
    }

    @Test
    void parserErrorsAllAtOnce() {
        assertThat(
                        errors(
                                withCuration(
                                        """
                                        curation:
                                          rules:
                                            - name: Uncertain
                                              select:
                                                score-min: 0.9
                                                score-max: 0.2
                                                wrong: true
                                              from: predictions
                                              sampling: most-uncertan
                                              strata: [BR]
                                              period: 90s
                                              budget: lots
                                            - name: strat
                                              from: outcomes
                                              sampling: stratified
                                              strata: [BR, US, MX]
                                              budget: 2
                                              budgt: 3
                                          retrain:
                                            - name: both
                                              when: {alert: auc-low, dataset: strat}
                                            - name: labels
                                              when: {dataset: strat}
                                            - name: nothing
                                              when: {}
                                        """)))
                .containsExactlyElementsOf(
                        List.of(
                                "curation.rules[0].name (line 45): invalid name 'Uncertain' — expected"
                                        + " lower-case letters, digits and _, starting with a letter",
                                "curation.rules[0].select.score-min (line 47): invalid range '0.9' to '0.2'"
                                        + " — expected score-min at most score-max",
                                "curation.rules[0].select.wrong (line 49): only used with from: outcomes —"
                                        + " a prediction has no label until its outcome",
                                "curation.rules[0].sampling (line 51): invalid value 'most-uncertan' —"
                                        + " expected one of: uniform, most-uncertain, stratified",
                                "curation.rules[0].period (line 53): invalid duration '90s' — expected a"
                                        + " whole number of minutes, e.g. 1d",
                                "curation.rules[0].budget (line 54): invalid number 'lots' — expected a"
                                        + " whole number",
                                "curation.rules[1].stratify-by (line 55): missing required key — expected"
                                        + " the dimension to stratify by, e.g. country",
                                "curation.rules[1].budget (line 59): invalid number '2' — expected at least"
                                        + " one row per stratum (3 strata)",
                                "curation.rules[1].budgt (line 60): unknown key (did you mean 'budget'?)",
                                "curation.retrain[0].when.dataset (line 63): only one condition per trigger"
                                        + " — expected alert or dataset, not both",
                                "curation.retrain[1].when.labeled-rows (line 65): missing required key —"
                                        + " expected a number of labelled rows, e.g. 1000",
                                "curation.retrain[2].when.alert (line 67): missing required key — expected"
                                        + " alert (with firing-for) or dataset (with labeled-rows)"));
    }

    @Test
    void validatorErrors() {
        assertThat(
                        errors(
                                withCuration(
                                        """
                                        curation:
                                          rules:
                                            - name: br
                                              select: {slice: {contry: BR}}
                                              budget: 10
                                            - name: br
                                              sampling: stratified
                                              stratify-by: chanel
                                              strata: [web, web]
                                              budget: 10
                                          retrain:
                                            - name: t
                                              when: {alert: auc-lo, firing-for: 1h}
                                            - name: u
                                              when: {dataset: br, labeled-rows: 5}
                                              train-on: nope
                                        """)))
                .containsExactlyElementsOf(
                        List.of(
                                "curation.rules[0].select.slice.contry (line 46): unknown field 'contry'"
                                        + " (known: country, channel, merchant, model_version)",
                                "curation.rules[1].name (line 48): duplicate rule name 'br' — expected"
                                        + " unique names",
                                "curation.rules[1].stratify-by (line 50): unknown field 'chanel' (known:"
                                        + " country, channel, merchant, model_version)",
                                "curation.rules[1].strata[1] (line 51): duplicate value 'web' — list each"
                                        + " once",
                                "curation.retrain[0].when.alert (line 55): unknown alert rule 'auc-lo'"
                                        + " (known: auc-low)",
                                "curation.retrain[1].when.dataset (line 57): curation rule 'br' selects"
                                        + " predictions, which carry no labels — expected a rule with from:"
                                        + " outcomes",
                                "curation.retrain[1].train-on (line 58): unknown curation rule 'nope'"
                                        + " (known: br)"));
    }
}
