package io.hindsight.curation;

import io.hindsight.schemas.CuratedRecord;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.CurationRuleSpec;
import io.hindsight.spec.CurationSampling;
import io.hindsight.spec.CurationSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** Rules, records and an exact reference selection for the curation tests. */
final class CurationTesting {

    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    static final long T0 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
    static final String[] COUNTRIES = {"BR", "US", "MX", "DE"};

    private CurationTesting() {}

    static CurationRuleSpec rule(
            String name, CurationSampling sampling, int budget, Duration period) {
        return new CurationRuleSpec(
                name,
                CurationSource.PREDICTIONS,
                null,
                null,
                0.5,
                null,
                false,
                Map.of(),
                null,
                sampling,
                sampling == CurationSampling.STRATIFIED ? "country" : null,
                sampling == CurationSampling.STRATIFIED ? List.of("BR", "US", "MX") : List.of(),
                budget,
                period,
                17L);
    }

    static Map<String, CurationRule> compiled(CurationRuleSpec... specs) {
        Map<String, CurationRule> rules = new LinkedHashMap<>();
        for (CurationRuleSpec s : specs) {
            rules.put(s.name(), new CurationRule("fraud", s, 60 * DAY));
        }
        return rules;
    }

    static Prediction prediction(String id, long time, double score, String country) {
        return Prediction.newBuilder()
                .setApplication("fraud")
                .setPredictionId(id)
                .setEventTime(Instant.ofEpochMilli(time))
                .setModelName("fraud-gbm")
                .setModelVersion("v7")
                .setScore(score)
                .setNumericFeatures(Map.of("amount", score * 100))
                .setCategoricalFeatures(Map.of("channel", "web"))
                .setTags(Map.of("country", country))
                .setDuplicate(false)
                .build();
    }

    static Outcome outcome(Prediction p, Double label, long resolvedAt) {
        return Outcome.newBuilder()
                .setApplication(p.getApplication())
                .setPredictionId(p.getPredictionId())
                .setPredictionTime(p.getEventTime())
                .setModelName(p.getModelName())
                .setModelVersion(p.getModelVersion())
                .setScore(p.getScore())
                .setNumericFeatures(p.getNumericFeatures())
                .setCategoricalFeatures(p.getCategoricalFeatures())
                .setTags(p.getTags())
                .setStatus(label == null ? OutcomeStatus.EXPIRED : OutcomeStatus.LABELED)
                .setPolicy("first")
                .setRevision(1)
                .setIsFinal(true)
                .setFeedbackCount(label == null ? 0 : 1)
                .setFeedbackId(label == null ? null : "f-" + p.getPredictionId())
                .setFeedbackTime(label == null ? null : Instant.ofEpochMilli(resolvedAt))
                .setLabel(label)
                .setResolvedTime(Instant.ofEpochMilli(resolvedAt))
                .build();
    }

    /** {@code n} predictions over {@code days} days from T0, in random order. */
    static List<Prediction> predictions(int n, int days, long seed) {
        Random random = new Random(seed);
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = T0 + (long) (random.nextDouble() * days * DAY);
            out.add(
                    prediction(
                            "p-" + i,
                            t,
                            Math.round(random.nextDouble() * 1000) / 1000.0,
                            COUNTRIES[random.nextInt(COUNTRIES.length)]));
        }
        java.util.Collections.shuffle(out, random);
        return out;
    }

    /** Every candidate of every rule, in input order. */
    static List<CuratedRecord> candidates(Map<String, CurationRule> rules, List<Prediction> ps) {
        List<CuratedRecord> out = new ArrayList<>();
        CurationCandidates<Prediction> f =
                new CurationCandidates<>(List.copyOf(rules.values()), CurationRule::candidate);
        for (Prediction p : ps) {
            f.flatMap(p, new org.apache.flink.api.common.functions.util.ListCollector<>(out));
        }
        return out;
    }

    /**
     * The exact selection, computed independently: per (rule, stratum, period), every distinct
     * candidate sorted by its priority with the seeded hash recomputed here, the first k. Returns
     * "tag stratum rank id" lines.
     */
    static List<String> expected(Map<String, CurationRule> rules, List<Prediction> ps) {
        Map<String, Map<String, Prediction>> groups = new TreeMap<>();
        for (Prediction p : ps) {
            for (CurationRule rule : rules.values()) {
                CurationRuleSpec s = rule.spec;
                String country = p.getTags().get("country");
                String stratum = null;
                if (s.sampling() == CurationSampling.STRATIFIED) {
                    if (!s.strata().contains(country)) {
                        continue;
                    }
                    stratum = country;
                }
                if (s.uncertainWithin() != null
                        && !(Math.abs(p.getScore() - s.threshold()) < s.uncertainWithin())) {
                    continue;
                }
                long start =
                        Math.floorDiv(p.getEventTime().toEpochMilli(), s.period().toMillis())
                                * s.period().toMillis();
                String group = rule.tag(start) + " " + stratum;
                groups.computeIfAbsent(group, g -> new LinkedHashMap<>())
                        .putIfAbsent(p.getPredictionId(), p);
            }
        }
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Map<String, Prediction>> g : groups.entrySet()) {
            String ruleName = g.getKey().split("-")[1];
            CurationRule rule = rules.get(ruleName);
            CurationRuleSpec s = rule.spec;
            int k =
                    s.sampling() == CurationSampling.STRATIFIED
                            ? s.budget() / s.strata().size()
                            : s.budget();
            Comparator<Prediction> order =
                    Comparator.<Prediction>comparingDouble(
                                    p ->
                                            s.sampling() == CurationSampling.MOST_UNCERTAIN
                                                    ? Math.abs(p.getScore() - s.threshold())
                                                    : 0.0)
                            .thenComparingLong(
                                    p ->
                                            org.apache.datasketches.hash.MurmurHash3.hash(
                                                    p.getPredictionId()
                                                            .getBytes(
                                                                    java.nio.charset
                                                                            .StandardCharsets
                                                                            .UTF_8),
                                                    s.seed())[0])
                            .thenComparing(Prediction::getPredictionId);
            List<Prediction> sorted =
                    g.getValue().values().stream().sorted(order).collect(Collectors.toList());
            for (int i = 0; i < Math.min(k, sorted.size()); i++) {
                lines.add(g.getKey() + " " + (i + 1) + " " + sorted.get(i).getPredictionId());
            }
        }
        java.util.Collections.sort(lines);
        return lines;
    }

    static List<String> lines(List<CuratedRecord> rows) {
        return rows.stream()
                .map(
                        r ->
                                r.getDatasetVersion()
                                        + " "
                                        + r.getStratum()
                                        + " "
                                        + r.getSelectionRank()
                                        + " "
                                        + r.getPredictionId())
                .sorted()
                .toList();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, CuratedRecord, CuratedRecord> harness(
            Map<String, CurationRule> rules, OperatorSubtaskState restore) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new CurationSelectFunction(rules)),
                        CurationRule::key,
                        Types.STRING);
        harness.setup();
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }
}
