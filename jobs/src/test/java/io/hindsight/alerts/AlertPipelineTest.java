package io.hindsight.alerts;

import static io.hindsight.alerts.AlertTesting.cohort;
import static io.hindsight.alerts.AlertTesting.drift;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.jobs.LocalFlink;
import io.hindsight.schemas.Alert;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.FeatureKind;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline's wiring: types without Kryo, refused rules, and a run on a local cluster. */
class AlertPipelineTest {

    @Test
    void observationsAndStateArePojosWithoutGenericFields() {
        for (Class<?> type :
                List.of(RuleObservation.class, AlertSubjectState.class, CohortValue.class)) {
            TypeInformation<?> info = TypeInformation.of(type);
            assertThat(info).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
            PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) info;
            for (int i = 0; i < pojo.getArity(); i++) {
                assertThat(pojo.getPojoFieldAt(i).getTypeInformation())
                        .as(
                                "%s.%s",
                                type.getSimpleName(), pojo.getPojoFieldAt(i).getField().getName())
                        .isNotInstanceOf(GenericTypeInfo.class);
            }
        }
        assertThat(RuleObservation.TYPE_INFO).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void aRuleOnAMissingStreamFailsWhenTheGraphIsBuilt() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<SliceMetric> metrics =
                env.fromData(new AvroTypeInfo<>(SliceMetric.class), cohort("*", 0, 1, 10).build());
        assertThatThrownBy(() -> AlertPipeline.attach(null, metrics, AlertTesting.spec()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("the spec has alert rules on drift but no drift stream is given");
    }

    @Test
    void alertsOfBothSourcesOnALocalCluster(@TempDir Path dir) throws Exception {
        StreamExecutionEnvironment env =
                LocalFlink.environment(LocalFlink.configuration(dir, 2, Duration.ofSeconds(1)));
        DataStream<SliceMetric> metrics =
                env.fromData(
                                new AvroTypeInfo<>(SliceMetric.class),
                                cohort("country=BR", 0, 1, 900).setAuc(0.70).build(),
                                cohort("country=US", 0, 1, 900).setAuc(0.95).build(),
                                cohort("country=BR", 0, 2, 950).setAuc(0.69).build(),
                                cohort("country=BR", 1, 1, 900).setAuc(0.90).build(),
                                cohort("country=US", 0, 2, 10).setAuc(0.10).build(),
                                cohort("*", 0, 1, 900).setRecall(0.5).build())
                        .uid("test-metrics")
                        .setParallelism(1);
        DataStream<DriftResult> drift =
                env.fromData(
                                new AvroTypeInfo<>(DriftResult.class),
                                drift("amount", FeatureKind.NUMERIC, 0, 5000).setPsi(0.05).build(),
                                drift("amount", FeatureKind.NUMERIC, 1, 5000).setPsi(0.40).build(),
                                drift("amount", FeatureKind.NUMERIC, 2, 5000).setPsi(0.50).build())
                        .uid("test-drift")
                        .setParallelism(1);

        List<String> alerts = new ArrayList<>();
        try (CloseableIterator<Alert> it =
                AlertPipeline.attach(drift, metrics, AlertTesting.spec()).executeAndCollect()) {
            it.forEachRemaining(
                    a -> alerts.add(a.getRule() + " " + a.getSubject() + " " + a.getState()));
        }
        // in order per key; keys interleave freely
        assertThat(alerts)
                .containsExactlyInAnyOrder(
                        "auc-low country=BR FIRING",
                        "auc-low country=BR RESOLVED",
                        "amount-psi amount FIRING");
        assertThat(alerts.indexOf("auc-low country=BR FIRING"))
                .isLessThan(alerts.indexOf("auc-low country=BR RESOLVED"));
    }

    /** Whether alerts run is decided once, by {@code FeedbackJoinJob.attachMonitoring}. */
    @Test
    void noRulesAreNotAttached(@TempDir Path dir) {
        JobSpec spec =
                SpecLoader.parse(
                        AlertTesting.SPEC.substring(0, AlertTesting.SPEC.indexOf("alerts:")),
                        Map.of());
        assertThat(spec.alerts()).isEmpty();
        StreamExecutionEnvironment env =
                LocalFlink.environment(LocalFlink.configuration(dir, 1, Duration.ofSeconds(1)));
        DataStream<SliceMetric> metrics =
                env.fromData(
                                new AvroTypeInfo<>(SliceMetric.class),
                                cohort("country=BR", 0, 1, 900).setAuc(0.1).build())
                        .uid("test-metrics");
        assertThatThrownBy(() -> AlertPipeline.attach(null, metrics, spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the spec of 'fraud' has no alert rules; attach alerts only when it has"
                                + " some");
    }
}
