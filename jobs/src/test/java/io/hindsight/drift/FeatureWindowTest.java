package io.hindsight.drift;

import static io.hindsight.drift.DriftTesting.T0;
import static io.hindsight.drift.DriftTesting.prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The accumulators: what a prediction adds, merging, bytes, caps, and the exact sum. */
class FeatureWindowTest {

    static final JobSpec SPEC = DriftTesting.rolling(2);

    static DriftTarget target(String name) {
        return DriftTarget.of(SPEC).stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void targetsAreTheWatchedFeaturesThenTheMappedModelOutputs() {
        assertThat(DriftTarget.of(SPEC))
                .extracting(DriftTarget::name, DriftTarget::kind)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("amount", DriftTarget.Kind.NUMERIC),
                        org.assertj.core.groups.Tuple.tuple(
                                "channel", DriftTarget.Kind.CATEGORICAL),
                        org.assertj.core.groups.Tuple.tuple(
                                "note.length", DriftTarget.Kind.NUMERIC),
                        org.assertj.core.groups.Tuple.tuple("score", DriftTarget.Kind.NUMERIC),
                        org.assertj.core.groups.Tuple.tuple(
                                "predicted_class", DriftTarget.Kind.CATEGORICAL),
                        org.assertj.core.groups.Tuple.tuple(
                                "scores", DriftTarget.Kind.NUMERIC_MAP));
        assertThat(target("amount").min()).isEqualTo(0.0);
        assertThat(target("amount").max()).isEqualTo(1000.0);
        JobSpec noOutputs =
                DriftTesting.spec("{type: rolling, windows: 2}", "  model-outputs: false");
        assertThat(DriftTarget.of(noOutputs))
                .extracting(DriftTarget::name)
                .containsExactly("amount", "channel", "note.length");
    }

    @Test
    void foldingCountsPredictionsValuesMissingOutOfRangeAndNonFinite() {
        DriftTarget amount = target("amount");
        FeatureWindow w = new FeatureWindow(200, 100);
        DriftFolder.add(prediction("a", T0, 10.0, "web", 0.1), amount, w);
        DriftFolder.add(prediction("b", T0, null, "web", 0.1), amount, w);
        DriftFolder.add(prediction("c", T0, 2000.0, "web", 0.1), amount, w);
        DriftFolder.add(prediction("d", T0, Double.NaN, "web", 0.1), amount, w);
        DriftFolder.add(prediction("e", T0, -1.0, "web", 0.1), amount, w);

        assertThat(w.predictions()).isEqualTo(5);
        NumericValues v = w.numericOrNull();
        assertThat(v.values).isEqualTo(3);
        assertThat(v.outOfRange).isEqualTo(2);
        assertThat(v.nonFinite).isEqualTo(1);
        assertThat(v.sketch.getN()).isEqualTo(3);
        assertThat(v.mean()).isEqualTo((10.0 + 2000.0 - 1.0) / 3);
        assertThat(w.nonFinite()).isEqualTo(1);
    }

    @Test
    void theScoresMapIsOneAccumulatorWithASketchPerClass() {
        DriftTarget scores = target("scores");
        FeatureWindow w = new FeatureWindow(200, 100);
        DriftFolder.add(prediction("a", T0, 1.0, "web", 0.9), scores, w);
        Prediction onlyFraud =
                Prediction.newBuilder(prediction("b", T0, 1.0, "web", 0.2))
                        .setScores(Map.of("fraud", 0.2))
                        .build();
        DriftFolder.add(onlyFraud, scores, w);

        assertThat(w.predictions()).isEqualTo(2);
        assertThat(w.classes()).containsOnlyKeys("fraud", "legit");
        assertThat(w.classes().get("fraud").values).isEqualTo(2);
        assertThat(w.classes().get("legit").values).isEqualTo(1);
    }

    @Test
    void classesBeyondTheCapAreCountedAsUnreported() {
        DriftTarget scores = target("scores");
        FeatureWindow w = new FeatureWindow(200, 2);
        Prediction three =
                Prediction.newBuilder(prediction("a", T0, 1.0, "web", 0.2))
                        .setScores(new java.util.TreeMap<>(Map.of("a", 0.2, "b", 0.3, "c", 0.5)))
                        .build();
        DriftFolder.add(three, scores, w);
        assertThat(w.classes()).hasSize(2);
        assertThat(w.unreportedClassValues).isEqualTo(1);
        assertThat(w.values()).isEqualTo(3);
    }

