package io.hindsight.alerts;

import io.hindsight.schemas.Alert;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.JobSpec;
import java.util.Objects;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * The alert rules of a spec, attached to the drift and slice-metric streams.
 *
 * <pre>
 *  SliceMetric ─► RuleRouter ────────┐  (one observation per matching rule)
 *                                    ├─► keyBy(application, rule, subject) ─► AlertStateFunction ─► Alert
 *  DriftResult ─► RuleRouter ────────┘                                       (RocksDB, expiry timer)
 * </pre>
 *
 * <p>The routers run at the parallelism of their input, so they chain to it (forward): the rows of
 * one subject reach the alert state in the order the drift or metrics stage emitted them. A
 * rebalance in between would let a newer cohort's row overtake an older one's, which the state then
 * treats as superseded.
 */
public final class AlertPipeline {

    /** Stable operator ids (savepoints map state by these; renaming one is a state migration). */
    public static final String METRICS_ROUTER_UID = "alerts-metrics-router";

    public static final String DRIFT_ROUTER_UID = "alerts-drift-router";
    public static final String STATE_UID = "alerts-state";
    public static final String NO_RULES_UID = "alerts-none";

    private AlertPipeline() {}

    /**
     * Alert state changes for the spec's rules; an empty stream when there are none. {@code drift}
     * or {@code metrics} may be null when the spec has no rule on it (e.g. the section is
     * disabled); a rule on a missing stream fails here.
     */
    public static DataStream<Alert> attach(
            DataStream<DriftResult> drift, DataStream<SliceMetric> metrics, JobSpec spec) {
        AlertRules rules = AlertRules.of(spec);
        AvroTypeInfo<Alert> alertType = new AvroTypeInfo<>(Alert.class);
        if (rules.isEmpty()) {
            DataStream<?> any = metrics != null ? metrics : drift;
            if (any == null) {
                throw new IllegalArgumentException(
                        "alerts need the drift or the metrics stream to attach to");
            }
            return none(any, alertType);
        }
        DataStream<RuleObservation> observations = null;
        if (rules.hasMetricsRules()) {
            Objects.requireNonNull(
                    metrics, "the spec has alert rules on metrics but no metrics stream is given");
            observations =
                    metrics.flatMap(new RuleRouter<SliceMetric>(rules, AlertRules::observe))
                            .setParallelism(metrics.getParallelism())
                            .returns(RuleObservation.TYPE_INFO)
                            .uid(METRICS_ROUTER_UID)
                            .name("alert rules: slice metrics");
        }
        if (rules.hasDriftRules()) {
            Objects.requireNonNull(
                    drift, "the spec has alert rules on drift but no drift stream is given");
            DataStream<RuleObservation> fromDrift =
                    drift.flatMap(new RuleRouter<DriftResult>(rules, AlertRules::observe))
                            .setParallelism(drift.getParallelism())
                            .returns(RuleObservation.TYPE_INFO)
                            .uid(DRIFT_ROUTER_UID)
                            .name("alert rules: drift");
            observations = observations == null ? fromDrift : observations.union(fromDrift);
        }
        return observations
                .keyBy(o -> o.key, Types.STRING)
                .process(new AlertStateFunction(rules))
                .returns(alertType)
                .uid(STATE_UID)
                .name("alert rules");
    }

    private static <T> DataStream<Alert> none(DataStream<T> any, AvroTypeInfo<Alert> alertType) {
        return any.flatMap(new NoAlerts<T>())
                .returns(alertType)
                .uid(NO_RULES_UID)
                .name("alert rules (none in the spec)");
    }

    /** The spec has no alert rules: an empty stream, so the job's wiring stays the same. */
    private static final class NoAlerts<T> implements FlatMapFunction<T, Alert> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(T row, Collector<Alert> out) {}
    }
}
