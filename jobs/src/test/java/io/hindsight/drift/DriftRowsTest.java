package io.hindsight.drift;

import static io.hindsight.drift.DriftTesting.T0;
import static io.hindsight.drift.DriftTesting.prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Thresholds (effect sizes first) and how deterministic the rows are. */
class DriftRowsTest {

    static DriftTarget target(JobSpec spec, String name) {
        return DriftTarget.of(spec).stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    static FeatureWindow fold(JobSpec spec, String target, List<Prediction> predictions) {
        FeatureWindow w = new FeatureWindow(spec.drift().sketchK(), spec.drift().maxCategories());
        DriftTarget t = target(spec, target);
        predictions.forEach(p -> DriftFolder.add(p, t, w));
        return w;
    }

    /** Folds {@code predictions} in {@code parts} partials, bytes in between, merged in order. */
    static FeatureWindow foldInParts(
            JobSpec spec, String target, List<Prediction> predictions, int parts) {
        FeatureWindow merged =
                new FeatureWindow(spec.drift().sketchK(), spec.drift().maxCategories());
        int size = (predictions.size() + parts - 1) / parts;
        for (int from = 0; from < predictions.size(); from += size) {
            FeatureWindow part =
                    fold(
                            spec,
                            target,
                            predictions.subList(from, Math.min(predictions.size(), from + size)));
            merged.merge(
                    FeatureWindow.decode(
                            part.encode(), spec.drift().sketchK(), spec.drift().maxCategories()));
        }
        return merged;
    }

    static DriftResult row(JobSpec spec, String target, FeatureWindow w, FeatureWindow r) {
        return new DriftRows("fraud", "rolling:2", spec.drift(), false)
                .rows(target(spec, target), T0, T0 + DriftTesting.HOUR, w, r)
                .get(0);
    }

    static List<Prediction> normals(Random random, int n, double mean, String prefix) {
        List<Prediction> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(prediction(prefix + i, T0, mean + random.nextGaussian(), "web", 0.5));
        }
        return out;
    }

    /** A window of normal values, added as the folder adds them (without building predictions). */
    static FeatureWindow normalWindow(JobSpec spec, Random random, int n, double mean) {
        FeatureWindow w = new FeatureWindow(spec.drift().sketchK(), spec.drift().maxCategories());
        DriftTarget amount = target(spec, "amount");
        for (int i = 0; i < n; i++) {
            w.predictions++;
            w.numeric().add(mean + random.nextGaussian(), amount);
        }
        return w;
    }

    static FeatureWindow channelWindow(JobSpec spec, long apps, long webs) {
        FeatureWindow w = new FeatureWindow(spec.drift().sketchK(), spec.drift().maxCategories());
        w.predictions = apps + webs;
        w.setCategories(
                CategoryCounts.of(
                        java.util.Map.of("app", apps, "web", webs),
                        0,
                        spec.drift().maxCategories()));
        return w;
    }

    @Test
    void aTinyRealShiftOnALargeWindowFailsTheTestsButNotTheEffectSizes() {
        JobSpec spec = DriftTesting.spec("{type: rolling, windows: 2}", "  sketch-k: 2000");
        Random random = new Random(23);
        FeatureWindow reference = normalWindow(spec, random, 200_000, 0);
        FeatureWindow window = normalWindow(spec, random, 200_000, 0.05);

        DriftResult numeric = row(spec, "amount", window, reference);

        // 0.05 σ: the KS test rejects by far (D ≈ 0.02 on 2 × 200 000 values) ...
        assertThat(numeric.getKsPValue()).isLessThan(1e-9);
        // ... while the effect sizes stay well under their thresholds.
        assertThat(numeric.getPsi()).isLessThan(spec.drift().thresholds().psi() / 10);
        assertThat(numeric.getJensenShannon())
                .isLessThan(spec.drift().thresholds().jensenShannon());
        // W1 / σ of a 0.05 σ shift: 0.05, up to sampling noise (~0.003 at 200 000 values).
        assertThat(numeric.getWasserstein()).isCloseTo(0.05, within(0.01));
        assertThat(numeric.getDrifted()).isFalse();
        assertThat(numeric.getDriftedBy()).isEmpty();

        // 50.5 % vs 50 % of a million: chi-square ≈ 100, p ≈ 1e-23; PSI ≈ 1e-4.
        FeatureWindow refChannels = channelWindow(spec, 500_000, 500_000);
        FeatureWindow winChannels = channelWindow(spec, 505_000, 495_000);
        DriftResult categorical = row(spec, "channel", winChannels, refChannels);
        assertThat(categorical.getChiSquare()).isCloseTo(100, within(0.1));
        assertThat(categorical.getChiSquarePValue()).isLessThan(1e-9);
        assertThat(categorical.getPsi()).isLessThan(0.001);
        assertThat(categorical.getDrifted()).isFalse();

        // Alerting on p-values is opt-in.
        JobSpec optIn =
                DriftTesting.spec(
                        "{type: rolling, windows: 2}",
                        "  sketch-k: 2000\n  thresholds: {p-value: 0.01}");
        assertThat(row(optIn, "amount", window, reference).getDriftedBy())
                .containsExactly("kolmogorov_smirnov");
        assertThat(row(optIn, "channel", winChannels, refChannels).getDriftedBy())
                .containsExactly("chi_square");
    }

