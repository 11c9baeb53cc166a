package io.hindsight.curation;

import static io.hindsight.curation.CurationTesting.DAY;
import static io.hindsight.curation.CurationTesting.HOUR;
import static io.hindsight.curation.CurationTesting.T0;
import static io.hindsight.curation.CurationTesting.candidates;
import static io.hindsight.curation.CurationTesting.compiled;
import static io.hindsight.curation.CurationTesting.expected;
import static io.hindsight.curation.CurationTesting.harness;
import static io.hindsight.curation.CurationTesting.lines;
import static io.hindsight.curation.CurationTesting.outcome;
import static io.hindsight.curation.CurationTesting.prediction;
import static io.hindsight.curation.CurationTesting.predictions;
import static io.hindsight.curation.CurationTesting.rule;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.CuratedRecord;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.CurationRuleSpec;
import io.hindsight.spec.CurationSampling;
import io.hindsight.spec.CurationSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/**
 * The bottom-k selection per rule, stratum and period, against an exact computation (every
 * candidate sorted by priority, the first k), with watermarks, timers and snapshot → restore.
 */
class CurationSelectFunctionTest {

    static final Map<String, CurationRule> RULES =
            compiled(
                    rule("uniform", CurationSampling.UNIFORM, 25, Duration.ofDays(1)),
                    new CurationRuleSpec(
                            "uncertain",
                            CurationSource.PREDICTIONS,
                            null,
                            null,
                            0.5,
                            0.2,
                            false,
                            Map.of(),
                            null,
                            CurationSampling.MOST_UNCERTAIN,
                            null,
                            List.of(),
                            10,
                            Duration.ofHours(12),
                            3L),
                    rule("strata", CurationSampling.STRATIFIED, 12, Duration.ofDays(2)));

    /** Feeds the candidates in order, a watermark after every {@code every}; returns the rows. */
    static List<CuratedRecord> run(List<Prediction> ps, int every) throws Exception {
        try (var h = harness(RULES, null)) {
            long maxTime = Long.MIN_VALUE;
            int i = 0;
            for (CuratedRecord c : candidates(RULES, ps)) {
                h.processElement(c, c.getPredictionTime().toEpochMilli());
                maxTime = Math.max(maxTime, c.getPredictionTime().toEpochMilli());
                if (++i % every == 0) {
                    h.processWatermark(maxTime - 7 * DAY); // far behind: nothing is late
                }
            }
            h.processWatermark(Long.MAX_VALUE);
            return h.extractOutputValues();
        }
    }

    @Test
    void selectsExactlyTheBottomKOfEveryRuleStratumAndPeriod() throws Exception {
        List<Prediction> ps = predictions(3000, 6, 1);

        List<CuratedRecord> rows = run(ps, 100);

        List<String> exact = expected(RULES, ps);
        assertThat(exact).hasSizeGreaterThan(200);
        assertThat(lines(rows)).containsExactlyElementsOf(exact);
    }

    @Test
    void theSameRowsWhateverTheArrivalOrder() throws Exception {
        List<Prediction> ps = predictions(2000, 5, 2);
        List<Prediction> reversed = new ArrayList<>(ps);
        java.util.Collections.reverse(reversed);

        assertThat(lines(run(reversed, 7))).containsExactlyElementsOf(lines(run(ps, 500)));
    }

