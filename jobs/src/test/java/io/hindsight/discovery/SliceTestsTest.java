package io.hindsight.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hindsight.metrics.Bins;
import io.hindsight.metrics.SparseHistogram;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Each test's p-value against {@link Reference}, computed independently (numerical integration of
 * the densities, exact binomial sums) from the raw rows; Benjamini–Hochberg against an example
 * checked by hand.
 */
class SliceTestsTest {

    static Offset<Double> close(double expected) {
        return within(Math.max(1e-12, Math.abs(expected) * 1e-7));
    }

    @Test
    void twoProportionZAgainstTheRawRows() {
        Random rng = new Random(1);
        for (int round = 0; round < 20; round++) {
            int n1 = 200 + rng.nextInt(800);
            int n2 = 2_000 + rng.nextInt(8_000);
            double rate1 = 0.1 + 0.1 * rng.nextDouble();
            int x1 = 0;
            int x2 = 0;
            for (int i = 0; i < n1; i++) {
                x1 += rng.nextDouble() < rate1 ? 1 : 0;
            }
            for (int i = 0; i < n2; i++) {
                x2 += rng.nextDouble() < 0.12 ? 1 : 0;
            }
            SliceTests.Result r = SliceTests.errorRate(x1, n1, x2, n2);
            double p1 = x1 / (double) n1;
            double p2 = x2 / (double) n2;
            double pooled = (x1 + x2) / (double) (n1 + n2);
            double z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
            assertThat(r.test()).isEqualTo("two-proportion-z");
            assertThat(r.sliceValue()).isEqualTo(p1);
            assertThat(r.restValue()).isEqualTo(p2);
            assertThat(r.statistic()).isCloseTo(z, within(1e-12));
            assertThat(r.pValue()).isCloseTo(Reference.upperNormal(z), close(r.pValue()));
        }
    }

    @Test
    void fisherExactWhenAnExpectedCountIsSmall() {
        // 3 errors in 12 rows against 4 in 300: expected errors in the slice 12·7/312 < 5.
        SliceTests.Result r = SliceTests.errorRate(3, 12, 4, 300);
        assertThat(r.test()).isEqualTo("fisher-exact");
        assertThat(r.statistic()).isNaN();
        assertThat(r.pValue()).isCloseTo(Reference.fisherUpper(3, 12, 7, 312), close(1e-3));
        // Hand check of one table: 2 of 3 rows wrong in the slice, 1 of 3 in the rest; X ≥ 2 of 3
        // errors among 3 draws from 6: (C(3,2)C(3,1) + C(3,3)C(3,0)) / C(6,3) = 10 / 20.
        assertThat(SliceTests.errorRate(2, 3, 1, 3).pValue()).isCloseTo(0.5, within(1e-12));
        // No error anywhere: nothing to find.
        assertThat(SliceTests.errorRate(0, 300, 0, 3000).pValue()).isEqualTo(1.0);
        for (int x = 0; x <= 12; x++) {
            assertThat(SliceTests.errorRate(x, 12, 10, 400).pValue())
                    .isCloseTo(Reference.fisherUpper(x, 12, x + 10, 412), within(1e-12));
        }
    }

    @Test
    void hanleyMcNeilAgainstPairwiseAucAndIntegratedTail() {
        Random rng = new Random(7);
        for (int round = 0; round < 10; round++) {
            // Scores on the bins' own centres, so that the histogram AUC is the exact one.
            double[] sp = scores(rng, 40 + rng.nextInt(40), 0.3 + rng.nextDouble());
            double[] sn = scores(rng, 200 + rng.nextInt(200), 0);
            double[] rp = scores(rng, 300, 2.0);
            double[] rn = scores(rng, 2_000, 0);
            SliceTests.Result r = SliceTests.auc(hist(sp), hist(sn), hist(rp), hist(rn));
            double a1 = Reference.auc(sp, sn);
            double a2 = Reference.auc(rp, rn);
            double v1 = hm(a1, sp.length, sn.length);
            double v2 = hm(a2, rp.length, rn.length);
            double z = (a2 - a1) / Math.sqrt(v1 + v2);
            assertThat(r.sliceValue()).isCloseTo(a1, within(1e-12));
            assertThat(r.restValue()).isCloseTo(a2, within(1e-12));
            assertThat(r.effect()).isCloseTo(a2 - a1, within(1e-12));
            assertThat(r.statistic()).isCloseTo(z, within(1e-9));
            assertThat(r.pValue()).isCloseTo(Reference.upperNormal(z), close(r.pValue()));
        }
        assertThat(
                        SliceTests.auc(
                                hist(new double[] {0.3}),
                                new SparseHistogram(),
                                hist(new double[] {0.4}),
                                hist(new double[] {0.2})))
                .isNull();
    }

