package io.hindsight.drift;

import static io.hindsight.drift.DriftTesting.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.DriftResult;
import io.hindsight.spec.JobSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.junit.jupiter.api.Test;

/**
 * The size-aware verdict against the truth: on windows drawn from the reference's distribution the
 * share of drifted rows stays within the stated level (binomial bound) at every window size, and on
 * planted shifts the detection rate per size is reported and the cases that must be caught are.
 */
class DriftVerdictTest {

    /** The reference: a training profile of this many values (as in the users' fraud model). */
    static final int REFERENCE = 20_000;

    static final int[] SIZES = {50, 100, 1_000, 10_000};

    /** Independent references (seeds) per shape, and windows per reference and size. */
    static final int REFERENCES = 4;

    static final int WINDOWS = 100;

    /** A bound exceeded by a binomial count at the stated level with probability below this. */
    static final double BOUND_TAIL = 1e-4;

    static final JobSpec SPEC = DriftTesting.spec("{type: profile, file: /tmp/reference.json}", "");

    static final double LEVEL = SPEC.drift().decision().falseAlarmRate();

    /** A feature's distribution: how one value (numeric) or one category is drawn. */
    record Shape(String name, String target, Function<Random, Object> draw) {}

    static Object normal(Random r) {
        return 500 + 100 * r.nextGaussian();
    }

    static Object logNormal(Random r) {
        return Math.exp(3 + 0.8 * r.nextGaussian());
    }

    /** A fraud score: most near 0, a 20 % exponential tail. */
    static Object score(Random r) {
        return r.nextDouble() < 0.8
                ? 0.01 * r.nextDouble()
                : Math.min(1, -0.15 * Math.log(1 - r.nextDouble()));
    }

    static final String[] MERCHANTS = {"food", "fuel", "games", "grocery", "retail", "travel"};
    static final double[] MERCHANT_SHARES = {0.30, 0.25, 0.02, 0.20, 0.15, 0.08};

    static Object merchant(Random r, double[] shares) {
        double u = r.nextDouble();
        for (int i = 0; i < shares.length; i++) {
            u -= shares[i];
            if (u < 0) {
                return MERCHANTS[i];
            }
        }
        return MERCHANTS[shares.length - 1];
    }

    static Object positive(Random r, double rate) {
        return r.nextDouble() < rate ? "1" : "0";
    }

    static final List<Shape> UNCHANGED =
            List.of(
                    new Shape("normal", "amount", DriftVerdictTest::normal),
                    new Shape("log-normal", "amount", DriftVerdictTest::logNormal),
                    new Shape("score", "score", DriftVerdictTest::score),
                    new Shape("merchant", "channel", r -> merchant(r, MERCHANT_SHARES)),
                    new Shape("predicted_class 3 %", "predicted_class", r -> positive(r, 0.03)));

    static FeatureWindow window(Shape shape, Random random, int n) {
        FeatureWindow w = new FeatureWindow(SPEC.drift().sketchK(), SPEC.drift().maxCategories());
        DriftTarget target = DriftRowsTest.target(SPEC, shape.target());
        boolean numeric = target.kind() == DriftTarget.Kind.NUMERIC;
        for (int i = 0; i < n; i++) {
            w.predictions++;
            Object v = shape.draw().apply(random);
            if (numeric) {
                w.numeric().add((Double) v, target);
            } else {
                w.categories().add((String) v);
            }
        }
        return w;
    }

    static DriftResult row(DriftRows rows, Shape shape, FeatureWindow w, FeatureWindow r) {
        return rows.rows(
                        DriftRowsTest.target(SPEC, shape.target()),
                        T0,
                        T0 + DriftTesting.HOUR,
                        w,
                        r)
                .get(0);
    }

    /** The most drifted rows of {@code trials} that a rate of at most the level explains. */
    static int bound(int trials) {
        return new BinomialDistribution(null, trials, LEVEL)
                .inverseCumulativeProbability(1 - BOUND_TAIL);
    }