    @Test
    void bytesRoundTripAndCarryTheirVersion() {
        FeatureWindow w = new FeatureWindow(200, 100);
        Random random = new Random(3);
        for (int i = 0; i < 1000; i++) {
            Prediction p = prediction("p" + i, T0, random.nextDouble() * 100, "c" + (i % 7), 0.3);
            for (DriftTarget t : DriftTarget.of(SPEC)) {
                if (t.kind() != DriftTarget.Kind.CATEGORICAL) {
                    DriftFolder.add(p, t, w);
                }
            }
            DriftFolder.add(p, target("channel"), w);
        }
        byte[] bytes = w.encode();
        FeatureWindow back = FeatureWindow.decode(bytes, 200, 100);
        assertThat(back.encode()).isEqualTo(bytes);
        assertThat(back.predictions()).isEqualTo(w.predictions());
        assertThat(back.categoriesOrNull().sorted()).isEqualTo(w.categoriesOrNull().sorted());

        byte[] future = bytes.clone();
        future[0] = 9;
        assertThatThrownBy(() -> FeatureWindow.decode(future, 200, 100))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("unrecognized drift accumulator version 9");
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThatThrownBy(() -> FeatureWindow.decode(cut, 200, 100))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("corrupt drift accumulator (");
    }

    @Test
    void mergingPartsEqualsFoldingEverythingForTheExactParts() {
        DriftTarget amount = target("amount");
        Random random = new Random(11);
        List<Prediction> predictions = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            predictions.add(
                    prediction(
                            "p" + i,
                            T0,
                            random.nextInt(10) == 0 ? null : random.nextGaussian() * 1e6,
                            "web",
                            0.5));
        }
        FeatureWindow all = new FeatureWindow(200, 100);
        predictions.forEach(p -> DriftFolder.add(p, amount, all));
        FeatureWindow merged = new FeatureWindow(200, 100);
        for (int part = 0; part < 3; part++) {
            FeatureWindow w = new FeatureWindow(200, 100);
            for (int i = part; i < predictions.size(); i += 3) {
                DriftFolder.add(predictions.get(i), amount, w);
            }
            merged.merge(FeatureWindow.decode(w.encode(), 200, 100));
        }
        assertThat(merged.predictions()).isEqualTo(all.predictions());
        assertThat(merged.numericOrNull().values).isEqualTo(all.numericOrNull().values);
        assertThat(merged.numericOrNull().mean()).isEqualTo(all.numericOrNull().mean());
        // Up to k values both sketches hold every value.
        assertThat(merged.numericOrNull().sketch.getSortedView().getQuantiles())
                .containsExactly(all.numericOrNull().sketch.getSortedView().getQuantiles());
    }

    @Test
    void categoriesAreExactBelowTheCapAndOverflowIntoOther() {
        CategoryCounts c = new CategoryCounts(2);
        for (String s : List.of("web", "app", "web", "pos", "pos", "pos")) {
            c.add(s);
        }
        // First come on one subtask: web and app are kept, pos goes to other.
        assertThat(c.sorted()).containsExactly(Map.entry("app", 1L), Map.entry("web", 2L));
        assertThat(c.other()).isEqualTo(3);
        assertThat(c.values()).isEqualTo(6);

        CategoryCounts a = CategoryCounts.of(Map.of("web", 5L, "app", 1L), 0, 2);
        CategoryCounts b = CategoryCounts.of(Map.of("pos", 4L, "app", 1L), 0, 2);
        a.merge(b);
        // On a merge the most frequent are kept: web 5, pos 4; app (2) goes to other.
        assertThat(a.sorted()).containsExactly(Map.entry("pos", 4L), Map.entry("web", 5L));
        assertThat(a.other()).isEqualTo(2);
        assertThat(a.values()).isEqualTo(11);
    }

    @Test
    void theExactSumIsTheCorrectlyRoundedSumInAnyOrderAndSplit() {
        Random random = new Random(5);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            values.add(random.nextGaussian() * Math.pow(10, random.nextInt(30) - 15));
        }
        values.add(1e16);
        values.add(1.0);
        values.add(-1e16);
        BigDecimal exact = BigDecimal.ZERO;
        for (double v : values) {
            exact = exact.add(new BigDecimal(v));
        }
        double expected = exact.doubleValue();
        for (int trial = 0; trial < 5; trial++) {
            Collections.shuffle(values, random);
            ExactSum whole = new ExactSum();
            values.forEach(whole::add);
            assertThat(whole.value()).isEqualTo(expected);
            ExactSum left = new ExactSum();
            ExactSum right = new ExactSum();
            int cut = random.nextInt(values.size());
            values.subList(0, cut).forEach(left::add);
            values.subList(cut, values.size()).forEach(right::add);
            right.addAll(left);
            assertThat(right.value()).isEqualTo(expected);
        }
        // Plain summation loses the 1.0 between 1e16 and -1e16.
        ExactSum cancel = new ExactSum();
        for (double v : new double[] {1e16, 1.0, -1e16}) {
            cancel.add(v);
        }
        assertThat(cancel.value()).isEqualTo(1.0);
        assertThat(1e16 + 1.0 - 1e16).isNotEqualTo(1.0);
    }
}
