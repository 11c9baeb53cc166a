package io.hindsight.drift;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.DoublesSortedView;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The statistics of a window against its reference: numeric ones from two KLL sketches, categorical
 * ones from two sets of category counts. The jobs README ("Statistics") says what each is, how
 * empty bins are smoothed and how close to an exact computation the sketch-based ones are.
 */
final class DriftStatistics {

    /** Ranks of the reference quantiles that cut the numeric bins: deciles. */
    static final double[] BIN_RANKS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

    /** Pseudo-count added to every bin or category for PSI and chi-square (add-½, Jeffreys). */
    static final double SMOOTHING = 0.5;

    /** The window quantiles reported, with their names in {@code DriftResult.quantiles}. */
    static final double[] QUANTILE_RANKS = {0.05, 0.25, 0.5, 0.75, 0.95};

    static final String[] QUANTILE_NAMES = {"p05", "p25", "p50", "p75", "p95"};

    private static final QuantileSearchCriteria INCLUSIVE = QuantileSearchCriteria.INCLUSIVE;

    /** The same convergence settings commons-math3 uses in its own approximate p-value. */
    private static final double KS_SUM_TOLERANCE = 1e-20;

    private static final int KS_SUM_MAX_TERMS = 100_000;

    private static final KolmogorovSmirnovTest KS = new KolmogorovSmirnovTest();

    /** The statistics of one comparison; those that do not apply to the kind are null. */
    record Comparison(
            double jensenShannon,
            double psi,
            Double wasserstein,
            Double kolmogorovSmirnov,
            Double ksPValue,
            Double chiSquare,
            Double chiSquarePValue,
            Double unseenCategories) {}

    private DriftStatistics() {}

    /**
     * Numeric statistics of window sketch {@code w} against reference sketch {@code r}.
     *
     * @param referenceStd the reference's population standard deviation, computed exactly from its
     *     values ({@link NumericValues#std()}), which normalizes Wasserstein-1: the wasserstein
     *     statistic is null unless it is positive and finite
     */
    static Comparison numeric(KllDoublesSketch w, KllDoublesSketch r, double referenceStd) {
        if (w.isEmpty() || r.isEmpty()) {
            throw new IllegalArgumentException("numeric comparison of an empty sketch");
        }
        double[] edges = binEdges(r);
        double[] wMass = binMasses(w, edges);
        double[] rMass = binMasses(r, edges);
        double psi = psi(scale(wMass, w.getN()), scale(rMass, r.getN()));
        double js = jensenShannon(wMass, rMass);
        double[] ksW1 = ksAndWasserstein(w.getSortedView(), r.getSortedView());
        // W1 in units of the reference's σ (Evidently's "normed Wasserstein distance"). The IQR is
        // no unit for a score piled up near 0 with a long tail: it is tiny against the tail that
        // W1 integrates, and on the fraud demo's score sampling noise alone gave W1/IQR of
        // 0.3–0.9 on unchanged daily windows.
        Double wasserstein =
                referenceStd > 0 && Double.isFinite(referenceStd) ? ksW1[1] / referenceStd : null;
        double p = ksPValue(ksW1[0], w.getN(), r.getN(), rankError(w), rankError(r));
        return new Comparison(js, psi, wasserstein, ksW1[0], p, null, null, null);
    }

    /** Categorical statistics of window counts {@code w} against reference counts {@code r}. */
    static Comparison categorical(CategoryCounts w, CategoryCounts r) {
        if (w.values() == 0 || r.values() == 0) {
            throw new IllegalArgumentException("categorical comparison without values");
        }
        TreeSet<String> names = new TreeSet<>(w.sorted().keySet());
        names.addAll(r.sorted().keySet());
        boolean other = w.other() > 0 || r.other() > 0;
        int c = names.size() + (other ? 1 : 0);
        long[] observed = new long[c];
        double[] reference = new double[c];
        long unseen = 0;
        int i = 0;
        for (String name : names) {
            observed[i] = w.count(name);
            reference[i] = r.count(name);
            if (!r.contains(name)) {
                unseen += observed[i];
            }
            i++;
        }
        if (other) {
            observed[i] = w.other();
            reference[i] = r.other();
        }
        double[] wCounts = new double[c];
        for (int j = 0; j < c; j++) {
            wCounts[j] = observed[j];
        }
        double psi = psi(wCounts, reference);
        double js = jensenShannon(normalize(wCounts), normalize(reference));
        double chi;
        double chiP;
        if (c < 2) {
            chi = 0;
            chiP = 1;
        } else {
            double[] expected = smoothed(reference);
            double n = w.values();
            for (int j = 0; j < c; j++) {
                expected[j] *= n;
            }
            ChiSquareTest test = new ChiSquareTest();
            chi = test.chiSquare(expected, observed);
            chiP = test.chiSquareTest(expected, observed);
        }
        return new Comparison(js, psi, null, null, null, chi, chiP, unseen / (double) w.values());
    }