    /** Drifted rows of windows drawn from {@code window} against references from {@code ref}. */
    static int[] drifted(Shape reference, Shape window, int n, long seed, int[] oldRule) {
        int drifted = 0;
        int old = 0;
        for (int s = 0; s < REFERENCES; s++) {
            Random random = new Random(seed * 1_000 + s);
            FeatureWindow ref = window(reference, random, REFERENCE);
            DriftRows rows = new DriftRows("fraud", "profile:training", SPEC.drift(), true);
            for (int i = 0; i < WINDOWS; i++) {
                DriftResult row = row(rows, window, window(window, random, n), ref);
                assertThat(row.getInsufficientData()).isFalse();
                if (row.getDrifted()) {
                    drifted++;
                }
                if (oldRule(row)) {
                    old++;
                }
            }
        }
        if (oldRule != null) {
            oldRule[0] = old;
        }
        return new int[] {drifted, REFERENCES * WINDOWS};
    }

    /** The rule before sizes counted: fixed effect-size thresholds alone. */
    static boolean oldRule(DriftResult row) {
        return row.getJensenShannon() > 0.1
                || row.getPsi() > 0.2
                || (row.getWasserstein() != null && row.getWasserstein() > 0.1);
    }

    @Test
    void onWindowsDrawnFromTheReferenceTheFalseAlarmRateIsWithinTheLevelAtEverySize() {
        StringBuilder report = new StringBuilder();
        int totalDrifted = 0;
        int totalTrials = 0;
        for (int n : SIZES) {
            for (int k = 0; k < UNCHANGED.size(); k++) {
                Shape shape = UNCHANGED.get(k);
                int[] old = new int[1];
                int[] result = drifted(shape, shape, n, 31L * n + k, old);
                report.append(
                        String.format(
                                "n=%-6d %-20s drifted %3d / %d (fixed thresholds alone: %3d)%n",
                                n, shape.name(), result[0], result[1], old[0]));
                assertThat(result[0])
                        .as(
                                "%s at n = %d: drifted rows of windows drawn from the reference",
                                shape, n)
                        .isLessThanOrEqualTo(bound(result[1]));
                totalDrifted += result[0];
                totalTrials += result[1];
            }
        }
        report.append(
                String.format(
                        "all: %d / %d (level %s, bound %d)%n",
                        totalDrifted, totalTrials, LEVEL, bound(totalTrials)));
        System.out.print(report);
        assertThat(totalDrifted).isLessThanOrEqualTo(bound(totalTrials));
    }

    @Test
    void plantedShiftsAreDetectedMoreOftenAsWindowsGrow() {
        Map<String, Shape[]> shifts = new LinkedHashMap<>();
        shifts.put(
                "normal mean +0.5 σ",
                new Shape[] {
                    UNCHANGED.get(0),
                    new Shape("normal+0.5", "amount", r -> 550 + 100 * r.nextGaussian())
                });
        shifts.put(
                "log-normal ×1.5",
                new Shape[] {
                    UNCHANGED.get(1),
                    new Shape("log-normal×1.5", "amount", r -> 1.5 * (Double) logNormal(r))
                });
        shifts.put(
                "score tail 20 % → 30 %",
                new Shape[] {
                    UNCHANGED.get(2),
                    new Shape(
                            "score-tail",
                            "score",
                            r ->
                                    r.nextDouble() < 0.7
                                            ? 0.01 * r.nextDouble()
                                            : Math.min(1, -0.15 * Math.log(1 - r.nextDouble())))
                });
        shifts.put(
                "merchant food 30 % → 40 %",
                new Shape[] {
                    UNCHANGED.get(3),
                    new Shape(
                            "merchant-food",
                            "channel",
                            r -> merchant(r, new double[] {0.40, 0.20, 0.02, 0.18, 0.13, 0.07}))
                });
        shifts.put(
                "merchant food 30 % → 50 %",
                new Shape[] {
                    UNCHANGED.get(3),
                    new Shape(
                            "merchant-food-50",
                            "channel",
                            r -> merchant(r, new double[] {0.50, 0.15, 0.02, 0.15, 0.11, 0.07}))
                });
        shifts.put(
                "predicted_class 3 % → 5 %",
                new Shape[] {
                    UNCHANGED.get(4),
                    new Shape("positive-5", "predicted_class", r -> positive(r, 0.05))
                });
        int[] sizes = {50, 100, 1_000, 2_200, 10_000};
        StringBuilder report = new StringBuilder();
        Map<String, double[]> rates = new LinkedHashMap<>();
        for (Map.Entry<String, Shape[]> e : shifts.entrySet()) {
            double[] rate = new double[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                int[] result = drifted(e.getValue()[0], e.getValue()[1], sizes[i], 7L * i, null);
                rate[i] = result[0] / (double) result[1];
            }
            rates.put(e.getKey(), rate);
            report.append(String.format("%-28s", e.getKey()));
            for (int i = 0; i < sizes.length; i++) {
                report.append(String.format(" n=%d: %5.1f %%", sizes[i], 100 * rate[i]));
            }
            report.append('\n');
        }
        System.out.print(report);
        // Every shift above the effect-size floors is caught on (nearly) every window of 10 000
        // values; food 30 % → 40 % (JS ≈ 0.06, PSI ≈ 0.04) is below them and is not, by design.
        rates.forEach(
                (name, rate) -> {
                    if (!name.equals("merchant food 30 % → 40 %")) {
                        assertThat(rate[4]).as(name).isGreaterThanOrEqualTo(0.99);
                    }
                });
        assertThat(rates.get("merchant food 30 % → 40 %")[4]).isLessThan(0.2);
        // Detection grows with the window.
        rates.forEach(
                (name, rate) -> {
                    if (!name.equals("merchant food 30 % → 40 %")) {
                        assertThat(rate[2]).as(name).isGreaterThanOrEqualTo(rate[0]);
                    }
                });
        // The binary output at the users' larger volume (about 2 200 a window).
        assertThat(rates.get("predicted_class 3 % → 5 %")[3]).isGreaterThanOrEqualTo(0.85);
    }

