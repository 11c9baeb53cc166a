package io.hindsight.uids;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.iceberg.IcebergCatalogs;
import io.hindsight.iceberg.maintenance.TableMaintenanceStreams;
import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Savepoints map state to operators by uid: every uid stays what the first release named it, all
 * come from {@link Uids}, and one naming scheme holds for them.
 */
class UidsTest {

    /** The uids of the first release, word for word: changing one is a state migration. */
    static final Map<String, String> FIRST_RELEASE =
            Map.ofEntries(
                    entry("PREDICTIONS_SOURCE", "predictions-source"),
                    entry("FEEDBACK_SOURCE", "feedback-source"),
                    entry("PREDICTIONS_DEAD_LETTER_ROUTER", "predictions-dead-letter-router"),
                    entry("FEEDBACK_DEAD_LETTER_ROUTER", "feedback-dead-letter-router"),
                    entry("FEEDBACK_JOIN", "feedback-join"),
                    entry("DRIFT_PRE_AGGREGATE", "drift-pre-aggregate"),
                    entry("DRIFT_MERGE", "drift-merge"),
                    entry("SLICE_METRICS_PREDICTIONS_IN", "slice-metrics-predictions-in"),
                    entry("SLICE_METRICS_OUTCOMES_IN", "slice-metrics-outcomes-in"),
                    entry("SLICE_METRICS_PRE_AGGREGATE", "slice-metrics-pre-aggregate"),
                    entry(
                            "SLICE_METRICS_PRE_AGGREGATE_OUTCOMES",
                            "slice-metrics-pre-aggregate-outcomes"),
                    entry("SLICE_METRICS_MERGE", "slice-metrics-merge"),
                    entry("SLICE_DISCOVERY_PRE_AGGREGATE", "slice-discovery-pre-aggregate"),
                    entry("SLICE_DISCOVERY_MERGE", "slice-discovery-merge"),
                    entry("ALERTS_METRICS_ROUTER", "alerts-metrics-router"),
                    entry("ALERTS_DRIFT_ROUTER", "alerts-drift-router"),
                    entry("ALERTS_DISCOVERY_ROUTER", "alerts-discovery-router"),
                    entry("ALERTS_STATE", "alerts-state"),
                    entry("PREDICTIONS_TABLE", "predictions-table"),
                    entry("OUTCOMES_TABLE", "outcomes-table"),
                    entry("UNMATCHED_FEEDBACK_TABLE", "unmatched-feedback-table"),
                    entry("OUTCOMES_TOPIC", "outcomes-topic"),
                    entry("DEAD_LETTER_TOPIC", "dead-letter-topic"),
                    entry("DRIFT_TABLE", "drift-table"),
                    entry("DRIFT_TOPIC", "drift-topic"),
                    entry("METRICS_TABLE", "metrics-table"),
                    entry("METRICS_TOPIC", "metrics-topic"),
                    entry("DISCOVERED_SLICES_TABLE", "discovered-slices-table"),
                    entry("DISCOVERED_SLICES_TOPIC", "discovered-slices-topic"),
                    entry("ALERTS_TABLE", "alerts-table"),
                    entry("ALERTS_TOPIC", "alerts-topic"),
                    // Curation (added after the first release; pinned as of their own).
                    entry("CURATION_PREDICTIONS_IN", "curation-predictions-in"),
                    entry("CURATION_OUTCOMES_IN", "curation-outcomes-in"),
                    entry("CURATION_SELECT", "curation-select"),
                    entry("CURATION_TAGS", "curation-tags"),
                    entry("RETRAIN_ALERTS_ROUTER", "retrain-alerts-router"),
                    entry("RETRAIN_DATASETS_ROUTER", "retrain-datasets-router"),
                    entry("RETRAIN_TRIGGERS", "retrain-triggers"),
                    entry("CURATED_TABLE", "curated-table"),
                    entry("RETRAIN_TOPIC", "retrain-topic"));

    @TempDir Path warehouse;