    @Test
    void aRealShiftIsFlaggedByItsEffectSizes() {
        JobSpec spec = DriftTesting.rolling(2);
        Random random = new Random(29);
        FeatureWindow reference = fold(spec, "amount", normals(random, 20_000, 100, "r"));
        FeatureWindow window = fold(spec, "amount", normals(random, 20_000, 101, "w"));
        DriftResult row = row(spec, "amount", window, reference);
        // A shift of one σ: PSI ≈ 0.9, JS ≈ 0.4, W1 / σ ≈ 1.
        assertThat(row.getDriftedBy()).containsExactly("jensen_shannon", "psi", "wasserstein");
        assertThat(row.getDrifted()).isTrue();
    }

    /** One value of a skewed shape, with its tail scaled by {@code tailFactor}. */
    static double skewed(String shape, Random random, double tailFactor) {
        return switch (shape) {
            // A model score's shape: most values piled up near 0, a long tail of 20 %.
            case "spike-and-tail" ->
                    random.nextDouble() < 0.2
                            ? tailFactor * -Math.log(1 - random.nextDouble())
                            : Math.abs(0.01 * random.nextGaussian());
            // Amounts: log-normal; its tail is what lies above the 90th percentile e^1.2816.
            case "log-normal" -> {
                double v = Math.exp(random.nextGaussian());
                yield v > Math.exp(1.2816) ? tailFactor * v : v;
            }
            default -> throw new IllegalArgumentException(shape);
        };
    }