    @Test
    void theBinaryOutputShiftIsCaughtByTheRateRuleAndTheRowSaysSo() {
        Shape before = UNCHANGED.get(4);
        Random random = new Random(5);
        FeatureWindow ref = window(before, random, REFERENCE);
        DriftRows rows = new DriftRows("fraud", "profile:training", SPEC.drift(), true);
        FeatureWindow w = new FeatureWindow(SPEC.drift().sketchK(), SPEC.drift().maxCategories());
        w.predictions = 2_200;
        w.setCategories(CategoryCounts.of(Map.of("0", 2_090L, "1", 110L), 0, 100));
        DriftResult row = row(rows, before, w, ref);

        // JS and PSI stay far under their floors: only the rate rule sees it.
        assertThat(row.getJensenShannon()).isLessThan(0.1);
        assertThat(row.getPsi()).isLessThan(0.2);
        assertThat(row.getDrifted()).isTrue();
        assertThat(row.getDriftedBy()).containsExactly("rate_shift");
        assertThat(row.getDecidedBy()).isEqualTo("rate_shift");
        assertThat(row.getRateCategory()).isEqualTo("1");
        assertThat(row.getRateWindow()).isEqualTo(0.05);
        long y = ref.categoriesOrNull().count("1");
        assertThat(row.getRateReference()).isEqualTo(y / (double) REFERENCE);
        assertThat(row.getRatePValue()).isCloseTo(fisher(110, 2_200, y, REFERENCE), relative());

        // Off for features unless configured: the same counts on a categorical feature.
        JobSpec off = DriftTesting.spec("{type: profile, file: /tmp/r.json}", "");
        DriftResult channel =
                new DriftRows("fraud", "profile:training", off.drift(), true)
                        .rows(DriftRowsTest.target(off, "channel"), T0, T0 + 1, w, ref)
                        .get(0);
        assertThat(channel.getDrifted()).isFalse();
        assertThat(channel.getRateCategory()).isNull();
        JobSpec on =
                DriftTesting.spec(
                        "{type: profile, file: /tmp/r.json}",
                        "  rate-shift: {features: [channel], model-outputs: false}");
        DriftResult channelOn =
                new DriftRows("fraud", "profile:training", on.drift(), true)
                        .rows(DriftRowsTest.target(on, "channel"), T0, T0 + 1, w, ref)
                        .get(0);
        assertThat(channelOn.getDriftedBy()).containsExactly("rate_shift");
        DriftResult classOff =
                new DriftRows("fraud", "profile:training", on.drift(), true)
                        .rows(DriftRowsTest.target(on, "predicted_class"), T0, T0 + 1, w, ref)
                        .get(0);
        assertThat(classOff.getDrifted()).isFalse();
    }