    /** Reference deciles, strictly increasing (ties removed): the inner bin edges. */
    static double[] binEdges(KllDoublesSketch r) {
        double[] q = r.getQuantiles(BIN_RANKS, INCLUSIVE);
        List<Double> edges = new ArrayList<>(q.length);
        for (double e : q) {
            if (edges.isEmpty() || e > edges.get(edges.size() - 1)) {
                edges.add(e);
            }
        }
        return edges.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The share of {@code s}'s values in each bin {@code (-∞, e₁], (e₁, e₂], …, (eₘ, ∞)}: m + 1
     * shares.
     */
    static double[] binMasses(KllDoublesSketch s, double[] edges) {
        double[] cdf = s.getCDF(edges, INCLUSIVE);
        double[] mass = new double[cdf.length];
        double below = 0;
        for (int i = 0; i < cdf.length; i++) {
            mass[i] = Math.max(0, cdf[i] - below);
            below = cdf[i];
        }
        return mass;
    }

    /**
     * Population stability index {@code Σ (pᵢ − qᵢ) ln(pᵢ/qᵢ)} of counts {@code a} (window) against
     * counts {@code b} (reference), both smoothed with {@link #SMOOTHING} per bin.
     */
    static double psi(double[] a, double[] b) {
        double[] p = smoothed(a);
        double[] q = smoothed(b);
        double psi = 0;
        for (int i = 0; i < p.length; i++) {
            psi += (p[i] - q[i]) * Math.log(p[i] / q[i]);
        }
        return psi;
    }

    /** Shares {@code (cᵢ + ½) / (n + ½·B)}. */
    static double[] smoothed(double[] counts) {
        double n = 0;
        for (double c : counts) {
            n += c;
        }
        double[] p = new double[counts.length];
        double denominator = n + SMOOTHING * counts.length;
        for (int i = 0; i < counts.length; i++) {
            p[i] = (counts[i] + SMOOTHING) / denominator;
        }
        return p;
    }

    /** Jensen–Shannon distance, base 2, of two distributions over the same bins. */
    static double jensenShannon(double[] p, double[] q) {
        double divergence = 0;
        for (int i = 0; i < p.length; i++) {
            double m = (p[i] + q[i]) / 2;
            if (p[i] > 0) {
                divergence += 0.5 * p[i] * log2(p[i] / m);
            }
            if (q[i] > 0) {
                divergence += 0.5 * q[i] * log2(q[i] / m);
            }
        }
        return Math.sqrt(Math.min(1, Math.max(0, divergence)));
    }

    /**
     * The KS statistic {@code max |F_a − F_b|} and the Wasserstein-1 distance {@code ∫ |F_a − F_b|
     * dx} of two sketches' weighted items, in one walk over both sorted views. Both step functions
     * change only at items, so the supremum is reached at one and the integral is a sum over the
     * gaps between consecutive items. DataSketches' {@code KolmogorovSmirnov.computeKSDelta}
     * compares an item's rank with the other view's rank at its next item and stops before the
     * tails; no library integrates W1 over weighted sketches.
     *
     * @return {@code {D, W1}}
     */
    static double[] ksAndWasserstein(DoublesSortedView a, DoublesSortedView b) {
        double[] x = a.getQuantiles();
        long[] cx = a.getCumulativeWeights();
        double[] y = b.getQuantiles();
        long[] cy = b.getCumulativeWeights();
        double nx = a.getN();
        double ny = b.getN();
        int i = 0;
        int j = 0;
        double fa = 0;
        double fb = 0;
        double d = 0;
        double w1 = 0;
        double previous = Double.NaN;
        while (i < x.length || j < y.length) {
            double next = i == x.length ? y[j] : j == y.length ? x[i] : Math.min(x[i], y[j]);
            if (!Double.isNaN(previous)) {
                w1 += Math.abs(fa - fb) * (next - previous);
            }
            while (i < x.length && x[i] == next) {
                fa = cx[i] / nx;
                i++;
            }
            while (j < y.length && y[j] == next) {
                fb = cy[j] / ny;
                j++;
            }
            d = Math.max(d, Math.abs(fa - fb));
            previous = next;
        }
        return new double[] {d, w1};
    }

    /** KLL's normalized rank error of {@code s}: 0 while it still holds every value. */
    static double rankError(KllDoublesSketch s) {
        return s.isEstimationMode() ? s.getNormalizedRankError(false) : 0;
    }

    /**
     * The asymptotic two-sample KS p-value at {@code D} reduced by both sketches' rank errors:
     * {@code P(K > √(n·m/(n+m)) · max(0, D − ε_a − ε_b))}. An upper bound of the exact test's
     * p-value, so that the sketches' own error never reads as significant.
     */
    static double ksPValue(double d, long n, long m, double errorA, double errorB) {
        double reduced = d - errorA - errorB;
        if (reduced <= 0) {
            return 1.0;
        }
        double effective = (double) n * m / ((double) n + m);
        double p = 1 - KS.ksSum(Math.sqrt(effective) * reduced, KS_SUM_TOLERANCE, KS_SUM_MAX_TERMS);
        return Math.min(1, Math.max(0, p));
    }

    /** The window quantiles {@link #QUANTILE_NAMES} of {@code w}. */
    static Map<String, Double> quantiles(KllDoublesSketch w) {
        double[] q = w.getQuantiles(QUANTILE_RANKS, INCLUSIVE);
        Map<String, Double> named = new java.util.LinkedHashMap<>();
        for (int i = 0; i < q.length; i++) {
            named.put(QUANTILE_NAMES[i], q[i]);
        }
        return named;
    }

    private static double[] scale(double[] shares, long n) {
        double[] counts = new double[shares.length];
        for (int i = 0; i < shares.length; i++) {
            counts[i] = shares[i] * n;
        }
        return counts;
    }

    private static double[] normalize(double[] counts) {
        double n = 0;
        for (double c : counts) {
            n += c;
        }
        double[] p = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            p[i] = counts[i] / n;
        }
        return p;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
