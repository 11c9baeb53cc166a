package io.hindsight.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.iceberg.IcebergCatalogs;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.spec.AlertCondition;
import io.hindsight.spec.AlertRuleSpec;
import io.hindsight.spec.AlertSource;
import io.hindsight.spec.ConditionType;
import io.hindsight.spec.DiscoverySpec;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.Severity;
import io.hindsight.spec.SpecLoader;
import io.hindsight.uids.Uids;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's wiring adds discovery, its sinks and its alert router only when the spec asks. */
class DiscoveryWiringTest {

    @TempDir Path warehouse;

    static JobSpec fraud() {
        return SpecLoader.load(
                Path.of(System.getProperty("hindsight.home", ".."), "examples/fraud/spec.yaml"),
                Map.of());
    }

    static JobSpec withDiscovery(JobSpec s) {
        List<AlertRuleSpec> alerts = new ArrayList<>(s.alerts());
        alerts.add(
                new AlertRuleSpec(
                        "worse-slice",
                        AlertSource.DISCOVERY,
                        null,
                        null,
                        null,
                        List.of(),
                        new AlertCondition(ConditionType.ABOVE, 0.1, null),
                        200,
                        Severity.WARNING,
                        null));
        return new JobSpec(
                s.version(),
                s.application(),
                s.kafka(),
                s.inputs(),
                s.join(),
                s.iceberg(),
                s.outputs(),
                s.drift(),
                s.metrics()
                        .withDiscovery(
                                DiscoverySpec.of(
                                        s.application(),
                                        List.of("country", "channel", "model_version"),
                                        2,
                                        0.05,
                                        200,
                                        100,
                                        List.of())),
                alerts);
    }

    List<String> uids(JobSpec spec) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        FeedbackJoinJob.wire(env, spec, IcebergCatalogs.localHadoop("hindsight", warehouse));
        return env.getStreamGraph().getStreamNodes().stream()
                .map(StreamNode::getTransformationUID)
                .toList();
    }

    @Test
    void discoveryOperatorsSinksAndRouterOnlyWhenEnabled() {
        List<String> off = uids(fraud());
        assertThat(off)
                .noneMatch(u -> u.startsWith("slice-discovery") || u.contains("discovered-slices"))
                .doesNotContain(Uids.ALERTS_DISCOVERY_ROUTER);
        List<String> on = uids(withDiscovery(fraud()));
        assertThat(on)
                .contains(
                        Uids.SLICE_DISCOVERY_PRE_AGGREGATE,
                        Uids.SLICE_DISCOVERY_MERGE,
                        Uids.DISCOVERED_SLICES_TOPIC,
                        Uids.ALERTS_DISCOVERY_ROUTER)
                .anyMatch(u -> u.startsWith(Uids.DISCOVERED_SLICES_TABLE + "-"));
    }
}
