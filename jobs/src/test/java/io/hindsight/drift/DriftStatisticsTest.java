package io.hindsight.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Random;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sketch-based statistics against {@link Exact}, an independent computation from every value.
 *
 * <p>Error bounds: KLL's normalized rank error ε (DataSketches' a-priori bound at 99 % confidence,
 * {@link DriftStatistics#rankError}) bounds each CDF value of a sketch by ε. Hence D is within
 * {@code ε_W + ε_R}; each bin's mass (a difference of two CDF values) within {@code 2ε}; W1 within
 * {@code (ε_W + ε_R)·(max − min)} (the CDFs differ only inside the range); a reported quantile's
 * exact rank within ε of the asked rank. PSI and JS terms are jointly convex in the two masses of a
 * bin, so over the box of masses allowed by the bin bounds each term lies between its value at the
 * exact masses minus the gradient times the box's half-widths (supporting hyperplane) and its
 * largest corner value; the tests sum these per-bin bounds. The reference's σ that divides W1 is
 * exact (from exact sums, within a relative 3·2⁻⁵³), so W1's bound divided by {@link Exact#std}
 * bounds the normalized Wasserstein, with 1e-12 of relative slack for σ's last bits.
 */
class DriftStatisticsTest {

    /** A target without a range, so that no value counts as out of range. */
    static final DriftTarget SCORE =
            DriftTarget.of(DriftTesting.rolling(2)).stream()
                    .filter(t -> t.name().equals("score"))
                    .findFirst()
                    .orElseThrow();

    static KllDoublesSketch sketch(double[] values, int k) {
        return values(values, k).sketch;
    }

    /** The accumulator of {@code values}: sketch, exact sums, counts. */
    static NumericValues values(double[] values, int k) {
        NumericValues v = new NumericValues(k);
        for (double x : values) {
            v.add(x, SCORE);
        }
        return v;
    }

    /** The statistics as a row computes them: the reference's σ from its exact sums. */
    static DriftStatistics.Comparison numeric(NumericValues w, NumericValues r) {
        return DriftStatistics.numeric(w.sketch, r.sketch, r.std());
    }

    static double[] lognormal(Random random, int n, double mu) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.exp(mu + random.nextGaussian());
        }
        return v;
    }

    @ParameterizedTest(name = "shift {0}")
    @CsvSource({"0.0", "0.4"})
    void sketchesHoldingEveryValueGiveTheExactStatistics(double shift) {
        Random random = new Random(7);
        double[] window = lognormal(random, 160, shift);
        double[] reference = lognormal(random, 180, 0);
        NumericValues wv = values(window, 200);
        NumericValues rv = values(reference, 200);
        KllDoublesSketch w = wv.sketch;
        KllDoublesSketch r = rv.sketch;
        assertThat(w.isEstimationMode()).isFalse();
        assertThat(r.isEstimationMode()).isFalse();
        double[] ws = Exact.sorted(window);
        double[] rs = Exact.sorted(reference);

        DriftStatistics.Comparison c = numeric(wv, rv);

        double[] deciles = new double[9];
        for (int i = 0; i < 9; i++) {
            deciles[i] = Exact.quantile(rs, (i + 1) / 10.0);
        }
        assertThat(DriftStatistics.binEdges(r)).containsExactly(deciles);
        double[] wMass = Exact.binMasses(ws, deciles);
        double[] rMass = Exact.binMasses(rs, deciles);
        double[] wCounts = new double[10];
        double[] rCounts = new double[10];
        for (int i = 0; i < 10; i++) {
            wCounts[i] = wMass[i] * ws.length;
            rCounts[i] = rMass[i] * rs.length;
        }
        assertThat(c.psi()).isCloseTo(Exact.psi(wCounts, rCounts), within(1e-12));
        assertThat(c.jensenShannon()).isCloseTo(Exact.js(wMass, rMass), within(1e-12));
        double d = Exact.ks(ws, rs);
        assertThat(c.kolmogorovSmirnov()).isCloseTo(d, within(1e-12));
        assertThat(c.wasserstein())
                .isCloseTo(Exact.wasserstein(ws, rs) / Exact.std(reference), within(1e-12));
        // Exact sketches: the p-value is the asymptotic one at the exact D.
        assertThat(c.ksPValue())
                .isCloseTo(
                        new KolmogorovSmirnovTest().approximateP(d, ws.length, rs.length),
                        within(1e-12));
        Map<String, Double> q = DriftStatistics.quantiles(w);
        assertThat(q).containsOnlyKeys("p05", "p25", "p50", "p75", "p95");
        assertThat(q.get("p05")).isEqualTo(Exact.quantile(ws, 0.05));
        assertThat(q.get("p50")).isEqualTo(Exact.quantile(ws, 0.5));
        assertThat(q.get("p95")).isEqualTo(Exact.quantile(ws, 0.95));
    }

    @ParameterizedTest(name = "k {0}, shift {1}")
    @CsvSource({"200, 0.0", "200, 0.3", "1000, 0.0", "1000, 0.3"})
    void largeWindowsAgreeWithTheExactStatisticsWithinTheRankErrorBound(int k, double shift) {
        Random random = new Random(k * 31L + (long) (shift * 10));
        double[] window = lognormal(random, 100_000, shift);
        double[] reference = lognormal(random, 120_000, 0);
        NumericValues wv = values(window, k);
        NumericValues rv = values(reference, k);
        KllDoublesSketch w = wv.sketch;
        KllDoublesSketch r = rv.sketch;
        double ew = DriftStatistics.rankError(w);
        double er = DriftStatistics.rankError(r);
        assertThat(ew)
                .isCloseTo(
                        KllDoublesSketch.newHeapInstance(k).getNormalizedRankError(false),
                        within(1e-15));
        double[] ws = Exact.sorted(window);
        double[] rs = Exact.sorted(reference);

        DriftStatistics.Comparison c = numeric(wv, rv);

        // KS: each CDF within its sketch's ε.
        double d = Exact.ks(ws, rs);
        assertThat(c.kolmogorovSmirnov()).isCloseTo(d, within(ew + er));
        // The p-value is computed at D − ε_W − ε_R ≤ exact D: never below the exact test's.
        assertThat(c.ksPValue())
                .isGreaterThanOrEqualTo(
                        new KolmogorovSmirnovTest().approximateP(d, ws.length, rs.length));

        // Bins: the sketch's edges, masses within 2ε of the exact masses over the same edges.
        double[] edges = DriftStatistics.binEdges(r);
        double[] wExact = Exact.binMasses(ws, edges);
        double[] rExact = Exact.binMasses(rs, edges);
        double[] wSketch = DriftStatistics.binMasses(w, edges);
        double[] rSketch = DriftStatistics.binMasses(r, edges);
        for (int i = 0; i < edges.length + 1; i++) {
            assertThat(wSketch[i]).isCloseTo(wExact[i], within(2 * ew + 1e-12));
            assertThat(rSketch[i]).isCloseTo(rExact[i], within(2 * er + 1e-12));
        }
        double[] psi = psiBounds(wExact, ws.length, 2 * ew, rExact, rs.length, 2 * er);
        assertThat(c.psi()).isBetween(psi[0], psi[1]);
        double[] js = jsBounds(wExact, 2 * ew, rExact, 2 * er);
        assertThat(c.jensenShannon()).isBetween(js[0], js[1]);

        // Wasserstein: W1 within (ε_W + ε_R)·range, divided by the exact σ of the reference.
        double w1 = Exact.wasserstein(ws, rs);
        double range = Math.max(ws[ws.length - 1], rs[rs.length - 1]) - Math.min(ws[0], rs[0]);
        double slack = (ew + er) * range;
        double sigma = Exact.std(reference);
        assertThat(rv.std()).isCloseTo(sigma, within(sigma * 1e-15));
        assertThat(c.wasserstein())
                .isBetween(
                        Math.max(0, w1 - slack) / sigma * (1 - 1e-12),
                        (w1 + slack) / sigma * (1 + 1e-12));

        // Quantiles: the exact rank of each reported quantile is within ε of the one asked.
        Map<String, Double> q = DriftStatistics.quantiles(w);
        for (int i = 0; i < DriftStatistics.QUANTILE_RANKS.length; i++) {
            double value = q.get(DriftStatistics.QUANTILE_NAMES[i]);
            double rankLow = Exact.below(ws, value) / (double) ws.length;
            double rankHigh = Exact.atMost(ws, value) / (double) ws.length;
            double asked = DriftStatistics.QUANTILE_RANKS[i];
            assertThat(rankHigh).isGreaterThanOrEqualTo(asked - ew);
            assertThat(rankLow).isLessThanOrEqualTo(asked + ew);
        }
    }

    @Test
    void twoNormalsAKnownDistanceApart() {
        // A sample without sampling noise: the standard normal's quantiles at (i − ½)/n, and the
        // same shifted by δ. Then W1 = δ exactly, W1/σ = δ/σ with the sample's exact σ (1 up to
        // the tails the grid leaves out), and D and the bin masses are the normal distribution's
        // up to 1/n.
        int n = 20_000;
        double delta = 0.5;
        NormalDistribution normal = new NormalDistribution(0, 1);
        double[] reference = new double[n];
        double[] window = new double[n];
        for (int i = 0; i < n; i++) {
            reference[i] = normal.inverseCumulativeProbability((i + 0.5) / n);
            window[i] = reference[i] + delta;
        }
        int k = 1000;
        NumericValues wv = values(window, k);
        NumericValues rv = values(reference, k);
        KllDoublesSketch w = wv.sketch;
        KllDoublesSketch r = rv.sketch;
        double ew = DriftStatistics.rankError(w);
        double er = DriftStatistics.rankError(r);

        DriftStatistics.Comparison c = numeric(wv, rv);

        double d = 2 * normal.cumulativeProbability(delta / 2) - 1; // 0.19741
        assertThat(c.kolmogorovSmirnov()).isCloseTo(d, within(ew + er + 2.0 / n));
        double range = window[n - 1] - reference[0];
        double w1Slack = (ew + er) * range + 1e-9;
        double sigma = Exact.std(reference);
        // The grid leaves out the tails beyond ±Φ⁻¹(1 − 1/2n) ≈ ±3.9, which hold a variance of
        // ~1e-3: σ is 1 to within that.
        assertThat(sigma).isCloseTo(1.0, within(1e-3));
        assertThat(c.wasserstein())
                .isBetween(
                        (delta - w1Slack) / sigma * (1 - 1e-12),
                        (delta + w1Slack) / sigma * (1 + 1e-12));

        // PSI and JS over the normal's deciles: masses Φ(zᵢ − δ) − Φ(zᵢ₋₁ − δ) for the window.
        double[] wMass = new double[10];
        double[] rMass = new double[10];
        for (int i = 0; i < 10; i++) {
            double lo =
                    i == 0
                            ? Double.NEGATIVE_INFINITY
                            : normal.inverseCumulativeProbability(i / 10.0);
            double hi =
                    i == 9
                            ? Double.POSITIVE_INFINITY
                            : normal.inverseCumulativeProbability((i + 1) / 10.0);
            wMass[i] =
                    normal.cumulativeProbability(hi - delta)
                            - normal.cumulativeProbability(lo - delta);
            rMass[i] = 0.1;
        }
        // The sketch's edges are the reference's deciles up to ε_R + 1/n in rank. That moves a
        // reference bin's mass by up to 2(ε_R + 1/n), a window bin's by up to 1.67 times that (the
        // window's density over the reference's at a decile z is exp(zδ − δ²/2) ≤ 1.67), and the
        // sketches' own CDF errors add 2ε: within 4(ε_W + ε_R + 1/n) and 4(ε_R + 1/n).
        double[] psi = psiBounds(wMass, n, 4 * (ew + er + 1.0 / n), rMass, n, 4 * (er + 1.0 / n));
        assertThat(c.psi()).isBetween(psi[0], psi[1]);
        double[] js = jsBounds(wMass, 4 * (ew + er + 1.0 / n), rMass, 4 * (er + 1.0 / n));
        assertThat(c.jensenShannon()).isBetween(js[0], js[1]);
        // The population values for δ = 0.5 (computed separately with Python's NormalDist):
        // PSI 0.23775 (unsmoothed), JS 0.20468.
        assertThat(Exact.psi(scale(wMass, n), scale(rMass, n))).isCloseTo(0.23775, within(1e-3));
        assertThat(Exact.js(wMass, rMass)).isCloseTo(0.20468, within(1e-5));
    }

    @Test
    void categoricalKnownAnswer() {
        // Window A:40 B:40 C:20 against reference shares .5/.3/.2 (counts large enough that the
        // add-½ smoothing moves the expected counts by < 1e-4):
        // χ² = (40−50)²/50 + (40−30)²/30 + (20−20)²/20 = 2 + 10/3, df = 2, p = exp(−χ²/2).
        CategoryCounts w = counts(Map.of("A", 40L, "B", 40L, "C", 20L));
        CategoryCounts r = counts(Map.of("A", 500_000L, "B", 300_000L, "C", 200_000L));

        DriftStatistics.Comparison c = DriftStatistics.categorical(w, r);

        double chi = 2 + 10.0 / 3;
        assertThat(c.chiSquare()).isCloseTo(chi, within(1e-3));
        assertThat(c.chiSquarePValue()).isCloseTo(Math.exp(-chi / 2), within(1e-4));
        assertThat(c.unseenCategories()).isZero();
        // JS over shares (.4, .4, .2) and (.5, .3, .2), m = (.45, .35, .2).
        double jsd =
                0.5 * (0.4 * log2(0.4 / 0.45) + 0.4 * log2(0.4 / 0.35))
                        + 0.5 * (0.5 * log2(0.5 / 0.45) + 0.3 * log2(0.3 / 0.35));
        assertThat(c.jensenShannon()).isCloseTo(Math.sqrt(jsd), within(1e-6));
        // PSI with the window's add-½ shares (40.5/101.5, 40.5/101.5, 20.5/101.5).
        double[] p = {40.5 / 101.5, 40.5 / 101.5, 20.5 / 101.5};
        double[] q = {500_000.5 / 1_000_001.5, 300_000.5 / 1_000_001.5, 200_000.5 / 1_000_001.5};
        double psi = 0;
        for (int i = 0; i < 3; i++) {
            psi += (p[i] - q[i]) * Math.log(p[i] / q[i]);
        }
        assertThat(c.psi()).isCloseTo(psi, within(1e-12));
        assertThat(c.wasserstein()).isNull();
        assertThat(c.kolmogorovSmirnov()).isNull();
    }

    @Test
    void unseenCategoriesAreTheirShareAndKeepChiSquareFinite() {
        CategoryCounts w = counts(Map.of("A", 50L, "B", 50L, "D", 10L));
        CategoryCounts r = counts(Map.of("A", 600L, "B", 400L));

        DriftStatistics.Comparison c = DriftStatistics.categorical(w, r);

        assertThat(c.unseenCategories()).isCloseTo(10 / 110.0, within(1e-15));
        // Expected shares smoothed over A, B, D: (600.5, 400.5, 0.5) / 1001.5, times 110.
        double[] expected = {600.5 / 1001.5 * 110, 400.5 / 1001.5 * 110, 0.5 / 1001.5 * 110};
        long[] observed = {50, 50, 10};
        double chi = 0;
        for (int i = 0; i < 3; i++) {
            chi += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
        }
        assertThat(c.chiSquare()).isCloseTo(chi, within(1e-9)).isFinite();
        assertThat(c.chiSquarePValue()).isLessThan(1e-6);
    }

    @Test
    void aSingleCategoryHasNoChiSquareToSpeakOf() {
        DriftStatistics.Comparison c =
                DriftStatistics.categorical(counts(Map.of("web", 5L)), counts(Map.of("web", 9L)));
        assertThat(c.chiSquare()).isZero();
        assertThat(c.chiSquarePValue()).isEqualTo(1.0);
        assertThat(c.psi()).isZero();
        assertThat(c.jensenShannon()).isZero();
    }

    @Test
    void aConstantReferenceHasNoStandardDeviationSoNoWasserstein() {
        NumericValues rv = values(new double[] {0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, 200);
        NumericValues wv = values(new double[] {0.1, 0.2, 0.3}, 200);
        // 0.1 is not a double: the textbook S₂/n − (S₁/n)², even from correctly rounded sums,
        // gives −1.7e-18 here, not 0.
        assertThat(rv.std()).isZero();
        assertThat(numeric(wv, rv).wasserstein()).isNull();
        assertThat(DriftStatistics.binEdges(rv.sketch)).containsExactly(0.1);

        KllDoublesSketch r = sketch(new double[] {3, 3, 3, 3, 3, 3}, 200);
        KllDoublesSketch w = sketch(new double[] {3, 4, 5}, 200);
        DriftStatistics.Comparison c = DriftStatistics.numeric(w, r, 0.0);
        assertThat(c.wasserstein()).isNull();
        // A σ that could not be computed (the reference's sums overflowed) gives none either.
        assertThat(DriftStatistics.numeric(w, r, Double.NaN).wasserstein()).isNull();
        assertThat(DriftStatistics.binEdges(r)).containsExactly(3.0);
        // Bins (-∞, 3] and (3, ∞): the window has 1/3 and 2/3, the reference 1 and 0.
        assertThat(c.kolmogorovSmirnov()).isCloseTo(2.0 / 3, within(1e-15));
    }

    static CategoryCounts counts(Map<String, Long> counts) {
        return CategoryCounts.of(counts, 0, 100);
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    static double[] scale(double[] masses, double n) {
        double[] c = new double[masses.length];
        for (int i = 0; i < masses.length; i++) {
            c[i] = masses[i] * n;
        }
        return c;
    }

    /**
     * Bounds of the sketch PSI when each window mass is within {@code dw} of {@code wMass} and each
     * reference mass within {@code dr} of {@code rMass}: per bin, the supporting hyperplane at the
     * exact masses below, the largest corner above (PSI's terms are jointly convex).
     */
    static double[] psiBounds(
            double[] wMass, double n, double dw, double[] rMass, double m, double dr) {
        int bins = wMass.length;
        double lower = 0;
        double upper = 0;
        for (int i = 0; i < bins; i++) {
            double p0 = wMass[i];
            double q0 = rMass[i];
            double f0 = Exact.psiTerm(p0 * n, n, q0 * m, m, bins);
            double pLo = Math.max(0, p0 - dw);
            double pHi = Math.min(1, p0 + dw);
            double qLo = Math.max(0, q0 - dr);
            double qHi = Math.min(1, q0 + dr);
            double corner = 0;
            for (double p : new double[] {pLo, pHi}) {
                for (double q : new double[] {qLo, qHi}) {
                    corner = Math.max(corner, Exact.psiTerm(p * n, n, q * m, m, bins));
                }
            }
            double sp = (p0 * n + 0.5) / (n + 0.5 * bins);
            double sq = (q0 * m + 0.5) / (m + 0.5 * bins);
            double gp = (Math.log(sp / sq) + 1 - sq / sp) * n / (n + 0.5 * bins);
            double gq = (Math.log(sq / sp) + 1 - sp / sq) * m / (m + 0.5 * bins);
            double below =
                    f0
                            - Math.abs(gp) * Math.max(p0 - pLo, pHi - p0)
                            - Math.abs(gq) * Math.max(q0 - qLo, qHi - q0);
            lower += Math.max(0, below);
            upper += corner;
        }
        return new double[] {lower - 1e-12, upper + 1e-12};
    }

    /** As {@link #psiBounds} for the Jensen–Shannon distance (its divergence terms are convex). */
    static double[] jsBounds(double[] wMass, double dw, double[] rMass, double dr) {
        double lower = 0;
        double upper = 0;
        for (int i = 0; i < wMass.length; i++) {
            double p0 = wMass[i];
            double q0 = rMass[i];
            double pLo = Math.max(0, p0 - dw);
            double pHi = Math.min(1, p0 + dw);
            double qLo = Math.max(0, q0 - dr);
            double qHi = Math.min(1, q0 + dr);
            double corner = 0;
            for (double p : new double[] {pLo, pHi}) {
                for (double q : new double[] {qLo, qHi}) {
                    corner = Math.max(corner, Exact.jsTerm(p, q));
                }
            }
            upper += corner;
            if (p0 > 0 && q0 > 0) {
                double gp = 0.5 * log2(2 * p0 / (p0 + q0));
                double gq = 0.5 * log2(2 * q0 / (p0 + q0));
                double below =
                        Exact.jsTerm(p0, q0)
                                - Math.abs(gp) * Math.max(p0 - pLo, pHi - p0)
                                - Math.abs(gq) * Math.max(q0 - qLo, qHi - q0);
                lower += Math.max(0, below);
            }
        }
        return new double[] {Math.sqrt(Math.max(0, lower)) - 1e-12, Math.sqrt(upper) + 1e-12};
    }
}
