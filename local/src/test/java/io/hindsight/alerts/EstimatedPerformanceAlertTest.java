package io.hindsight.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.metrics.CohortAccumulator;
import io.hindsight.metrics.SliceMetricRows;
import io.hindsight.metrics.SliceMetricsConfig;
import io.hindsight.metrics.SliceMetricsFolder;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.AlertState;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.sim.FraudSchemas;
import io.hindsight.sim.FraudSimulator;
import io.hindsight.sim.SimulatedEvent;
import io.hindsight.sim.SimulationPlan;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import io.hindsight.window.PartialFolder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

/**
 * An alert rule on {@code auc-delta} (realized − estimated AUC) over the demo's simulated payments:
 * it fires on the slice whose labels stopped following the scores (country BR, model v7, after the
 * injection) and on no other. The simulated predictions and their first feedback become final
 * outcome rows as the join makes them (label from the first feedback, expired without one); the
 * slice metrics and the alert operator are Hindsight's own.
 */
class EstimatedPerformanceAlertTest {

    static final String RULE =
            """
              - name: auc-below-estimate
                source: metrics
                metric: auc-delta
                slice: [country, model_version]
                condition: {below: -0.2}
                min-support: 200
                severity: critical
            """;

    static final String DEGRADED =
            "country="
                    + FraudSimulator.DEGRADED_COUNTRY
                    + ",model_version="
                    + FraudSimulator.DEGRADED_VERSION;

    @Test
    void aRuleOnRealizedMinusEstimatedAucFiresOnTheDegradedSliceOnly() throws Exception {
        String yaml =
                AlertTesting.SPEC
                                .replace(
                                        "window: 1d\n  slices: [[country], [country, channel]]",
                                        "window: 7d\n  slices: [[country], [country, model_version]]")
                                .replace("baseline: 4d", "baseline: 14d")
                        + RULE;
        JobSpec spec = SpecLoader.parse(yaml, Map.of());
        SliceMetricsConfig config = SliceMetricsConfig.of(spec);

        // Four weekly cohorts (aligned to the epoch, a Thursday): v7 from the second, the
        // injection at the start of the fourth, as in the demo's run.
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        SimulationPlan plan = SimulationPlan.defaults(11, start, Duration.ofDays(28), 250);
        Path examples =
                Path.of(System.getProperty("hindsight.home", "..")).resolve("examples/fraud");
        FraudSimulator simulator = new FraudSimulator(plan, FraudSchemas.load(examples));

        Map<String, Prediction> predictions = new HashMap<>();
        Map<String, SimulatedEvent> firstFeedback = new HashMap<>();
        for (SimulatedEvent e : simulator) {
            SimulatedEvent.Truth t = e.truth();
            if (e.kind() == SimulatedEvent.Kind.PREDICTION && !t.duplicate()) {
                GenericRecord r = e.record();
                GenericRecord context = (GenericRecord) r.get("context");
                predictions.put(
                        e.key(),
                        Prediction.newBuilder()
                                .setApplication("fraud")
                                .setPredictionId(e.key())
                                .setEventTime(Instant.ofEpochMilli(e.timestampMillis()))
                                .setModelName(FraudSimulator.MODEL_NAME)
                                .setModelVersion(t.modelVersion())
                                .setScore((Double) r.get("fraud_probability"))
                                .setTags(Map.of("country", context.get("country").toString()))
                                .build());
            } else if (e.kind() == SimulatedEvent.Kind.FEEDBACK && !t.duplicate() && !t.orphan()) {
                firstFeedback.merge(
                        e.key(), e, (a, b) -> a.timestampMillis() <= b.timestampMillis() ? a : b);
            }
        }

        SliceMetricsFolder folder = new SliceMetricsFolder(config);
        Map<Cohort, CohortAccumulator> cohorts = new LinkedHashMap<>();
        PartialFolder.Accumulators<CohortAccumulator> accumulators =
                (key, windowStart, windowEnd) ->
                        cohorts.computeIfAbsent(
                                new Cohort(key, windowStart, windowEnd), k -> folder.create());
        for (Prediction p : predictions.values()) {
            folder.fold(Either.Left(p), p.getEventTime().toEpochMilli(), accumulators);
            folder.fold(
                    Either.Right(finalOutcome(p, firstFeedback.get(p.getPredictionId()))),
                    p.getEventTime().toEpochMilli(),
                    accumulators);
        }

        List<SliceMetric> rows = new ArrayList<>();
        for (Map.Entry<Cohort, CohortAccumulator> c : cohorts.entrySet()) {
            Cohort k = c.getKey();
            rows.add(
                    SliceMetricRows.row(
                            config,
                            k.key(),
                            k.start(),
                            k.end(),
                            c.getValue(),
                            2,
                            true,
                            k.end() + config.labelWindowMs()));
        }
        rows.sort(Comparator.comparing(SliceMetric::getAsOf));

        long injection = plan.driftAt().toEpochMilli();
        List<SliceMetric> degradedAfter =
                rows.stream()
                        .filter(r -> r.getSlice().equals(DEGRADED))
                        .filter(r -> r.getWindowStart().toEpochMilli() >= injection)
                        .filter(r -> r.getSupport() >= 200)
                        .toList();
        assertThat(degradedAfter).isNotEmpty();
        for (SliceMetric r : degradedAfter) {
            // The model does not know it is wrong: its scores still promise a high AUC.
            assertThat(r.getEstimatedAuc())
                    .as("estimated AUC of %s", r.getWindowStart())
                    .isGreaterThan(0.9);
            assertThat(r.getAuc()).as("realized AUC of %s", r.getWindowStart()).isLessThan(0.7);
            assertThat(r.getAucDelta()).isEqualTo(r.getAuc() - r.getEstimatedAuc());
        }

        List<Alert> fired = new ArrayList<>();
        try (AlertTesting.Operator operator =
                new AlertTesting.Operator(AlertRules.of(spec), null)) {
            for (SliceMetric r : rows) {
                fired.addAll(operator.push(r));
            }
        }
        Set<String> subjects =
                fired.stream()
                        .filter(a -> a.getRule().equals("auc-below-estimate"))
                        .filter(a -> a.getState() == AlertState.FIRING)
                        .map(Alert::getSubject)
                        .collect(Collectors.toCollection(TreeSet::new));
        assertThat(subjects).containsExactly(DEGRADED);
        Alert first =
                fired.stream()
                        .filter(a -> a.getRule().equals("auc-below-estimate"))
                        .findFirst()
                        .orElseThrow();
        assertThat(first.getMeasure()).isEqualTo("auc_delta");
        assertThat(first.getWindowStart().toEpochMilli()).isGreaterThanOrEqualTo(injection);
    }

