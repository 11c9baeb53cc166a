package io.hindsight.metrics;

import static io.hindsight.metrics.MetricsTestData.DAY;
import static io.hindsight.metrics.MetricsTestData.T0;
import static io.hindsight.metrics.MetricsTestData.prediction;
import static io.hindsight.metrics.MetricsTestData.tags;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.ExpiredAs;
import io.hindsight.spec.MetricsTask;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Which slices a prediction falls into, and how a slice reads in its row. */
class SlicesTest {

    static final SliceMetricsConfig CONFIG =
            MetricsTestData.config(
                    MetricsTask.BINARY_CLASSIFICATION,
                    ExpiredAs.NEGATIVE,
                    List.of(
                            List.of("country"),
                            List.of("merchant_category"),
                            List.of("country", "model_version"),
                            List.of("model_name"),
                            List.of("segment")));

    @Test
    void dimensionsComeFromTagsFeaturesAndTheModelAndMissingOnesAreNamed() {
        Prediction p =
                prediction("p1", T0 + 10)
                        .setModelVersion("v7")
                        .setTags(tags("country", "BR"))
                        .setCategoricalFeatures(Map.of("merchant_category", "travel"))
                        .setScore(0.3)
                        .build();
        TestingAccumulators folded = TestingAccumulators.fold(CONFIG, List.of(p), List.of());
        Map<String, Map<String, String>> rows =
                folded.byWindow.entrySet().stream()
                        .map(e -> row(e.getKey(), e.getValue()))
                        .collect(
                                Collectors.toMap(
                                        SliceMetric::getSlice, SliceMetric::getDimensions));
        assertThat(rows)
                .containsOnly(
                        Map.entry("*", Map.of()),
                        Map.entry("country=BR", Map.of("country", "BR")),
                        Map.entry(
                                "merchant_category=travel", Map.of("merchant_category", "travel")),
                        Map.entry(
                                "country=BR,model_version=v7",
                                Map.of("country", "BR", "model_version", "v7")),
                        Map.entry("model_name=model", Map.of("model_name", "model")),
                        Map.entry("segment=(missing)", Map.of("segment", "(missing)")));
        assertThat(folded.byWindow.keySet())
                .allSatisfy(w -> assertThat(w.start()).isEqualTo(T0))
                .allSatisfy(w -> assertThat(w.end()).isEqualTo(T0 + DAY));
    }

    @Test
    void aTagWinsOverAFeatureOfTheSameName() {
        assertThat(
                        Slices.value(
                                "country",
                                Map.of("country", "DE"),
                                Map.of("country", "FR"),
                                "m",
                                "v"))
                .isEqualTo("DE");
        assertThat(Slices.value("country", Map.of(), Map.of("country", "FR"), "m", "v"))
                .isEqualTo("FR");
        assertThat(Slices.value("country", null, null, "m", "v")).isEqualTo(Slices.MISSING);
    }

    @Test
    void keysAreUnambiguousWhateverTheValuesHold() {
        String a = Slices.key("app", List.of("a", "b"), new String[] {"x,b=y", "z"});
        String b = Slices.key("app", List.of("a", "b"), new String[] {"x", "y,b=z"});
        assertThat(a).isNotEqualTo(b);
        assertThat(Slices.dimensions(a))
                .containsExactly(Map.entry("a", "x,b=y"), Map.entry("b", "z"));
        String controls = Slices.key("app", List.of("a"), new String[] {"x\u0000y\u0001z"});
        assertThat(Slices.dimensions(controls)).containsExactly(Map.entry("a", "x\uFFFDy\uFFFDz"));
        assertThat(Slices.dimensions(Slices.populationKey("app"))).isEmpty();
    }

    @Test
    void cohortsAreWindowsOfPredictionTimeAlignedToTheEpoch() {
        assertThat(CONFIG.windowStart(T0 + DAY - 1)).isEqualTo(T0);
        assertThat(CONFIG.windowStart(T0 + DAY)).isEqualTo(T0 + DAY);
        assertThat(CONFIG.windowStart(-1)).isEqualTo(-DAY);
    }

    private static SliceMetric row(TestingAccumulators.Window w, CohortAccumulator a) {
        return SliceMetricRows.row(CONFIG, w.key(), w.start(), w.end(), a, 1, false, w.end());
    }

    @Test
    void rememberedKeysAreTheKeysBuiltFromTheValues() {
        List<String> dimensions = List.of("country", "model_version");
        SliceMetricsFolder.SliceKeys keys = new SliceMetricsFolder.SliceKeys("fraud", dimensions);
        SplittableRandom random = new SplittableRandom(7);
        // More value combinations than are remembered, so the bound is crossed several times.
        int combinations = 3 * SliceMetricsFolder.MAX_REMEMBERED_KEYS;
        for (int i = 0; i < 20 * combinations; i++) {
            // Fresh String instances, as a deserialized record's values are; a separator inside.
            String[] values = {
                new String("c" + random.nextInt(combinations / 4)),
                random.nextInt(10) == 0
                        ? new String("v\u0001" + random.nextInt(4))
                        : new String("v" + random.nextInt(4))
            };
            String[] before = values.clone();
            String key = keys.key(values);
            assertThat(key).isEqualTo(Slices.key("fraud", dimensions, before));
            assertThat(values).isEqualTo(before);
            assertThat(keys.remembered()).isBetween(1, SliceMetricsFolder.MAX_REMEMBERED_KEYS);
        }
        String[] seen = {"BR", "v7"};
        String first = keys.key(seen);
        assertThat(keys.key(new String[] {new String("BR"), new String("v7")})).isSameAs(first);
    }
}
