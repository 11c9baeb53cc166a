package io.hindsight.alerts;

import static io.hindsight.alerts.AlertTesting.DAY;
import static io.hindsight.alerts.AlertTesting.HOUR;
import static io.hindsight.alerts.AlertTesting.T0;
import static io.hindsight.alerts.AlertTesting.cohort;
import static io.hindsight.alerts.AlertTesting.cohortAsOf;
import static io.hindsight.alerts.AlertTesting.drift;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hindsight.alerts.AlertTesting.Operator;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.AlertState;
import io.hindsight.schemas.FeatureKind;
import io.hindsight.spec.AlertRuleSpec;
import io.hindsight.spec.ConditionType;
import io.hindsight.spec.DriftStatistic;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.junit.jupiter.api.Test;

/** The alert state per (rule, subject): fires once, resolves once, in event time. */
class AlertStateFunctionTest {

    /** auc-low: label window 60 d + metrics window 1 d, no baseline. */
    static final long AUC_RETENTION = 61 * DAY;

    static List<String> states(List<Alert> alerts) {
        return alerts.stream()
                .map(a -> a.getRule() + " " + a.getSubject() + " " + a.getState())
                .toList();
    }

    @Test
    void firesOnceOverManyViolatingRows() throws Exception {
        try (Operator op = new Operator()) {
            List<Alert> first = op.push(cohort("country=BR", 0, 1, 812).setAuc(0.71).build());

            assertThat(first).hasSize(1);
            Alert a = first.get(0);
            assertThat(a.getApplication()).isEqualTo("fraud");
            assertThat(a.getRule()).isEqualTo("auc-low");
            assertThat(a.getSeverity()).isEqualTo("critical");
            assertThat(a.getState()).isEqualTo(AlertState.FIRING);
            assertThat(a.getSource()).isEqualTo("metrics");
            assertThat(a.getSubject()).isEqualTo("country=BR");
            assertThat(a.getMeasure()).isEqualTo("auc");
            assertThat(a.getValue()).isEqualTo(0.71);
            assertThat(a.getThreshold()).isEqualTo(0.85);
            assertThat(a.getCondition()).isEqualTo("below 0.85");
            assertThat(a.getSupport()).isEqualTo(812);
            assertThat(a.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0));
            assertThat(a.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + DAY));
            // the as_of of the row that changed the state: window end + 1 h for revision 1
            assertThat(a.getEventTime()).isEqualTo(Instant.parse("2026-11-03T01:00:00Z"));
            assertThat(a.getMessage())
                    .isEqualTo(
                            "AUC of fraud on slice country=BR is 0.71, below 0.85 (support 812,"
                                    + " cohort 2026-11-02).");

