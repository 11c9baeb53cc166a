package io.hindsight.drift;

import static io.hindsight.drift.DriftTesting.T0;
import static io.hindsight.drift.DriftTesting.prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
        // Version 1 had no sum of squares.
        byte[] old = bytes.clone();
        old[0] = 1;
        assertThatThrownBy(() -> FeatureWindow.decode(old, 200, 100))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("unrecognized drift accumulator version 1");
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
        assertThat(merged.numericOrNull().std()).isEqualTo(all.numericOrNull().std());
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

    static NumericValues values(List<Double> values) {
        NumericValues v = new NumericValues(200);
        values.forEach(x -> v.add(x, target("score")));
        return v;
    }

    @Test
    void theStandardDeviationIsExactInAnyOrderAndSplitEvenFarFromZero() {
        Random random = new Random(13);
        // A large mean against a unit spread (timestamps, account numbers): the textbook
        // S₂/n − (S₁/n)² cancels every digit here.
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            values.add(1e9 + random.nextGaussian());
        }
        double[] array = values.stream().mapToDouble(Double::doubleValue).toArray();
        double exact = Exact.std(array);
        NumericValues whole = values(values);
        double sigma = whole.std();
        // Three roundings (the difference, the root, the division): relative 3·2⁻⁵³ from the
        // true σ; the exact computation rounds once at the end (2⁻⁵³): 4·2⁻⁵³ apart at most.
        assertThat(sigma).isCloseTo(exact, within(exact * 4 * 0x1p-53));
        double s1 = 0;
        double s2 = 0;
        for (double x : array) {
            s1 += x;
            s2 += x * x;
        }
        double naive = Math.sqrt(Math.max(0, s2 / array.length - Math.pow(s1 / array.length, 2)));
        assertThat(Math.abs(naive - exact)).isGreaterThan(0.1 * exact);

        for (int trial = 0; trial < 3; trial++) {
            Collections.shuffle(values, random);
            int cut = random.nextInt(values.size());
            NumericValues left = values(values.subList(0, cut));
            NumericValues right = values(values.subList(cut, values.size()));
            FeatureWindow bytes = new FeatureWindow(200, 100);
            bytes.setNumeric(right);
            NumericValues restored = FeatureWindow.decode(bytes.encode(), 200, 100).numericOrNull();
            restored.merge(left);
            assertThat(restored.std()).isEqualTo(sigma);
            // What a rolling reference keeps of a window has the same σ.
            assertThat(restored.referencePart().std()).isEqualTo(sigma);
        }

        // Values of every magnitude, positive and negative.
        List<Double> mixed = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            mixed.add(random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
        }
        double mixedExact = Exact.std(mixed.stream().mapToDouble(Double::doubleValue).toArray());
        assertThat(values(mixed).std()).isCloseTo(mixedExact, within(mixedExact * 4 * 0x1p-53));
    }

    @Test
    void aConstantHasNoSpreadAndAnOverflowNoStandardDeviation() {
        assertThat(values(List.of(0.1, 0.1, 0.1)).std()).isZero();
        assertThat(values(List.of(-7.25)).std()).isZero();
        assertThat(new NumericValues(200).std()).isNaN();
        // 1e200² is beyond the double range: the sum of squares is no longer exact.
        NumericValues huge = values(List.of(1.0, 1e200, 2.0));
        assertThat(huge.sumOfSquares.overflowed()).isTrue();
        assertThat(huge.std()).isNaN();
        assertThat(huge.mean()).isEqualTo((1.0 + 1e200 + 2.0) / 3);
    }
}