    static double[] draw(String shape, Random random, int n, double tailFactor) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = skewed(shape, random, tailFactor);
        }
        return v;
    }

    static FeatureWindow window(JobSpec spec, double[] values) {
        FeatureWindow w = new FeatureWindow(spec.drift().sketchK(), spec.drift().maxCategories());
        DriftTarget score = target(spec, "score");
        for (double v : values) {
            w.predictions++;
            w.numeric().add(v, score);
        }
        return w;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"spike-and-tail", "log-normal"})
    void onASkewedFeatureSamplingNoiseStaysUnderTheThresholdAndAScaledTailGoesOver(String shape) {
        // The fraud demo's scale: daily windows of 1 400 values against a rolling reference of
        // the 7 previous days, the default threshold (0.1). The sketches are large enough (k =
        // 2000) that their own error stays out of the way: the window's is exact, the
        // reference's moves W1/σ by ~0.01 at most here. At k = 200 that error alone is ~0.04–0.05
        // (95th percentile), up to 0.09, on tails like these (jobs README, "Accuracy against an
        // exact computation").
        JobSpec spec = DriftTesting.spec("{type: rolling, windows: 7}", "  sketch-k: 2000");
        double threshold = spec.drift().thresholds().wasserstein();
        assertThat(threshold).isEqualTo(0.1);
        Random random = new Random(shape.hashCode());
        FeatureWindow reference =
                new FeatureWindow(spec.drift().sketchK(), spec.drift().maxCategories());
        double[] rs = new double[0];
        for (int day = 0; day < 7; day++) {
            double[] values = draw(shape, random, 1400, 1);
            reference.merge(
                    FeatureWindow.decode(
                            window(spec, values).referencePart().encode(),
                            spec.drift().sketchK(),
                            spec.drift().maxCategories()));
            double[] all = Arrays.copyOf(rs, rs.length + values.length);
            System.arraycopy(values, 0, all, rs.length, values.length);
            rs = all;
        }
        double sigma = Exact.std(rs);
        double iqr =
                Exact.quantile(Exact.sorted(rs), 0.75) - Exact.quantile(Exact.sorted(rs), 0.25);
        int iqrWouldFlag = 0;
        for (int day = 0; day < 20; day++) {
            double[] ws = draw(shape, random, 1400, 1);
            DriftResult row = row(spec, "score", window(spec, ws), reference);
            double w1 = Exact.wasserstein(Exact.sorted(ws), Exact.sorted(rs));
            assertThat(w1 / sigma).as("exact W1/σ, clean day %d", day).isLessThan(threshold);
            assertThat(row.getWasserstein()).as("clean day %d", day).isLessThan(threshold);
            assertThat(row.getDriftedBy()).doesNotContain("wasserstein");
            if (w1 / iqr > threshold) {
                iqrWouldFlag++;
            }
        }
        for (int day = 0; day < 5; day++) {
            double[] ws = draw(shape, random, 1400, 1.8);
            DriftResult row = row(spec, "score", window(spec, ws), reference);
            double w1 = Exact.wasserstein(Exact.sorted(ws), Exact.sorted(rs));
            assertThat(w1 / sigma).as("exact W1/σ, shifted day %d", day).isGreaterThan(threshold);
            assertThat(row.getWasserstein()).as("shifted day %d", day).isGreaterThan(threshold);
            assertThat(row.getDriftedBy()).contains("wasserstein");
        }
        if (shape.equals("spike-and-tail")) {
            // W1 over the IQR, which the tail dwarfs, flagged every unchanged day.
            assertThat(iqrWouldFlag).isEqualTo(20);
        }
    }

    @Test
    void upToKValuesAReplayInAnotherOrderAndSplitGivesTheSameRow() {
        JobSpec spec = DriftTesting.rolling(2);
        Random random = new Random(31);
        List<Prediction> ref = normals(random, 190, 100, "r");
        List<Prediction> win = normals(random, 150, 102, "w");
        DriftResult first =
                row(spec, "amount", fold(spec, "amount", win), fold(spec, "amount", ref));
        Collections.shuffle(ref, random);
        Collections.shuffle(win, random);
        DriftResult replay =
                row(
                        spec,
                        "amount",
                        foldInParts(spec, "amount", win, 4),
                        foldInParts(spec, "amount", ref, 3));
        assertThat(replay).isEqualTo(first);
    }

    @Test
    void beyondKValuesOnlyTheSketchFiguresMoveAndWithinTheirBound() {
        JobSpec spec = DriftTesting.rolling(2);
        Random random = new Random(37);
        List<Prediction> ref = normals(random, 20_000, 100, "r");
        List<Prediction> win = normals(random, 15_000, 100.3, "w");
        for (int i = 0; i < win.size(); i += 7) {
            win.set(i, prediction("m" + i, T0, i % 2 == 0 ? null : 5000.0, "app", 0.5));
        }
        FeatureWindow w1 = fold(spec, "amount", win);
        FeatureWindow r1 = fold(spec, "amount", ref);
        DriftResult first = row(spec, "amount", w1, r1);
        Collections.shuffle(ref, random);
        Collections.shuffle(win, random);
        FeatureWindow w2 = foldInParts(spec, "amount", win, 5);
        FeatureWindow r2 = foldInParts(spec, "amount", ref, 2);
        DriftResult replay = row(spec, "amount", w2, r2);

        // Exact figures: bitwise equal.
        assertThat(replay.getPredictions()).isEqualTo(first.getPredictions());
        assertThat(replay.getValues()).isEqualTo(first.getValues());
        assertThat(replay.getMissingRate()).isEqualTo(first.getMissingRate());
        assertThat(replay.getOutOfRangeRate()).isEqualTo(first.getOutOfRangeRate());
        assertThat(replay.getMean()).isEqualTo(first.getMean());
        assertThat(replay.getReferenceValues()).isEqualTo(first.getReferenceValues());
        // Sketch figures: each replay's D is within ε_W + ε_R of the exact D, so two replays
        // are within twice that of each other.
        double bound =
                2
                        * (DriftStatistics.rankError(w1.numericOrNull().sketch)
                                + DriftStatistics.rankError(r1.numericOrNull().sketch));
        assertThat(replay.getKolmogorovSmirnov())
                .isCloseTo(first.getKolmogorovSmirnov(), within(bound));
    }

    @Test
    void categoricalRowsAreBitwiseEqualOnAnyReplay() {
        JobSpec spec = DriftTesting.rolling(2);
        Random random = new Random(41);
        List<Prediction> ref = new ArrayList<>();
        List<Prediction> win = new ArrayList<>();
        String[] channels = {"web", "app", "pos", "kiosk", "phone"};
        for (int i = 0; i < 10_000; i++) {
            ref.add(prediction("r" + i, T0, 1.0, channels[random.nextInt(4)], 0.5));
            win.add(prediction("w" + i, T0, 1.0, channels[random.nextInt(5)], 0.5));
        }
        DriftResult first =
                row(spec, "channel", fold(spec, "channel", win), fold(spec, "channel", ref));
        Collections.shuffle(ref, random);
        Collections.shuffle(win, random);
        DriftResult replay =
                row(
                        spec,
                        "channel",
                        foldInParts(spec, "channel", win, 7),
                        foldInParts(spec, "channel", ref, 3));
        assertThat(replay).isEqualTo(first);
        assertThat(first.getUnseenCategories()).isCloseTo(0.2, within(0.01));
    }
}
