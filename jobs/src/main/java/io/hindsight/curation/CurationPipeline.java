package io.hindsight.curation;

import io.hindsight.schemas.Alert;
import io.hindsight.schemas.CuratedRecord;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.CurationRuleSpec;
import io.hindsight.spec.CurationSource;
import io.hindsight.spec.CurationSpec;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.RetrainTriggerSpec;
import io.hindsight.uids.Uids;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The spec's curation rules and retraining triggers, attached to the join's predictions and
 * outcomes and to the alerts.
 *
 * <pre>
 *  predictions ─► candidates ─┐
 *                             ├─► keyBy(rule, stratum, period) ─► CurationSelectFunction ─┬─► per rule: Iceberg &lt;app&gt;_curated_&lt;rule&gt;
 *  outcomes ────► candidates ─┘    (bottom-k, timer at the period's readyAt)                │
 *                                                                   periods (side output) ─┼─► DatasetTagOperator (tags, p=1)
 *  alerts ──► router ─────────────────────────────────────────────────────────────────────┴─► router ─► keyBy(trigger) ─► RetrainTriggerFunction ─► retrain topic
 * </pre>
 */
public final class CurationPipeline {

    private CurationPipeline() {}

    /** The compiled rules, by name. */
    public static Map<String, CurationRule> rules(JobSpec spec) {
        Map<String, CurationRule> rules = new LinkedHashMap<>();
        long labelWindow = spec.join().labelWindow().toMillis();
        for (CurationRuleSpec r : spec.curation().rules()) {
            rules.put(r.name(), new CurationRule(spec.application(), r, labelWindow));
        }
        return rules;
    }

    /** The table a rule writes to: {@code <app>_curated_<rule>}. */
    public static String tableName(JobSpec spec, String rule) {
        return CurationSpec.tableName(spec.application(), rule);
    }

    /**
     * Adds curation as the spec enables it. Only for a spec with a curation section: whether it
     * runs is decided once, by the job's wiring. {@code alerts} may be null when no trigger is on
     * an alert.
     */
    public static void attach(
            JobSpec spec,
            DataStream<Prediction> predictions,
            DataStream<Outcome> outcomes,
            DataStream<Alert> alerts,
            CurationSinks sinks) {
        if (!spec.curation().enabled()) {
            throw new IllegalArgumentException(
                    "the spec of '"
                            + spec.application()
                            + "' has no curation section; attach curation only when it has one");
        }
        Map<String, CurationRule> rules = rules(spec);
        DataStream<CurationPeriod> periods = null;
        if (!rules.isEmpty()) {
            SingleOutputStreamOperator<CuratedRecord> selected =
                    select(predictions, outcomes, rules);
            for (String rule : rules.keySet()) {
                sinks.curated(
                        rule,
                        selected.filter(r -> r.getRule().equals(rule))
                                .returns(new AvroTypeInfo<>(CuratedRecord.class))
                                .uid(Uids.CURATED_TABLE + "-" + rule + "-rows")
                                .name("curation: rows of " + rule));
            }
            periods = selected.getSideOutput(CurationSelectFunction.PERIODS);
            sinks.datasetVersions(periods);
        }
        List<RetrainTriggerSpec> triggers = spec.curation().retrain();
        if (!triggers.isEmpty()) {
            sinks.retrain(retrain(spec, rules, alerts, periods));
        }
    }

    /** Candidates of every rule, selected per rule, stratum and period. */
    public static SingleOutputStreamOperator<CuratedRecord> select(
            DataStream<Prediction> predictions,
            DataStream<Outcome> outcomes,
            Map<String, CurationRule> rules) {
        List<CurationRule> onPredictions = new ArrayList<>();
        List<CurationRule> onOutcomes = new ArrayList<>();
        for (CurationRule r : rules.values()) {
            (r.spec.source() == CurationSource.OUTCOMES ? onOutcomes : onPredictions).add(r);
        }
        AvroTypeInfo<CuratedRecord> type = new AvroTypeInfo<>(CuratedRecord.class);
        DataStream<CuratedRecord> candidates = null;
        if (!onPredictions.isEmpty()) {
            candidates =
                    predictions
                            .flatMap(
                                    new CurationCandidates<Prediction>(
                                            onPredictions, CurationRule::candidate))
                            .returns(type)
                            .uid(Uids.CURATION_PREDICTIONS_IN)
                            .name("curation: candidate predictions");
        }
        if (!onOutcomes.isEmpty()) {
            DataStream<CuratedRecord> fromOutcomes =
                    outcomes.flatMap(
                                    new CurationCandidates<Outcome>(
                                            onOutcomes, CurationRule::candidate))
                            .returns(type)
                            .uid(Uids.CURATION_OUTCOMES_IN)
                            .name("curation: candidate outcomes");
            candidates = candidates == null ? fromOutcomes : candidates.union(fromOutcomes);
        }
        return candidates
                .keyBy(CurationRule::key, Types.STRING)
                .process(new CurationSelectFunction(rules))
                .returns(type)
                .uid(Uids.CURATION_SELECT)
                .name("curation: select per rule and period");
    }

    static DataStream<RetrainEvent> retrain(
            JobSpec spec,
            Map<String, CurationRule> rules,
            DataStream<Alert> alerts,
            DataStream<CurationPeriod> periods) {
        List<RetrainTriggerSpec> triggers = spec.curation().retrain();
        Map<String, RetrainTriggerSpec> byName = new LinkedHashMap<>();
        Map<String, String> tables = new LinkedHashMap<>();
        Map<String, CurationRule> trainOn = new LinkedHashMap<>();
        boolean onAlerts = false;
        boolean onDatasets = false;
        for (RetrainTriggerSpec t : triggers) {
            byName.put(t.name(), t);
            onAlerts |= t.onAlert();
            onDatasets |= !t.onAlert();
            if (t.trainOn() != null) {
                tables.put(
                        t.name(), spec.iceberg().namespace() + "." + tableName(spec, t.trainOn()));
                trainOn.put(t.name(), rules.get(t.trainOn()));
            }
        }
        DataStream<RetrainSignal> signals = null;
        if (onAlerts) {
            Objects.requireNonNull(
                    alerts, "the spec has retraining triggers on alerts but no alerts stream");
            signals =
                    alerts.flatMap(new RetrainRouter.Alerts(triggers))
                            .setParallelism(alerts.getParallelism())
                            .returns(RetrainSignal.TYPE_INFO)
                            .uid(Uids.RETRAIN_ALERTS_ROUTER)
                            .name("retrain triggers: alerts");
        }
        if (onDatasets) {
            Objects.requireNonNull(
                    periods, "the spec has retraining triggers on datasets but no curation rule");
            DataStream<RetrainSignal> fromPeriods =
                    periods.flatMap(new RetrainRouter.Periods(triggers))
                            .returns(RetrainSignal.TYPE_INFO)
                            .uid(Uids.RETRAIN_DATASETS_ROUTER)
                            .name("retrain triggers: curated datasets");
            signals = signals == null ? fromPeriods : signals.union(fromPeriods);
        }
        return signals.keyBy(s -> s.key, Types.STRING)
                .process(new RetrainTriggerFunction(spec.application(), byName, tables, trainOn))
                .returns(RetrainEvent.TYPE_INFO)
                .uid(Uids.RETRAIN_TRIGGERS)
                .name("retrain triggers");
    }
}