    static Map<String, String> constants() throws IllegalAccessException {
        Map<String, String> constants = new TreeMap<>();
        for (Field field : Uids.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) && field.getType() == String.class) {
                constants.put(field.getName(), (String) field.get(null));
            }
        }
        return constants;
    }

    @Test
    void tableMaintenanceUidsArePinnedPerRole() {
        assertThat(Uids.tableMaintenance("predictions")).isEqualTo("predictions-table-maintenance");
        assertThat(Uids.tableMaintenance("unmatched_feedback"))
                .isEqualTo("unmatched-feedback-table-maintenance");
        assertThat(Uids.tableMaintenance("discovered_slices"))
                .isEqualTo("discovered-slices-table-maintenance");
        assertThat(Uids.tableMaintenance("curated_wrong_br"))
                .isEqualTo("curated-wrong-br-table-maintenance");
    }

    @Test
    void everyUidIsTheFirstReleasesWordForWord() throws Exception {
        assertThat(constants()).isEqualTo(new TreeMap<>(FIRST_RELEASE));
    }

    @Test
    void eachConstantIsItsUidInUpperSnakeCase() throws Exception {
        constants()
                .forEach(
                        (name, uid) ->
                                assertThat(name)
                                        .isEqualTo(uid.toUpperCase(Locale.ROOT).replace('-', '_')));
    }

    /** The production wiring of the fraud example (drift, metrics, alerts on). */
    List<String> uidsOfTheJob(JobSpec spec) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        FeedbackJoinJob.wire(env, spec, IcebergCatalogs.localHadoop("hindsight", warehouse));
        return env.getStreamGraph().getStreamNodes().stream()
                .map(StreamNode::getTransformationUID)
                .toList();
    }

    static JobSpec fraud() {
        return SpecLoader.load(
                Path.of(System.getProperty("hindsight.home", ".."), "examples/fraud/spec.yaml"),
                Map.of());
    }

    @Test
    void everyOperatorOfTheJobTakesItsUidFromUids() throws Exception {
        List<String> uids = uidsOfTheJob(fraud());
        var known = constants().values();

        assertThat(uids)
                .isNotEmpty()
                .allSatisfy(
                        uid ->
                                assertThat(known)
                                        .as("an id in Uids that %s is or derives from", uid)
                                        .anyMatch(id -> isOrDerivesFrom(uid, id)));
        assertThat(uids)
                .contains(
                        Uids.FEEDBACK_JOIN,
                        Uids.DRIFT_MERGE,
                        Uids.SLICE_METRICS_MERGE,
                        Uids.ALERTS_STATE,
                        Uids.CURATION_SELECT,
                        Uids.CURATION_TAGS,
                        Uids.RETRAIN_TRIGGERS,
                        Uids.RETRAIN_TOPIC,
                        "curated-table-uncertain-iceberg");
    }

    /**
     * A sink's id is a prefix of the uids its operators derive from it (see {@link Uids}); Flink
     * names a Sink V2 committer {@code "Sink Committer: <sink uid>"}.
     */
    static boolean isOrDerivesFrom(String uid, String id) {
        String own = uid.startsWith("Sink Committer: ") ? uid.substring(16) : uid;
        // Iceberg's maintenance operators put the id after their own names.
        boolean maintenance = id.endsWith("-maintenance") && own.contains(id);
        return own.equals(id)
                || own.startsWith(id + "-")
                || own.startsWith(id + ":")
                || maintenance;
    }

    @Test
    void maintenanceInTheJobAddsOneStreamPerTableUnderUids() throws Exception {
        JobSpec full = fraud();
        JobSpec maintained =
                new JobSpec(
                        full.version(),
                        full.application(),
                        full.kafka(),
                        full.inputs(),
                        full.join(),
                        full.iceberg(),
                        full.outputs(),
                        full.drift(),
                        full.metrics(),
                        full.alerts(),
                        full.curation(),
                        new io.hindsight.spec.MaintenanceSpec(
                                true,
                                java.time.Duration.ofMinutes(1),
                                50,
                                128L << 20,
                                5,
                                java.time.Duration.ofHours(1),
                                java.time.Duration.ofDays(7),
                                100,
                                java.time.Duration.ofDays(1),
                                java.time.Duration.ofDays(3),
                                null,
                                Map.of()));
        List<String> uids = uidsOfTheJob(maintained);
        List<String> maintenanceIds =
                TableMaintenanceStreams.tables(maintained).keySet().stream()
                        .map(Uids::tableMaintenance)
                        .toList();
        var known = new java.util.ArrayList<>(constants().values());
        known.addAll(maintenanceIds);

        assertThat(uids)
                .allSatisfy(
                        uid ->
                                assertThat(known)
                                        .as("an id in Uids that %s is or derives from", uid)
                                        .anyMatch(id -> isOrDerivesFrom(uid, id)));
        for (String id :
                List.of(
                        "predictions-table-maintenance",
                        "outcomes-table-maintenance",
                        "unmatched-feedback-table-maintenance",
                        "drift-table-maintenance",
                        "metrics-table-maintenance",
                        "alerts-table-maintenance")) {
            assertThat(uids).contains("lock-remover-" + id);
        }
        assertThat(uidsOfTheJob(full)).noneMatch(uid -> uid.contains("-maintenance"));
    }

    @Test
    void aSpecWithoutMonitoringAddsNoMonitoringOperator() throws Exception {
        JobSpec full = fraud();
        JobSpec joinOnly =
                new JobSpec(
                        full.version(),
                        full.application(),
                        full.kafka(),
                        full.inputs(),
                        full.join(),
                        full.iceberg(),
                        full.outputs(),
                        io.hindsight.spec.DriftSpec.disabled(),
                        io.hindsight.spec.MetricsSpec.disabled(),
                        List.of());

        assertThat(uidsOfTheJob(joinOnly))
                .contains(Uids.FEEDBACK_JOIN)
                .noneMatch(uid -> uid.startsWith("drift-"))
                .noneMatch(uid -> uid.startsWith("slice-metrics-"))
                .noneMatch(uid -> uid.startsWith("metrics-"))
                .noneMatch(uid -> uid.startsWith("alerts-"))
                .noneMatch(uid -> uid.startsWith("curat"))
                .noneMatch(uid -> uid.startsWith("retrain-"));
    }
}
