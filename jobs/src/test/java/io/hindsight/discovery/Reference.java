package io.hindsight.discovery;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * Independent reference computations for the discovery tests, written without Commons Math: tail
 * probabilities by numerical integration of the densities and Fisher's exact test by exact binomial
 * coefficients.
 */
final class Reference {

    private Reference() {}

    /**
     * P(Z ≥ z) for a standard normal: composite Simpson's rule on the density over [z, z + 40]
     * (below −40 the rest is below 1e-300); for z < 0 as 1 − P(Z ≥ −z).
     */
    static double upperNormal(double z) {
        if (z < 0) {
            return 1 - upperNormal(-z);
        }
        int n = 400_000;
        double a = z;
        double b = z + 40;
        double h = (b - a) / n;
        double sum = density(a) + density(b);
        for (int i = 1; i < n; i++) {
            sum += (i % 2 == 1 ? 4 : 2) * density(a + i * h);
        }
        return sum * h / 3;
    }

    private static double density(double x) {
        return Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    }

    /**
     * P(T ≥ t) for Student's t with ν degrees of freedom: x = tan θ turns the tail into a finite
     * integral of (1 + tan²θ/ν)^(−(ν+1)/2) sec²θ, normalised by the same integral over (−π/2, π/2),
     * both by Simpson's rule.
     */
    static double upperT(double t, double nu) {
        double lo = Math.atan(t);
        double hi = Math.PI / 2;
        return simpson(lo, hi, nu) / simpson(-Math.PI / 2, Math.PI / 2, nu);
    }

    private static double simpson(double a, double b, double nu) {
        int n = 400_000;
        double h = (b - a) / n;
        double sum = tIntegrand(a, nu) + tIntegrand(b, nu);
        for (int i = 1; i < n; i++) {
            sum += (i % 2 == 1 ? 4 : 2) * tIntegrand(a + i * h, nu);
        }
        return sum * h / 3;
    }

    private static double tIntegrand(double theta, double nu) {
        double c = Math.cos(theta);
        if (c <= 0) {
            return 0;
        }
        double x = Math.tan(theta);
        return Math.pow(1 + x * x / nu, -(nu + 1) / 2) / (c * c);
    }

    /**
     * One-sided Fisher: P(X ≥ x) with X the errors among n1 rows drawn from n rows of which k are
     * errors, Σ C(k, i) C(n − k, n1 − i) / C(n, n1) in exact integers.
     */
    static double fisherUpper(int x, int n1, int k, int n) {
        BigInteger num = BigInteger.ZERO;
        for (int i = x; i <= Math.min(k, n1); i++) {
            num = num.add(choose(k, i).multiply(choose(n - k, n1 - i)));
        }
        return new BigDecimal(num)
                .divide(new BigDecimal(choose(n, n1)), MathContext.DECIMAL128)
                .doubleValue();
    }

    static BigInteger choose(int n, int k) {
        if (k < 0 || k > n) {
            return BigInteger.ZERO;
        }
        BigInteger r = BigInteger.ONE;
        for (int i = 1; i <= k; i++) {
            r = r.multiply(BigInteger.valueOf(n - k + i)).divide(BigInteger.valueOf(i));
        }
        return r;
    }

    /** The rank-sum AUC over all (positive, negative) pairs, ties ½. */
    static double auc(double[] positives, double[] negatives) {
        double ordered = 0;
        for (double p : positives) {
            for (double q : negatives) {
                ordered += p > q ? 1 : p == q ? 0.5 : 0;
            }
        }
        return ordered / ((double) positives.length * negatives.length);
    }
}