    @Test
    void aPeriodIsEmittedWhenTheWatermarkPassesItsEndAndItsStateIsDropped() throws Exception {
        Map<String, CurationRule> rules =
                compiled(rule("uniform", CurationSampling.UNIFORM, 3, Duration.ofDays(1)));
        try (var h = harness(rules, null)) {
            for (int i = 0; i < 10; i++) {
                for (CuratedRecord c :
                        candidates(
                                rules, List.of(prediction("d1-" + i, T0 + i * HOUR, 0.1, "BR")))) {
                    h.processElement(c, c.getPredictionTime().toEpochMilli());
                }
            }
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            // Bounded: at most the budget per open period.
            assertThat(heldRows(h, "uniform\u0000\u0000" + T0)).isEqualTo(3);

            h.processWatermark(T0 + DAY - 2);
            assertThat(h.extractOutputValues()).isEmpty();

            h.processWatermark(T0 + DAY - 1);
            List<CuratedRecord> rows = h.extractOutputValues();
            assertThat(rows).hasSize(3);
            assertThat(rows).extracting(CuratedRecord::getSelectionRank).containsExactly(1, 2, 3);
            assertThat(rows)
                    .extracting(CuratedRecord::getDatasetVersion)
                    .containsOnly("fraud-uniform-2026-03-01");
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();

            List<CurationPeriod> periods = new ArrayList<>();
            h.getSideOutput(CurationSelectFunction.PERIODS).forEach(r -> periods.add(r.getValue()));
            assertThat(periods)
                    .containsExactly(
                            new CurationPeriod(
                                    "uniform",
                                    null,
                                    T0,
                                    T0 + DAY,
                                    T0 + DAY - 1,
                                    "fraud-uniform-2026-03-01",
                                    3,
                                    0));
        }
    }

    static int heldRows(
            org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness<
                            String, CuratedRecord, CuratedRecord>
                    h,
            String key)
            throws Exception {
        org.apache.flink.runtime.state.KeyedStateBackend<String> backend =
                h.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(key);
        var rows =
                backend.getPartitionedState(
                        org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                        org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                        CurationSelectFunction.ROWS);
        int n = 0;
        for (var ignored : rows.keys()) {
            n++;
        }
        return n;
    }

    @Test
    void aCandidateOfAPeriodAlreadyEmittedIsCountedLateAndNotAdded() throws Exception {
        Map<String, CurationRule> rules =
                compiled(rule("uniform", CurationSampling.UNIFORM, 3, Duration.ofDays(1)));
        try (var h = harness(rules, null)) {
            h.processWatermark(T0 + DAY);
            for (CuratedRecord c :
                    candidates(rules, List.of(prediction("late", T0 + HOUR, 0.1, "BR")))) {
                h.processElement(c, c.getPredictionTime().toEpochMilli());
            }
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aRepeatedCandidateIsSelectedOnce() throws Exception {
        Map<String, CurationRule> rules =
                compiled(rule("uniform", CurationSampling.UNIFORM, 5, Duration.ofDays(1)));
        Prediction p = prediction("same", T0 + HOUR, 0.3, "BR");
        try (var h = harness(rules, null)) {
            for (int i = 0; i < 3; i++) {
                for (CuratedRecord c : candidates(rules, List.of(p))) {
                    h.processElement(c, c.getPredictionTime().toEpochMilli());
                }
            }
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues())
                    .extracting(CuratedRecord::getPredictionId)
                    .containsExactly("same");
        }
    }

    @Test
    void snapshotAndRestoreInTheMiddleOfAPeriodSelectTheSameRows() throws Exception {
        List<Prediction> ps = predictions(1500, 4, 3);
        List<CuratedRecord> all = candidates(RULES, ps);
        int half = all.size() / 2;
        long closedAt = T0 + DAY + 11 * HOUR; // closes the 12 h periods of day 1 and earlier

        OperatorSubtaskState snapshot;
        List<CuratedRecord> before;
        try (var h = harness(RULES, null)) {
            for (CuratedRecord c : all.subList(0, half)) {
                h.processElement(c, c.getPredictionTime().toEpochMilli());
            }
            h.processWatermark(closedAt);
            for (CuratedRecord c : all.subList(half, half + 10)) {
                h.processElement(c, c.getPredictionTime().toEpochMilli()); // watermark seen
            }
            before = new ArrayList<>(h.extractOutputValues());
            snapshot = h.snapshot(1, 1);
            // Work after the snapshot is lost with the crash.
            for (CuratedRecord c : all.subList(half + 10, all.size())) {
                h.processElement(c, c.getPredictionTime().toEpochMilli());
            }
        }
        List<CuratedRecord> after;
        try (var h = harness(RULES, snapshot)) {
            // The replay after the checkpoint: its candidates of closed periods stay late.
            for (CuratedRecord c : all.subList(half + 10, all.size())) {
                h.processElement(c, c.getPredictionTime().toEpochMilli());
            }
            h.processWatermark(Long.MAX_VALUE);
            after = h.extractOutputValues();
        }
        List<CuratedRecord> both = new ArrayList<>(before);
        both.addAll(after);

        // The exact selection of the candidates that were not late: per rule, by id.
        List<String> exact = new ArrayList<>();
        for (String name : RULES.keySet()) {
            CurationRule rule = RULES.get(name);
            List<Prediction> onTime = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                CuratedRecord c = all.get(i);
                boolean late =
                        i >= half && rule.readyAt(c.getPeriodStart().toEpochMilli()) <= closedAt;
                if (c.getRule().equals(name) && !late) {
                    onTime.add(
                            prediction(
                                    c.getPredictionId(),
                                    c.getPredictionTime().toEpochMilli(),
                                    c.getScore(),
                                    c.getTags().get("country")));
                }
            }
            exact.addAll(expected(Map.of(name, rule), onTime));
        }
        java.util.Collections.sort(exact);
        assertThat(before).isNotEmpty();
        assertThat(after).isNotEmpty();
        assertThat(lines(both)).containsExactlyElementsOf(exact);
    }