    /** Hanley & McNeil (1982), eq. 2, written out again. */
    static double hm(double a, int nPositive, int nNegative) {
        double q1 = a / (2 - a);
        double q2 = 2 * a * a / (1 + a);
        return (a * (1 - a) + (nPositive - 1) * (q1 - a * a) + (nNegative - 1) * (q2 - a * a))
                / (nPositive * (double) nNegative);
    }

    static double[] scores(Random rng, int n, double shift) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            double logit = rng.nextGaussian() + shift - 2;
            // Snap to the centre of the score's logit bin (1/128 wide over [-16, 16]).
            double bin = Math.floor((logit + 16) * 128);
            s[i] = 1 / (1 + Math.exp(-((bin + 0.5) / 128 - 16)));
        }
        return s;
    }

    static SparseHistogram hist(double[] scores) {
        SparseHistogram h = new SparseHistogram();
        for (double s : scores) {
            h.add(Bins.scoreBin(s));
        }
        return h;
    }

    @Test
    void welchAgainstRawValuesAndIntegratedTail() {
        Random rng = new Random(3);
        for (int round = 0; round < 10; round++) {
            int n1 = 5 + rng.nextInt(300);
            int n2 = 50 + rng.nextInt(3_000);
            double[] a = new double[n1];
            double[] b = new double[n2];
            double s1 = 0;
            double q1 = 0;
            double s2 = 0;
            double q2 = 0;
            for (int i = 0; i < n1; i++) {
                a[i] = Math.abs(rng.nextGaussian() * (1 + rng.nextDouble()) + 0.2);
                s1 += a[i];
                q1 += a[i] * a[i];
            }
            for (int i = 0; i < n2; i++) {
                b[i] = Math.abs(rng.nextGaussian());
                s2 += b[i];
                q2 += b[i] * b[i];
            }
            SliceTests.Result r = SliceTests.welch(n1, s1, q1, n2, s2, q2);
            double m1 = mean(a);
            double m2 = mean(b);
            double v1 = variance(a, m1) / n1;
            double v2 = variance(b, m2) / n2;
            double t = (m1 - m2) / Math.sqrt(v1 + v2);
            double df = Math.pow(v1 + v2, 2) / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1));
            assertThat(r.test()).isEqualTo("welch-t");
            assertThat(r.statistic()).isCloseTo(t, within(1e-9));
            assertThat(r.pValue()).isCloseTo(Reference.upperT(t, df), within(1e-8));
        }
        assertThat(SliceTests.welch(1, 1, 1, 10, 5, 5)).isNull();
    }

    static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Two-pass sample variance. */
    static double variance(double[] x, double mean) {
        double s = 0;
        for (double v : x) {
            s += (v - mean) * (v - mean);
        }
        return s / (x.length - 1);
    }

    @Test
    void benjaminiHochbergOnAHandCheckedExample() {
        // Sorted: 0.005 (1), 0.01 (2), 0.03 (3), 0.04 (4), 0.2 (5); m·p/j = 0.025, 0.025, 0.05,
        // 0.05, 0.2; running minimum from the top: 0.025, 0.025, 0.05, 0.05, 0.2. At α = 0.05 the
        // step-up rule rejects the four with p_(j) ≤ j·α/m (the largest such j is 4: 0.04 ≤ 0.04).
        double[] q = BenjaminiHochberg.adjust(new double[] {0.01, 0.04, 0.03, 0.005, 0.2});
        assertThat(q).containsExactly(new double[] {0.025, 0.05, 0.05, 0.025, 0.2}, within(1e-15));
        // A large p early in the order cannot lower a later q below its own m·p/j floor, and q ≤ 1.
        assertThat(BenjaminiHochberg.adjust(new double[] {0.9, 0.8})).containsExactly(0.9, 0.9);
        // 0.2 (1), 0.3 (2), 0.6 (3): 0.6, 0.45, 0.6; from the top: 0.6, 0.45, 0.45.
        assertThat(BenjaminiHochberg.adjust(new double[] {0.3, 0.2, 0.6}))
                .containsExactly(new double[] {0.45, 0.45, 0.6}, within(1e-15));
        assertThat(BenjaminiHochberg.adjust(new double[0])).isEmpty();
    }
}