    record Cohort(String key, long start, long end) {}

    /** The prediction's final outcome: labelled by its first feedback, else expired. */
    static Outcome finalOutcome(Prediction p, SimulatedEvent feedback) {
        Outcome.Builder o =
                Outcome.newBuilder()
                        .setApplication(p.getApplication())
                        .setPredictionId(p.getPredictionId())
                        .setPredictionTime(p.getEventTime())
                        .setModelName(p.getModelName())
                        .setModelVersion(p.getModelVersion())
                        .setScore(p.getScore())
                        .setNumericFeatures(Map.of())
                        .setCategoricalFeatures(Map.of())
                        .setTags(p.getTags())
                        .setPolicy("first")
                        .setRevision(1)
                        .setIsFinal(true);
        if (feedback == null) {
            return o.setStatus(OutcomeStatus.EXPIRED)
                    .setFeedbackCount(0)
                    .setResolvedTime(p.getEventTime())
                    .build();
        }
        long delay = feedback.timestampMillis() - p.getEventTime().toEpochMilli();
        return o.setStatus(OutcomeStatus.LABELED)
                .setFeedbackCount(1)
                .setFeedbackId(feedback.key() + "@" + feedback.sequence())
                .setFeedbackTime(Instant.ofEpochMilli(feedback.timestampMillis()))
                .setLabel(feedback.truth().fraud() ? 1.0 : 0.0)
                .setLabelDelayMs(delay)
                .setResolvedTime(Instant.ofEpochMilli(feedback.timestampMillis()))
                .build();
    }
}