            // revisions of the same cohort, then newer cohorts, all violating
            for (int revision = 2; revision <= 10; revision++) {
                assertThat(
                                op.push(
                                        cohort("country=BR", 0, revision, 800 + revision)
                                                .setAuc(0.70)
                                                .build()))
                        .isEmpty();
            }
            for (int day = 1; day <= 5; day++) {
                for (int revision = 1; revision <= 3; revision++) {
                    assertThat(
                                    op.push(
                                            cohort("country=BR", day, revision, 900)
                                                    .setAuc(0.6)
                                                    .build()))
                            .isEmpty();
                }
            }
            assertThat(op.all()).hasSize(1);
        }
    }

    @Test
    void resolvesOnceAndFiresAgainOnANewEpisode() throws Exception {
        try (Operator op = new Operator()) {
            op.push(cohort("country=BR", 0, 1, 900).setAuc(0.70).build());
            List<Alert> resolved = op.push(cohort("country=BR", 1, 1, 900).setAuc(0.91).build());

            assertThat(resolved).hasSize(1);
            Alert r = resolved.get(0);
            assertThat(r.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(r.getValue()).isEqualTo(0.91);
            assertThat(r.getEventTime()).isEqualTo(Instant.ofEpochMilli(T0 + 2 * DAY + HOUR));
            assertThat(r.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0 + DAY));
            assertThat(r.getMessage())
                    .isEqualTo(
                            "Resolved: AUC of fraud on slice country=BR is 0.91, no longer below"
                                    + " 0.85 (support 900, cohort 2026-11-03).");

            for (int revision = 2; revision <= 6; revision++) {
                assertThat(op.push(cohort("country=BR", 1, revision, 900).setAuc(0.9).build()))
                        .isEmpty();
            }
            assertThat(op.push(cohort("country=BR", 2, 1, 900).setAuc(0.85).build()))
                    .as("0.85 is not below 0.85")
                    .isEmpty();
            assertThat(states(op.push(cohort("country=BR", 3, 1, 900).setAuc(0.8).build())))
                    .containsExactly("auc-low country=BR FIRING");
            assertThat(states(op.all()))
                    .containsExactly(
                            "auc-low country=BR FIRING",
                            "auc-low country=BR RESOLVED",
                            "auc-low country=BR FIRING");
        }
    }

    @Test
    void rowsBelowMinSupportNeitherFireNorResolve() throws Exception {
        try (Operator op = new Operator()) {
            assertThat(op.push(cohort("country=BR", 0, 1, 499).setAuc(0.5).build())).isEmpty();
            assertThat(op.harness.numKeyedStateEntries())
                    .as("a subject never judged keeps no state")
                    .isZero();

            assertThat(states(op.push(cohort("country=BR", 0, 2, 500).setAuc(0.5).build())))
                    .as("exactly min-support is enough")
                    .containsExactly("auc-low country=BR FIRING");
            // a newer cohort with few labels: does not resolve, and does not take over
            assertThat(op.push(cohort("country=BR", 1, 1, 12).setAuc(0.99).build())).isEmpty();
            // so the judged cohort is still day 0, whose next revision resolves
            List<Alert> resolved = op.push(cohort("country=BR", 0, 3, 700).setAuc(0.95).build());
            assertThat(states(resolved)).containsExactly("auc-low country=BR RESOLVED");
            assertThat(resolved.get(0).getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0));
        }
    }

    @Test
    void rowsWithoutValueNeitherFireNorResolve() throws Exception {
        try (Operator op = new Operator()) {
            op.push(cohort("country=BR", 0, 1, 900).setAuc(0.5).build());
            assertThat(op.push(cohort("country=BR", 1, 1, 900).setAuc(null).build())).isEmpty();
            assertThat(op.push(cohort("country=BR", 1, 2, 900).setAuc(Double.NaN).build()))
                    .isEmpty();
            assertThat(op.all()).hasSize(1);
        }
    }

    @Test
    void revisionsOfAnOlderCohortDoNotFlipANewerOne() throws Exception {
        try (Operator op = new Operator()) {
            assertThat(op.push(cohort("country=BR", 0, 1, 600).setAuc(0.90).build())).isEmpty();
            assertThat(states(op.push(cohort("country=BR", 1, 1, 600).setAuc(0.70).build())))
                    .containsExactly("auc-low country=BR FIRING");

            // day 0 keeps receiving labels, later in event time than day 1's row: still older
            long later = T0 + 2 * DAY + 10 * HOUR;
            assertThat(op.push(cohortAsOf("country=BR", 0, 2, 900, later).setAuc(0.95).build()))
                    .as("an older cohort's revision would resolve, but must not")
                    .isEmpty();
            // an older revision of the judged cohort, arriving late
            assertThat(op.push(cohort("country=BR", 1, 3, 700).setAuc(0.72).build())).isEmpty();
            assertThat(op.push(cohort("country=BR", 1, 2, 650).setAuc(0.95).build()))
                    .as("revision 2 after revision 3")
                    .isEmpty();

            List<Alert> resolved = op.push(cohort("country=BR", 2, 1, 600).setAuc(0.93).build());
            assertThat(states(resolved)).containsExactly("auc-low country=BR RESOLVED");
            assertThat(op.push(cohort("country=BR", 1, 4, 800).setAuc(0.5).build()))
                    .as("an older cohort cannot fire either")
                    .isEmpty();
            assertThat(op.all()).hasSize(2);
        }
    }

    @Test
    void severalSlicesOfOneRuleKeepSeparateStates() throws Exception {
        try (Operator op = new Operator()) {
            op.push(cohort("country=BR", 0, 1, 900).setAuc(0.70).build());
            op.push(cohort("country=US", 0, 1, 900).setAuc(0.95).build());
            op.push(cohort("country=US", 1, 1, 900).setAuc(0.80).build());
            op.push(cohort("country=BR", 1, 1, 900).setAuc(0.90).build());
            op.push(cohort("country=US", 2, 1, 900).setAuc(0.81).build());
            // rows of other slices: no rule watches [country, channel]; recall-drop watches '*'
            op.push(cohort("country=BR,channel=web", 2, 1, 900).setAuc(0.1).build());
            op.push(cohort("*", 2, 1, 900).setAuc(0.1).build());

            assertThat(states(op.all()))
                    .containsExactly(
                            "auc-low country=BR FIRING",
                            "auc-low country=US FIRING",
                            "auc-low country=BR RESOLVED");
        }
    }

    @Test
    void dropAgainstABaselineOfEarlierCohorts() throws Exception {
        // recall-drop: population, drop 20 % against 4 d, min-support 200
        try (Operator op = new Operator()) {
            assertThat(op.push(cohort("*", -1, 1, 1000).setRecall(0.20).build()))
                    .as("the first cohort has no baseline: no alert, however low")
                    .isEmpty();
            op.push(cohort("*", 0, 1, 250).setRecall(0.90).build());
            op.push(cohort("*", 0, 2, 400).setRecall(0.80).build()); // day 0's latest revision
            op.push(cohort("*", 1, 1, 150).setRecall(0.70).build()); // below min-support
            op.push(cohort("*", 2, 1, 300).setRecall(0.84).build());
            op.push(cohort("*", 3, 1, 300).setRecall(0.78).build());
            assertThat(op.all()).isEmpty();

            // Day 4's baseline: the cohorts ending in (day 0, day 4]: day 0 (latest revision
            // 0.80), day 1 (left out: support 150 < 200), day 2, day 3. Day -1 ends at day 0
            // exactly: outside.
            double baseline4 = (0.80 + 0.84 + 0.78) / 3;
            double bound4 = baseline4 * (1 - 0.2);
            assertThat(bound4).isBetween(0.6453, 0.6454);
            assertThat(op.push(cohort("*", 4, 1, 300).setRecall(0.66).build()))
                    .as("0.66 is above %s", bound4)
                    .isEmpty();
            List<Alert> fired = op.push(cohort("*", 4, 2, 350).setRecall(0.60).build());

            assertThat(fired).hasSize(1);
            Alert a = fired.get(0);
            assertThat(a.getState()).isEqualTo(AlertState.FIRING);
            assertThat(a.getRule()).isEqualTo("recall-drop");
            assertThat(a.getSeverity()).isEqualTo("warning");
            assertThat(a.getSubject()).isEqualTo("*");
            assertThat(a.getMeasure()).isEqualTo("recall");
            assertThat(a.getThreshold()).isCloseTo(bound4, within(1e-12));
            assertThat(a.getCondition()).isEqualTo("drop 20% against the 4d baseline 0.807");
            assertThat(a.getMessage())
                    .isEqualTo(
                            "Recall of fraud on all predictions is 0.6, 25.6% below its 4d"
                                    + " baseline 0.807, more than the 20% allowed (support 350,"
                                    + " cohort 2026-11-06).");

            // Day 5: cohorts ending in (day 1, day 5]: day 1 (left out), 2, 3, 4 (latest 0.60).
            double baseline5 = (0.84 + 0.78 + 0.60) / 3;
            List<Alert> resolved = op.push(cohort("*", 5, 1, 300).setRecall(0.75).build());
            assertThat(resolved).hasSize(1);
            assertThat(resolved.get(0).getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(resolved.get(0).getThreshold()).isCloseTo(baseline5 * 0.8, within(1e-12));
            assertThat(resolved.get(0).getMessage())
                    .isEqualTo(
                            "Resolved: recall of fraud on all predictions is 0.75, within 20% of"
                                    + " its 4d baseline 0.74 (support 300, cohort 2026-11-07).");
        }
    }

    @Test
    void dropHistoryStaysWithinTheBaselineAndTheRetention() throws Exception {
        try (Operator op = new Operator()) {
            for (int day = 0; day < 120; day++) {
                op.push(cohort("*", day, 1, 300).setRecall(0.8).build());
            }
            // every cohort judged: windows ending after (day 119 − 4 d), i.e. days 115..119
            assertThat(history(op, "fraud\u0000recall-drop\u0000*")).hasSize(5);
            assertThat(op.all()).isEmpty();

            // a slice that never reaches min-support: bounded by the retention instead
            for (int day = 0; day < 120; day++) {
                op.push(cohort("*", day, 2, 10).setRecall(0.8).build());
            }
            assertThat(history(op, "fraud\u0000recall-drop\u0000*")).hasSize(5);
        }
        try (Operator op = new Operator()) {
            for (int day = 0; day < 120; day++) {
                op.push(cohort("*", day, 1, 10).setRecall(0.8).build());
            }
            // nothing judged: windows ending after (last as_of − (60 d + 1 d + 4 d)). The last
            // as_of is day 120 + 1 h, so windows ending on days 56..120: 65 of them.
            assertThat(history(op, "fraud\u0000recall-drop\u0000*")).hasSize(65);
        }
    }

    static Map<Long, CohortValue> history(Operator op, String key) throws Exception {
        KeyedStateBackend<String> backend = op.harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(key);
        MapState<Long, CohortValue> state =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        AlertStateFunction.HISTORY);
        Map<Long, CohortValue> copy = new java.util.TreeMap<>();
        for (Map.Entry<Long, CohortValue> e : state.entries()) {
            copy.put(e.getKey(), e.getValue());
        }
        return copy;
    }

    @Test
    void aDriftRuleReadsTheRowsSizeAwareVerdict() throws Exception {
        try (Operator op = new Operator()) {
            // 100 values: noise alone gives a PSI up to 0.45, so 0.3 is no drift ...
            assertThat(
                            op.push(
                                    drift("amount", FeatureKind.NUMERIC, 0, 100)
                                            .setPsi(0.3)
                                            .setInsufficientData(false)
                                            .setNoiseThresholds(Map.of("psi", 0.45))
                                            .build()))
                    .isEmpty();
            // ... too few values to decide: neither fires nor resolves, whatever the PSI ...
            assertThat(
                            op.push(
                                    drift("amount", FeatureKind.NUMERIC, 1, 120)
                                            .setPsi(2.0)
                                            .setInsufficientData(true)
                                            .build()))
                    .isEmpty();
            // ... and above its noise threshold it fires, saying the bound it cleared.
            List<Alert> fired =
                    op.push(
                            drift("amount", FeatureKind.NUMERIC, 2, 100)
                                    .setPsi(0.5)
                                    .setInsufficientData(false)
                                    .setNoiseThresholds(Map.of("psi", 0.45))
                                    .build());
            assertThat(states(fired)).containsExactly("amount-psi amount FIRING");
            assertThat(fired.get(0).getThreshold()).isEqualTo(0.45);
            assertThat(fired.get(0).getMessage())
                    .isEqualTo(
                            "PSI of amount in fraud is 0.5, above 0.45 (100 values, window"
                                    + " 2026-11-02T02:00Z/2026-11-02T03:00Z).");
            // A large window's noise threshold is below the floor, which then applies.
            List<Alert> resolved =
                    op.push(
                            drift("amount", FeatureKind.NUMERIC, 3, 10_000)
                                    .setPsi(0.15)
                                    .setInsufficientData(false)
                                    .setNoiseThresholds(Map.of("psi", 0.004))
                                    .build());
            assertThat(states(resolved)).containsExactly("amount-psi amount RESOLVED");
            assertThat(resolved.get(0).getThreshold()).isEqualTo(0.2);
        }
    }

    @Test
    void driftRuleWithoutConditionUsesTheDefaultThreshold() throws Exception {
        JobSpec spec = AlertTesting.spec();
        double psi = spec.drift().thresholds().threshold(DriftStatistic.PSI);
        AlertRuleSpec rule =
                spec.alerts().stream().filter(r -> r.name().equals("amount-psi")).findFirst().get();
        assertThat(rule.condition().type()).isEqualTo(ConditionType.ABOVE);
        assertThat(rule.condition().threshold()).isEqualTo(psi);

        try (Operator op = new Operator()) {
            assertThat(
                            op.push(
                                    drift("amount", FeatureKind.NUMERIC, 0, 5000)
                                            .setPsi(psi - 0.01)
                                            .build()))
                    .isEmpty();
            List<Alert> fired =
                    op.push(drift("amount", FeatureKind.NUMERIC, 1, 5000).setPsi(0.25).build());

            assertThat(states(fired)).containsExactly("amount-psi amount FIRING");
            Alert a = fired.get(0);
            assertThat(a.getThreshold()).isEqualTo(psi);
            assertThat(a.getCondition()).isEqualTo("above 0.2");
            assertThat(a.getSource()).isEqualTo("drift");
            assertThat(a.getMeasure()).isEqualTo("psi");
            assertThat(a.getSupport()).isEqualTo(5000);
            assertThat(a.getEventTime()).isEqualTo(Instant.ofEpochMilli(T0 + 2 * HOUR));
            assertThat(a.getMessage())
                    .isEqualTo(
                            "PSI of amount in fraud is 0.25, above 0.2 (5000 values, window"
                                    + " 2026-11-02T01:00Z/2026-11-02T02:00Z).");
            assertThat(op.push(drift("amount", FeatureKind.NUMERIC, 2, 99).setPsi(0.01).build()))
                    .as("min-support defaults to 100 values")
                    .isEmpty();
        }

        // the default follows drift.thresholds
        JobSpec custom =
                SpecLoader.parse(
                        AlertTesting.SPEC.replace(
                                "drift:\n  window: 1h\n",
                                "drift:\n  window: 1h\n  thresholds: {psi: 0.3}\n"),
                        Map.of());
        try (Operator op = new Operator(AlertRules.of(custom), null)) {
            assertThat(op.push(drift("amount", FeatureKind.NUMERIC, 1, 5000).setPsi(0.25).build()))
                    .isEmpty();
            assertThat(op.push(drift("amount", FeatureKind.NUMERIC, 2, 5000).setPsi(0.31).build()))
                    .singleElement()
                    .satisfies(a -> assertThat(a.getThreshold()).isEqualTo(0.3));
        }
    }

    @Test
    void optInPValueMustAlsoBeBelowItsBound() throws Exception {
        // amount-ks: KS above 0.1 with p-value below 0.01 (numeric: ks_p_value)
        try (Operator op = new Operator()) {
            assertThat(
                            op.push(
                                    drift("amount", FeatureKind.NUMERIC, 0, 5000)
                                            .setKolmogorovSmirnov(0.3)
                                            .setKsPValue(0.2)
                                            .build()))
                    .as("the effect alone does not fire")
                    .isEmpty();
            List<Alert> fired =
                    op.push(
                            drift("amount", FeatureKind.NUMERIC, 1, 5000)
                                    .setKolmogorovSmirnov(0.3)
                                    .setKsPValue(0.001)
                                    .build());
            assertThat(states(fired)).containsExactly("amount-ks amount FIRING");
            assertThat(fired.get(0).getCondition()).isEqualTo("above 0.1 with p-value below 0.01");
            assertThat(fired.get(0).getMessage())
                    .isEqualTo(
                            "Kolmogorov-Smirnov D of amount in fraud is 0.3, above 0.1 with"
                                    + " p-value 0.001, below 0.01 (5000 values, window"
                                    + " 2026-11-02T01:00Z/2026-11-02T02:00Z).");
            assertThat(
                            op.push(
                                    drift("amount", FeatureKind.NUMERIC, 2, 5000)
                                            .setKolmogorovSmirnov(0.3)
                                            .build()))
                    .as("no p-value: not judged")
                    .isEmpty();
            List<Alert> resolved =
                    op.push(
                            drift("amount", FeatureKind.NUMERIC, 3, 5000)
                                    .setKolmogorovSmirnov(0.3)
                                    .setKsPValue(0.5)
                                    .build());
            assertThat(states(resolved)).containsExactly("amount-ks amount RESOLVED");
            assertThat(resolved.get(0).getMessage())
                    .isEqualTo(
                            "Resolved: Kolmogorov-Smirnov D of amount in fraud is 0.3, above 0.1,"
                                    + " but its p-value 0.5 is not below 0.01 (5000 values, window"
                                    + " 2026-11-02T03:00Z/2026-11-02T04:00Z).");
        }
        // merchant-chi: categorical, so chi_square_p_value counts and ks_p_value does not
        try (Operator op = new Operator()) {
            assertThat(
                            op.push(
                                    drift("merchant", FeatureKind.CATEGORICAL, 0, 5000)
                                            .setChiSquare(25.0)
                                            .setKsPValue(0.0001)
                                            .setChiSquarePValue(0.3)
                                            .build()))
                    .isEmpty();
            assertThat(
                            states(
                                    op.push(
                                            drift("merchant", FeatureKind.CATEGORICAL, 1, 5000)
                                                    .setChiSquare(25.0)
                                                    .setChiSquarePValue(0.01)
                                                    .build())))
                    .containsExactly("merchant-chi merchant FIRING");
        }
    }

    @Test
    void missingRateIsGatedOnPredictionsNotValues() throws Exception {
        try (Operator op = new Operator()) {
            List<Alert> fired =
                    op.push(
                            drift("amount", FeatureKind.NUMERIC, 0, 0)
                                    .setPredictions(4000)
                                    .setMissingRate(1.0)
                                    .build());
            assertThat(states(fired)).containsExactly("amount-missing amount FIRING");
            assertThat(fired.get(0).getSupport()).isEqualTo(4000);
            assertThat(fired.get(0).getMessage())
                    .isEqualTo(
                            "Missing rate of amount in fraud is 1, above 0.2 (4000 predictions,"
                                    + " window 2026-11-02T00:00Z/2026-11-02T01:00Z).");
        }
    }

    @Test
    void snapshotAndRestoreWhileFiringDoesNotFireAgain() throws Exception {
        OperatorSubtaskState snapshot;
        try (Operator op = new Operator()) {
            op.push(cohort("country=BR", 0, 1, 900).setAuc(0.70).build());
            op.push(cohort("*", -1, 1, 1000).setRecall(0.80).build());
            assertThat(op.all()).hasSize(1);
            snapshot = op.harness.snapshot(1L, T0 + 2 * DAY);
        }
        try (Operator op = new Operator(AlertTesting.rules(), snapshot)) {
            assertThat(op.harness.numKeyedStateEntries()).isEqualTo(3);
            assertThat(op.push(cohort("country=BR", 0, 2, 900).setAuc(0.69).build())).isEmpty();
            assertThat(op.push(cohort("country=BR", 1, 1, 900).setAuc(0.60).build())).isEmpty();
            // the restored history is the baseline: 0.80 → bound 0.64
            assertThat(states(op.push(cohort("*", 0, 1, 300).setRecall(0.63).build())))
                    .containsExactly("recall-drop * FIRING");
            // the restored expiry timer moved with the last row (as_of day 2 + 1 h)
            long expiry = T0 + 2 * DAY + HOUR + AUC_RETENTION;
            assertThat(op.watermark(expiry - 1)).isEmpty();
            assertThat(states(op.watermark(expiry))).containsExactly("auc-low country=BR RESOLVED");
        }
    }

    @Test
    void aFiringAlertOfARuleRemovedFromTheSpecResolvesAtItsExpiry() throws Exception {
        OperatorSubtaskState snapshot;
        try (Operator op = new Operator()) {
            op.push(cohort("country=BR", 0, 1, 900).setAuc(0.70).build());
            snapshot = op.harness.snapshot(1L, T0 + 2 * DAY);
        }
        String withoutAucLow =
                AlertTesting.SPEC.replace(
                        """
                          - name: auc-low
                            source: metrics
                            metric: auc
                            slice: [country]
                            condition: {below: 0.85}
                            min-support: 500
                            severity: critical
                        """,
                        "");
        JobSpec spec = SpecLoader.parse(withoutAucLow, Map.of());
        assertThat(spec.alerts()).extracting(AlertRuleSpec::name).doesNotContain("auc-low");
        try (Operator op = new Operator(AlertRules.of(spec), snapshot)) {
            List<Alert> resolved = op.watermark(T0 + DAY + HOUR + AUC_RETENTION);
            assertThat(resolved).hasSize(1);
            Alert a = resolved.get(0);
            assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.getRule()).isEqualTo("auc-low");
            assertThat(a.getSeverity()).isEqualTo("critical");
            assertThat(a.getSource()).isEqualTo("metrics");
            assertThat(a.getMeasure()).isEqualTo("auc");
            assertThat(a.getMessage())
                    .isEqualTo(
                            "Resolved: alert rule 'auc-low' of fraud on country=BR is no longer in"
                                    + " the spec (last data 2026-11-03T01:00Z).");
            assertThat(op.harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aSubjectNotReportedForTheRetentionResolvesAndIsForgotten() throws Exception {
        try (Operator op = new Operator()) {
            op.push(cohort("country=BR", 0, 1, 900).setAuc(0.70).build());
            long lastAsOf = T0 + DAY + HOUR;
            assertThat(op.watermark(lastAsOf + AUC_RETENTION - 1)).isEmpty();
            List<Alert> expired = op.watermark(lastAsOf + AUC_RETENTION);

            assertThat(expired).hasSize(1);
            Alert a = expired.get(0);
            assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.getValue()).isNull();
            assertThat(a.getSupport()).isZero();
            assertThat(a.getEventTime()).isEqualTo(Instant.ofEpochMilli(lastAsOf + AUC_RETENTION));
            assertThat(a.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0));
            assertThat(a.getThreshold()).isEqualTo(0.85);
            assertThat(a.getMessage())
                    .isEqualTo(
                            "Resolved: AUC of fraud on slice country=BR has had no data since"
                                    + " 2026-11-03T01:00Z; the alert closes after 61d without"
                                    + " any.");
            assertThat(op.harness.numKeyedStateEntries()).isZero();
            assertThat(op.harness.numEventTimeTimers()).isZero();

            // a new row starts a new episode
            assertThat(states(op.push(cohort("country=BR", 90, 1, 900).setAuc(0.70).build())))
                    .containsExactly("auc-low country=BR FIRING");
        }
    }

    @Test
    void eachRowMovesTheOneExpiryTimer() throws Exception {
        try (Operator op = new Operator()) {
            op.push(cohort("country=BR", 0, 1, 900).setAuc(0.70).build());
            op.push(cohort("country=BR", 0, 2, 12).setAuc(0.99).build()); // as_of + 1 h
            assertThat(op.harness.numEventTimeTimers()).isEqualTo(1);
            long firstExpiry = T0 + DAY + HOUR + AUC_RETENTION;
            assertThat(op.watermark(firstExpiry)).isEmpty();
            assertThat(op.watermark(firstExpiry + HOUR)).hasSize(1);
        }
    }

    @Test
    void theEndOfABoundedInputLeavesFiringAlertsFiring() throws Exception {
        try (Operator op = new Operator()) {
            op.push(cohort("country=BR", 0, 1, 900).setAuc(0.70).build());
            assertThat(op.watermark(Long.MAX_VALUE)).isEmpty();
            assertThat(op.harness.numKeyedStateEntries()).isZero();
        }
    }
}
