package io.hindsight.alerts;

import io.hindsight.schemas.Alert;
import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.JobSpec;
import io.hindsight.uids.Uids;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;

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

    private AlertPipeline() {}

    /**
     * Alert state changes for the spec's rules. Only for a spec with rules: whether alerts run is
     * decided once, by the job's wiring ({@code FeedbackJoinJob.attachMonitoring}). {@code drift}
     * or {@code metrics} may be null when the spec has no rule on it (e.g. the section is
     * disabled); a rule on a missing stream fails here.
     */
    public static DataStream<Alert> attach(
            DataStream<DriftResult> drift, DataStream<SliceMetric> metrics, JobSpec spec) {
        return attach(drift, metrics, null, spec);
    }

    /** As above, with the discovered slices ({@code null} when the spec has no rule on them). */
    public static DataStream<Alert> attach(
            DataStream<DriftResult> drift,
            DataStream<SliceMetric> metrics,
            DataStream<DiscoveredSlice> discovered,
            JobSpec spec) {
        AlertRules rules = AlertRules.of(spec);
        AvroTypeInfo<Alert> alertType = new AvroTypeInfo<>(Alert.class);
        if (rules.isEmpty()) {
            throw new IllegalArgumentException(
                    "the spec of '"
                            + spec.application()
                            + "' has no alert rules; attach alerts only when it has some");
        }
        DataStream<RuleObservation> observations = null;
        if (rules.hasMetricsRules()) {
            Objects.requireNonNull(
                    metrics, "the spec has alert rules on metrics but no metrics stream is given");
            observations =
                    metrics.flatMap(new RuleRouter<SliceMetric>(rules, AlertRules::observe))
                            .setParallelism(metrics.getParallelism())
                            .returns(RuleObservation.TYPE_INFO)
                            .uid(Uids.ALERTS_METRICS_ROUTER)
                            .name("alert rules: slice metrics");
        }
        if (rules.hasDriftRules()) {
            Objects.requireNonNull(
                    drift, "the spec has alert rules on drift but no drift stream is given");
            DataStream<RuleObservation> fromDrift =
                    drift.flatMap(new RuleRouter<DriftResult>(rules, AlertRules::observe))
                            .setParallelism(drift.getParallelism())
                            .returns(RuleObservation.TYPE_INFO)
                            .uid(Uids.ALERTS_DRIFT_ROUTER)
                            .name("alert rules: drift");
            observations = observations == null ? fromDrift : observations.union(fromDrift);
        }
        if (rules.hasDiscoveryRules()) {
            Objects.requireNonNull(
                    discovered,
                    "the spec has alert rules on discovered slices but no such stream is given");
            DataStream<RuleObservation> fromDiscovery =
                    discovered
                            .flatMap(new RuleRouter<DiscoveredSlice>(rules, AlertRules::observe))
                            .setParallelism(discovered.getParallelism())
                            .returns(RuleObservation.TYPE_INFO)
                            .uid(Uids.ALERTS_DISCOVERY_ROUTER)
                            .name("alert rules: discovered slices");
            observations = observations == null ? fromDiscovery : observations.union(fromDiscovery);
        }
        return observations
                .keyBy(o -> o.key, Types.STRING)
                .process(new AlertStateFunction(rules))
                .returns(alertType)
                .uid(Uids.ALERTS_STATE)
                .name("alert rules");
    }
}
