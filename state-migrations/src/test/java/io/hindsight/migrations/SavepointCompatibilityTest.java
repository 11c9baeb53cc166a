package io.hindsight.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.jobs.LocalFlink;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.schemas.UnmatchedFeedback;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint of the whole job (join, drift, slice metrics, alerts) taken by the code as it was
 * before its layout changed (commit e3c23aa: the spec still in the schemas module, one class for
 * every task's cohort accumulator), committed under {@code savepoints/before-layout-move/},
 * restores into the current job graph without {@code allowNonRestoredState} and goes on as if the
 * job had never stopped: the rows after the restore are those of one uninterrupted run over the
 * same records. {@link SavepointFixture} holds the records and writes such a savepoint.
 *
 * <p>It fails when an operator id moves (Flink refuses state it cannot map), when a state
 * descriptor or serializer changes incompatibly (the restore fails), and when state bytes decode
 * differently (the rows differ: the predictions waiting in the join, the early feedback it held and
 * the open drift and metrics windows all come from the savepoint).
 */
class SavepointCompatibilityTest {

    static final String SAVEPOINT = "/savepoints/before-layout-move";

    /** What a run wrote, in a form two runs can be compared by. */
    record Rows(
            List<String> predictions,
            List<String> outcomes,
            List<String> unmatched,
            List<String> drift,
            List<String> finalMetrics) {

        static Rows collected() {
            return new Rows(
                    CollectingSinks.<Prediction>collected("predictions").stream()
                            .map(Prediction::getPredictionId)
                            .sorted()
                            .toList(),
                    CollectingSinks.<Outcome>collected("outcomes").stream()
                            .map(Outcome::toString)
                            .sorted()
                            .toList(),
                    CollectingSinks.<UnmatchedFeedback>collected("unmatched").stream()
                            .map(UnmatchedFeedback::toString)
                            .sorted()
                            .toList(),
                    CollectingSinks.<DriftResult>collected("drift").stream()
                            .map(Rows::canonical)
                            .sorted()
                            .toList(),
                    // How often a cohort is revised depends on how the watermark advanced; its
                    // final values do not.
                    CollectingSinks.<SliceMetric>collected("metrics").stream()
                            .filter(SliceMetric::getIsFinal)
                            .map(
                                    m ->
                                            canonical(
                                                    SliceMetric.newBuilder(m)
                                                            .setRevision(0)
                                                            .setAsOf(Instant.EPOCH)
                                                            .build()))
                            .sorted()
                            .toList());
        }

        /**
         * The record's fields in order, doubles to 12 significant digits: sums of doubles merged
         * from parallel partials differ in their last bits with the order the partials arrive in,
         * in any one build as much as between two.
         */
        static String canonical(SpecificRecord record) {
            StringBuilder out = new StringBuilder();
            for (Schema.Field field : record.getSchema().getFields()) {
                out.append(field.name()).append('=');
                out.append(canonicalValue(record.get(field.pos()))).append(' ');
            }
            return out.toString();
        }

        private static String canonicalValue(Object value) {
            if (value instanceof Double || value instanceof Float) {
                return String.format(Locale.ROOT, "%.12g", ((Number) value).doubleValue());
            }
            if (value instanceof Map<?, ?> map) {
                return new TreeMap<>(map)
                        .entrySet().stream()
                                .map(e -> e.getKey() + ":" + canonicalValue(e.getValue()))
                                .toList()
                                .toString();
            }
            if (value instanceof List<?> list) {
                return list.stream().map(Rows::canonicalValue).toList().toString();
            }
            if (value instanceof SpecificRecord nested) {
                return "{" + canonical(nested) + "}";
            }
            return String.valueOf(value);
        }
    }

    @Test
    void aSavepointOfTheEarlierJobRestoresAndGoesOnAsIfNeverStopped(@TempDir Path dir)
            throws Exception {
        CollectingSinks.clear();
        SavepointFixture.job(configuration(dir.resolve("whole")), null, null)
                .execute("the fixture's records in one run");
        Rows whole = Rows.collected();

        CollectingSinks.clear();
        Configuration restore = configuration(dir.resolve("restored"));
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint().toUri().toString());
        restore.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
        SavepointFixture.job(restore, null, null)
                .execute("the fixture's records after the savepoint");
        Rows restored = Rows.collected();

        // The sources went on where the savepoint left them: p0..p29 were read before it.
        assertThat(restored.predictions())
                .containsExactlyElementsOf(
                        whole.predictions().stream().filter(id -> !id.startsWith("p")).toList())
                .hasSize(15);
        // The predictions that waited in the join's state got their feedback, and the early
        // feedback it held met its predictions.
        List<Outcome> outcomes = CollectingSinks.collected("outcomes");
        assertThat(outcomes)
                .filteredOn(o -> o.getStatus() == OutcomeStatus.LABELED)
                .extracting(o -> o.getPredictionId().substring(0, 1))
                .containsOnly("p", "q", "r")
                .filteredOn("p"::equals)
                .hasSize(20);
        assertThat(restored.outcomes()).isEqualTo(whole.outcomes());
        assertThat(restored.unmatched()).isEqualTo(whole.unmatched());
        // Drift and metrics windows opened before the savepoint hold its predictions too.
        assertThat(restored.drift()).isNotEmpty().isEqualTo(whole.drift());
        assertThat(restored.finalMetrics()).isNotEmpty().isEqualTo(whole.finalMetrics());
        assertThat(CollectingSinks.<SliceMetric>collected("metrics"))
                .filteredOn(m -> m.getIsFinal() && m.getDimensions().isEmpty())
                .extracting(SliceMetric::getPredictions)
                .containsExactly((long) SavepointFixture.predictions().size());
    }

    static Configuration configuration(Path dir) {
        return LocalFlink.configuration(dir, 2, Duration.ofSeconds(1));
    }

    static Path savepoint() throws URISyntaxException {
        URL url = SavepointCompatibilityTest.class.getResource(SAVEPOINT + "/_metadata");
        assertThat(url).as("the committed savepoint " + SAVEPOINT).isNotNull();
        return Path.of(url.toURI()).getParent();
    }
}