    @Test
    void aRuleOnOutcomesWaitsForTheLabelWindowAndSelectsWrongPredictions() throws Exception {
        Map<String, CurationRule> rules =
                compiled(
                        new CurationRuleSpec(
                                "wrong_br",
                                CurationSource.OUTCOMES,
                                null,
                                null,
                                0.5,
                                null,
                                true,
                                Map.of("country", "BR"),
                                "v7",
                                CurationSampling.UNIFORM,
                                null,
                                List.of(),
                                10,
                                Duration.ofDays(1),
                                5L));
        CurationRule rule = rules.get("wrong_br");
        try (var h = harness(rules, null)) {
            List<CuratedRecord> in = new ArrayList<>();
            // Wrong: high score, label 0; and low score, label 1.
            in.add(rule.candidate(outcome(prediction("a", T0 + HOUR, 0.9, "BR"), 0.0, T0 + DAY)));
            in.add(rule.candidate(outcome(prediction("b", T0 + HOUR, 0.1, "BR"), 1.0, T0 + DAY)));
            // Right, another slice, or without a label: not candidates.
            assertThat(rule.candidate(outcome(prediction("c", T0, 0.9, "BR"), 1.0, T0 + DAY)))
                    .isNull();
            assertThat(rule.candidate(outcome(prediction("d", T0, 0.9, "US"), 0.0, T0 + DAY)))
                    .isNull();
            assertThat(rule.candidate(outcome(prediction("e", T0, 0.9, "BR"), null, T0 + DAY)))
                    .isNull();
            for (CuratedRecord c : in) {
                h.processElement(new StreamRecord<>(c, T0 + DAY));
            }
            h.processWatermark(T0 + DAY + 30 * DAY);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(T0 + DAY - 1 + 60 * DAY);
            assertThat(h.extractOutputValues())
                    .extracting(CuratedRecord::getPredictionId)
                    .containsExactlyInAnyOrder("a", "b");
            assertThat(h.extractOutputValues())
                    .extracting(CuratedRecord::getCandidateId)
                    .containsExactlyInAnyOrder("a/1", "b/1");
            assertThat(h.extractOutputValues())
                    .extracting(CuratedRecord::getStatus)
                    .containsOnly("LABELED");
        }
    }
}
