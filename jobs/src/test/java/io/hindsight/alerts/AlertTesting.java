package io.hindsight.alerts;

import io.hindsight.schemas.Alert;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.FeatureKind;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** A spec with one rule of each kind, row builders, and the alert operator in a test harness. */
final class AlertTesting {

    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    static final long T0 = Instant.parse("2026-11-02T00:00:00Z").toEpochMilli();

    static final String SPEC =
            """
            version: 1
            application: fraud
            kafka:
              bootstrap-servers: localhost:9092
              schema-registry:
                url: http://registry:8081
            inputs:
              predictions:
                topic: predictions
                format: avro-confluent
                fields:
                  join-key: request.id
                  event-time: request.ts
                  model-name: model.name
                  model-version: model.version
                  score: score
                features:
                  - name: amount
                    type: numeric
                  - name: merchant
                    type: categorical
                tags:
                  country: context.country
                  channel: context.channel
              feedback:
                topic: feedback
                format: avro-confluent
                fields:
                  join-key: prediction_id
                  event-time: ts
                  label: is_fraud
            join:
              label-window: 60d
            drift:
              window: 1h
            metrics:
              task: binary-classification
              window: 1d
              slices: [[country], [country, channel]]
            alerts:
              - name: auc-low
                source: metrics
                metric: auc
                slice: [country]
                condition: {below: 0.85}
                min-support: 500
                severity: critical
              - name: recall-drop
                source: metrics
                metric: recall
                condition: {drop: 0.2, baseline: 4d}
                min-support: 200
              - name: amount-psi
                source: drift
                feature: amount
                statistic: psi
              - name: amount-ks
                source: drift
                feature: amount
                statistic: kolmogorov-smirnov
                condition: {above: 0.1}
                p-value: 0.01
              - name: merchant-chi
                source: drift
                feature: merchant
                statistic: chi-square
                condition: {above: 10}
                p-value: 0.05
              - name: amount-missing
                source: drift
                feature: amount
                statistic: missing-rate
                condition: {above: 0.2}
            """;

    private AlertTesting() {}

    static JobSpec spec() {
        return SpecLoader.parse(SPEC, Map.of());
    }

    static AlertRules rules() {
        return AlertRules.of(spec());
    }

    /** The alert operator over the test spec's rules, opened on an empty or restored state. */
    static final class Operator implements AutoCloseable {
        final AlertRules rules;
        final KeyedOneInputStreamOperatorTestHarness<String, RuleObservation, Alert> harness;

        Operator(AlertRules rules, OperatorSubtaskState restore) throws Exception {
            this.rules = rules;
            harness =
                    new KeyedOneInputStreamOperatorTestHarness<>(
                            new KeyedProcessOperator<>(new AlertStateFunction(rules)),
                            o -> o.key,
                            Types.STRING);
            harness.setup();
            if (restore != null) {
                harness.initializeState(restore);
            }
            harness.open();
        }

        Operator() throws Exception {
            this(rules(), null);
        }

        /** Routes the row as the job does and processes every observation; returns the alerts. */
        List<Alert> push(SliceMetric row) throws Exception {
            List<RuleObservation> observations = new ArrayList<>();
            rules.observe(row, observations::add);
            return process(observations);
        }

        List<Alert> push(DriftResult row) throws Exception {
            List<RuleObservation> observations = new ArrayList<>();
            rules.observe(row, observations::add);
            return process(observations);
        }

        private List<Alert> process(List<RuleObservation> observations) throws Exception {
            int before = harness.extractOutputValues().size();
            for (RuleObservation o : observations) {
                harness.processElement(o, o.eventTime);
            }
            List<Alert> all = harness.extractOutputValues();
            return all.subList(before, all.size());
        }

        List<Alert> watermark(long time) throws Exception {
            int before = harness.extractOutputValues().size();
            harness.processWatermark(time);
            List<Alert> all = harness.extractOutputValues();
            return all.subList(before, all.size());
        }

        List<Alert> all() {
            return harness.extractOutputValues();
        }

        @Override
        public void close() throws Exception {
            harness.close();
        }
    }

    /**
     * A slice-metric row of the cohort of day {@code day} (from T0), revision {@code revision}, as
     * of the window's end plus {@code revision} hours; dimensions parsed from the slice.
     */
    static SliceMetric.Builder cohort(String slice, int day, int revision, long support) {
        long start = T0 + day * DAY;
        return cohortAsOf(slice, day, revision, support, start + DAY + revision * HOUR);
    }

    static SliceMetric.Builder cohortAsOf(
            String slice, int day, int revision, long support, long asOf) {
        long start = T0 + day * DAY;
        Map<String, String> dims = new LinkedHashMap<>();
        if (!slice.equals("*")) {
            for (String pair : slice.split(",")) {
                String[] kv = pair.split("=", 2);
                dims.put(kv[0], kv[1]);
            }
        }
        return SliceMetric.newBuilder()
                .setApplication("fraud")
                .setSlice(slice)
                .setDimensions(dims)
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(start + DAY))
                .setTask("binary-classification")
                .setRevision(revision)
                .setIsFinal(false)
                .setAsOf(Instant.ofEpochMilli(asOf))
                .setPredictions(support * 4)
                .setLabeled(support)
                .setExpired(0)
                .setLabelCoverage(0.25)
                .setSupport(support);
    }

    /** A drift row of the hourly window {@code hour} (from T0) with a rolling reference. */
    static DriftResult.Builder drift(String feature, FeatureKind kind, int hour, long values) {
        long start = T0 + hour * HOUR;
        return DriftResult.newBuilder()
                .setApplication("fraud")
                .setFeature(feature)
                .setKind(kind)
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(start + HOUR))
                .setPredictions(values)
                .setValues(values)
                .setMissingRate(0.0)
                .setReference("rolling:24")
                .setReferenceValues(24_000)
                .setDrifted(false);
    }
}