    @Test
    void aWindowTooSmallToDecideSaysSoAndIsNeverDrifted() {
        Shape shape = UNCHANGED.get(0);
        Random random = new Random(9);
        FeatureWindow ref = window(shape, random, REFERENCE);
        DriftRows rows = new DriftRows("fraud", "profile:training", SPEC.drift(), true);
        // 29 values, all far outside the reference.
        Shape far = new Shape("far", "amount", r -> 5_000.0);
        DriftResult small = row(rows, shape, window(far, random, 29), ref);
        assertThat(small.getInsufficientData()).isTrue();
        assertThat(small.getDrifted()).isFalse();
        assertThat(small.getDriftedBy()).isEmpty();
        assertThat(small.getDecidedBy()).isEqualTo("insufficient_data");
        assertThat(small.getJensenShannon()).isGreaterThan(0.5);
        assertThat(small.getThresholds()).isNull();

        DriftResult enough = row(rows, shape, window(far, random, 30), ref);
        assertThat(enough.getInsufficientData()).isFalse();
        assertThat(enough.getDriftedBy()).contains("jensen_shannon", "psi", "wasserstein");

        // Nor can a window without a reference yet (the first windows of a rolling one).
        DriftResult none = row(rows, shape, window(shape, random, 500), null);
        assertThat(none.getInsufficientData()).isTrue();
        assertThat(none.getDecidedBy()).isEqualTo("insufficient_data");
        assertThat(none.getJensenShannon()).isNull();

        // A reference that small cannot decide either.
        FeatureWindow tinyRef = window(shape, random, 20);
        DriftResult tiny = row(rows, shape, window(shape, random, 500), tinyRef);
        assertThat(tiny.getInsufficientData()).isTrue();
        assertThat(tiny.getDecidedBy()).isEqualTo("insufficient_data");
    }

    @Test
    void smallWindowsAreDecidedByTheirNoiseThresholdsAndLargeOnesByTheFloors() {
        Shape shape = UNCHANGED.get(0);
        Random random = new Random(13);
        FeatureWindow ref = window(shape, random, REFERENCE);
        DriftRows rows = new DriftRows("fraud", "profile:training", SPEC.drift(), true);
        var floors = SPEC.drift().thresholds();

        DriftResult small = row(rows, shape, window(shape, random, 100), ref);
        assertThat(small.getDecidedBy()).isEqualTo("sampling_noise");
        assertThat(small.getNoiseThresholds().get("jensen_shannon"))
                .isGreaterThan(floors.jensenShannon());
        small.getThresholds()
                .forEach(
                        (statistic, t) ->
                                assertThat(t)
                                        .isEqualTo(
                                                Math.max(
                                                        floors.threshold(
                                                                io.hindsight.spec.DriftStatistic
                                                                        .valueOf(
                                                                                statistic
                                                                                        .toUpperCase())),
                                                        small.getNoiseThresholds()
                                                                .get(statistic))));

        DriftResult large = row(rows, shape, window(shape, random, 10_000), ref);
        assertThat(large.getDecidedBy()).isEqualTo("effect_size");
        assertThat(large.getThresholds())
                .containsEntry("jensen_shannon", floors.jensenShannon())
                .containsEntry("psi", floors.psi())
                .containsEntry("wasserstein", floors.wasserstein());
        // Noise shrinks with the window: about as 1/√n for JS and W1, 1/n for PSI.
        assertThat(large.getNoiseThresholds().get("jensen_shannon"))
                .isLessThan(small.getNoiseThresholds().get("jensen_shannon") / 5);
        assertThat(large.getNoiseThresholds().get("psi"))
                .isLessThan(small.getNoiseThresholds().get("psi") / 30);

        // A big shift on a large window is an effect size; on a small one its noise threshold
        // was the bar it cleared.
        Shape shifted = new Shape("shifted", "amount", r -> 600 + 100 * r.nextGaussian());
        DriftResult bigLarge = row(rows, shape, window(shifted, random, 10_000), ref);
        assertThat(bigLarge.getDrifted()).isTrue();
        assertThat(bigLarge.getDecidedBy()).isEqualTo("effect_size");
        Shape far = new Shape("far", "amount", r -> 900 + 100 * r.nextGaussian());
        DriftResult bigSmall = row(rows, shape, window(far, random, 100), ref);
        assertThat(bigSmall.getDrifted()).isTrue();
        assertThat(bigSmall.getDecidedBy()).isEqualTo("sampling_noise");
    }

