package io.hindsight.migrations;

import static io.hindsight.migrations.JoinStateV1ToV2Test.DAY;
import static io.hindsight.migrations.JoinStateV1ToV2Test.T0;
import static io.hindsight.migrations.JoinStateV1ToV2Test.feedback;
import static io.hindsight.migrations.JoinStateV1ToV2Test.prediction;
import static io.hindsight.migrations.JoinStateV1ToV2Test.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.jobs.MonitoringSinks;
import io.hindsight.join.FeedbackJoinFunction;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.functions.StateBootstrapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint of the job as it was before the operator ids moved into one class restores into the
 * job as it is, without {@code allowNonRestoredState}: Flink refuses a savepoint that holds state
 * for an operator id the graph lacks, so every id below must still be in the graph.
 *
 * <p>The ids are written here as the first release's job graph had them, as literals, not taken
 * from {@code Uids}: the savepoint stands for one written by the older code. Each operator gets a
 * marker in its operator state (every operator, keyed or not, sources included, has one), so the
 * savepoint holds an entry per id.
 */
class UidCompatibilityTest {

    /** Every stateful or state-capable operator id of the first release's graph (sinks aside). */
    static final List<String> FIRST_RELEASE_OPERATORS =
            List.of(
                    "predictions-source",
                    "feedback-source",
                    "predictions-dead-letter-router",
                    "feedback-dead-letter-router",
                    "feedback-join",
                    "drift-pre-aggregate",
                    "drift-merge",
                    "slice-metrics-predictions-in",
                    "slice-metrics-outcomes-in",
                    "slice-metrics-pre-aggregate",
                    "slice-metrics-pre-aggregate-outcomes",
                    "slice-metrics-merge",
                    "alerts-metrics-router",
                    "alerts-drift-router",
                    "alerts-state");

    static final ListStateDescriptor<String> MARKER =
            new ListStateDescriptor<>("uid-compatibility-marker", Types.STRING);

    static final String SPEC =
            """
            version: 1
            application: fraud
            kafka: {bootstrap-servers: localhost:9092}
            inputs:
              predictions:
                topic: p
                format: json
                fields: {join-key: id, event-time: ts, model-name: m, model-version: v, score: s}
                tags: {country: country}
              feedback:
                topic: f
                format: json
                fields: {join-key: id, event-time: ts, label: l}
            join: {label-window: 60d, early-feedback-hold: 1h, policy: first}
            drift:
              window: 1h
            metrics:
              task: binary-classification
              window: 1d
              slices: [[country]]
            alerts:
              - name: auc-low
                source: metrics
                metric: auc
                slice: [country]
                condition: {below: 0.85}
                min-support: 500
              - name: score-drift
                source: drift
                feature: score
                statistic: jensen-shannon
                condition: {above: 0.15}
                min-support: 1000
            """;

    /** Writes one marker into the operator state of the operator it is bootstrapped for. */
    static final class Marker extends StateBootstrapFunction<String> {
        private transient ListState<String> marker;

        @Override
        public void processElement(String value, Context ctx) throws Exception {
            marker.add(value);
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            marker = context.getOperatorStateStore().getListState(MARKER);
        }
    }

    static String writeSavepoint(Path dir, List<String> operatorIds) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        SavepointWriter writer = SavepointWriter.newSavepoint(env, new HashMapStateBackend(), 128);
        for (String id : operatorIds) {
            writer.withOperator(
                    OperatorIdentifier.forUid(id),
                    OperatorTransformation.bootstrapWith(env.fromData(id).setParallelism(1))
                            .transform(new Marker()));
        }
        String path = dir.resolve("savepoint").toUri().toString();
        writer.write(path);
        env.execute("write a savepoint of the first release's operator ids");
        return path;
    }

    /** Discards the monitoring outputs; the join's go to {@link CollectingSinks}. */
    static final class DiscardingMonitoringSinks implements MonitoringSinks {
        @Override
        public void drift(DataStream<DriftResult> drift) {
            drift.sinkTo(new CollectingSinks.Collect<>("drift")).uid("collect-drift");
        }

        @Override
        public void metrics(DataStream<SliceMetric> metrics) {
            metrics.sinkTo(new CollectingSinks.Collect<>("metrics")).uid("collect-metrics");
        }

        @Override
        public void discoveredSlices(DataStream<DiscoveredSlice> slices) {
            slices.sinkTo(new CollectingSinks.Collect<>("discovered-slices"))
                    .uid("collect-discovered-slices");
        }

        @Override
        public void alerts(DataStream<Alert> alerts) {
            alerts.sinkTo(new CollectingSinks.Collect<>("alerts")).uid("collect-alerts");
        }
    }

    /** The current job (join, drift, metrics, alerts) restored from {@code savepoint}. */
    static void runCurrentJobFrom(String savepoint, Path dir) throws Exception {
        Configuration conf =
                LocalFlink.configuration(dir.resolve("flink"), 2, Duration.ofSeconds(1));
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
        StreamExecutionEnvironment env = LocalFlink.environment(conf);
        JobSpec spec = SpecLoader.parse(SPEC, Map.of());
        List<Prediction> predictions = new ArrayList<>();
        predictions.add(prediction("p-1", T0));
        List<Feedback> feedback = List.of(feedback("fb-1", "p-1", T0 + DAY));
        SingleOutputStreamOperator<Outcome> outcomes =
                FeedbackJoinJob.build(
                        env,
                        spec,
                        source(predictions, Prediction.class),
                        source(feedback, Feedback.class),
                        new CollectingSinks());
        FeedbackJoinJob.attachMonitoring(
                spec,
                outcomes.getSideOutput(FeedbackJoinFunction.PREDICTIONS),
                outcomes,
                new DiscardingMonitoringSinks());
        env.execute("the current job from a savepoint of the first release's ids");
    }

    @Test
    void aSavepointOfTheFirstReleasesOperatorIdsRestoresIntoTheCurrentJob(@TempDir Path dir)
            throws Exception {
        String savepoint = writeSavepoint(dir, FIRST_RELEASE_OPERATORS);

        CollectingSinks.clear();
        runCurrentJobFrom(savepoint, dir);

        List<Outcome> outcomes = CollectingSinks.collected("outcomes");
        assertThat(outcomes)
                .extracting(o -> o.getPredictionId() + "/" + o.getStatus() + "/" + o.getIsFinal())
                .containsExactly("p-1/" + OutcomeStatus.LABELED + "/true");
    }

    /** The check above can fail: an id the graph lacks makes Flink refuse the savepoint. */
    @Test
    void anIdTheJobNoLongerHasIsRefused(@TempDir Path dir) throws Exception {
        List<String> renamed = new ArrayList<>(FIRST_RELEASE_OPERATORS);
        renamed.add("drift-merge-v0");
        String savepoint = writeSavepoint(dir, renamed);

        assertThatThrownBy(() -> runCurrentJobFrom(savepoint, dir))
                .rootCause()
                .hasMessageContaining("Failed to rollback to checkpoint/savepoint")
                .hasMessageContaining("Cannot map checkpoint/savepoint state for operator");
    }
}