    @Test
    void thresholdsAreTheSameOnAReplayAndCachedForAFixedReference() {
        Shape shape = UNCHANGED.get(1);
        FeatureWindow ref = window(shape, new Random(3), REFERENCE);
        FeatureWindow w = window(shape, new Random(4), 120);
        DriftResult a = row(new DriftRows("fraud", "profile:t", SPEC.drift(), true), shape, w, ref);
        DriftResult b =
                row(new DriftRows("fraud", "profile:t", SPEC.drift(), false), shape, w, ref);
        assertThat(a.getNoiseThresholds()).isEqualTo(b.getNoiseThresholds());
        assertThat(a.getNoiseThresholds()).hasSize(3);
    }

    /**
     * The binary output's thresholds checked exactly: a window's positive count is Binomial(n, p)
     * with p the reference's share, so the probability that a window drawn from it exceeds any
     * threshold is a finite sum, computed here with the test's own JS and PSI.
     */
    @Test
    void theExactFalseAlarmProbabilityOfABinaryOutputIsWithinTheLevel() {
        for (int n : new int[] {50, 100, 1_000}) {
            long y = 600;
            long m = REFERENCE;
            NullThresholds.Thresholds t =
                    NullThresholds.categorical(
                            new long[] {m - y, y}, n, LEVEL, 1000, DriftRows.seed("x", n, m));
            double p = y / (double) m;
            BinomialDistribution law = new BinomialDistribution(null, n, p);
            double exceed = 0;
            for (int x = 0; x <= n; x++) {
                double[] counts = {n - x, x};
                double[] ref = {m - y, y};
                double js =
                        Exact.js(
                                new double[] {(n - x) / (double) n, x / (double) n},
                                new double[] {1 - p, p});
                double psi = Exact.psi(counts, ref);
                if (js > t.jensenShannon() || psi > t.psi()) {
                    exceed += law.probability(x);
                }
            }
            assertThat(exceed).as("n = %d", n).isLessThanOrEqualTo(LEVEL);
        }
    }

    /** Fisher's exact two-sided p-value (doubled smaller tail) from log-factorials. */
    static double fisher(long x, long n, long y, long m) {
        long k = x + y;
        long total = n + m;
        double lower = 0;
        double upper = 0;
        for (long i = Math.max(0, k - m); i <= Math.min(k, n); i++) {
            double logP = logChoose(n, i) + logChoose(m, k - i) - logChoose(total, k);
            double prob = Math.exp(logP);
            if (i <= x) {
                lower += prob;
            }
            if (i >= x) {
                upper += prob;
            }
        }
        return Math.min(1, 2 * Math.min(lower, upper));
    }

    static double logChoose(long n, long k) {
        return org.apache.commons.math3.special.Gamma.logGamma(n + 1.0)
                - org.apache.commons.math3.special.Gamma.logGamma(k + 1.0)
                - org.apache.commons.math3.special.Gamma.logGamma(n - k + 1.0);
    }

    static org.assertj.core.data.Percentage relative() {
        return org.assertj.core.data.Percentage.withPercentage(1e-6);
    }

    @Test
    void theRateRulesPValueIsFishersExactTest() {
        long[][] cases = {{110, 2_200, 600, 20_000}, {3, 100, 600, 20_000}, {0, 500, 30, 9_000}};
        for (long[] c : cases) {
            assertThat(RateShift.twoSidedP(c[0], c[1], c[2], c[3]))
                    .as("%d/%d vs %d/%d", c[0], c[1], c[2], c[3])
                    .isCloseTo(fisher(c[0], c[1], c[2], c[3]), relative());
        }
    }
}
