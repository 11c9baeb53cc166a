package io.hindsight.drift;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;

/**
 * Exact statistics from every value, written independently of {@link DriftStatistics}: sorted
 * arrays and binary search, quantile-space integration for Wasserstein. What the sketch-based
 * statistics are checked against.
 */
final class Exact {

    private Exact() {}

    static double[] sorted(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s;
    }

    /** Number of values {@code <= x} in sorted {@code s}. */
    static int atMost(double[] s, double x) {
        int lo = 0;
        int hi = s.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (s[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Number of values {@code < x} in sorted {@code s}. */
    static int below(double[] s, double x) {
        int lo = 0;
        int hi = s.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (s[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static double cdf(double[] s, double x) {
        return atMost(s, x) / (double) s.length;
    }

    /** KS D: the largest CDF difference, evaluated at every value of both samples. */
    static double ks(double[] a, double[] b) {
        double d = 0;
        for (double x : a) {
            d = Math.max(d, Math.abs(cdf(a, x) - cdf(b, x)));
        }
        for (double x : b) {
            d = Math.max(d, Math.abs(cdf(a, x) - cdf(b, x)));
        }
        return d;
    }

    /**
     * W1 as {@code ∫₀¹ |Q_a(u) − Q_b(u)| du}: both quantile functions are constant between the
     * breakpoints {@code i/n} and {@code j/m}.
     */
    static double wasserstein(double[] a, double[] b) {
        int n = a.length;
        int m = b.length;
        int i = 0;
        int j = 0;
        double u = 0;
        double w = 0;
        while (i < n && j < m) {
            double nextA = (i + 1) / (double) n;
            double nextB = (j + 1) / (double) m;
            double next = Math.min(nextA, nextB);
            w += Math.abs(a[i] - b[j]) * (next - u);
            u = next;
            // Advance whichever breakpoint was reached (both when they coincide), comparing
            // the integers (i + 1)·m and (j + 1)·n so that equal breakpoints are seen as equal.
            long lhs = (long) (i + 1) * m;
            long rhs = (long) (j + 1) * n;
            if (lhs <= rhs) {
                i++;
            }
            if (rhs <= lhs) {
                j++;
            }
        }
        return w;
    }

    /** The smallest value whose share of values {@code <=} it is at least {@code rank}. */
    static double quantile(double[] s, double rank) {
        double r = Math.max(0, Math.min(1, rank));
        for (int i = 0; i < s.length; i++) {
            if ((i + 1) / (double) s.length >= r - 1e-12) {
                return s[i];
            }
        }
        return s[s.length - 1];
    }

    /** Shares of sorted {@code s} in bins {@code (-∞, e₁], (e₁, e₂], …, (eₘ, ∞)}. */
    static double[] binMasses(double[] s, double[] edges) {
        double[] mass = new double[edges.length + 1];
        int before = 0;
        for (int i = 0; i < edges.length; i++) {
            int upTo = atMost(s, edges[i]);
            mass[i] = (upTo - before) / (double) s.length;
            before = upTo;
        }
        mass[edges.length] = (s.length - before) / (double) s.length;
        return mass;
    }

    /** PSI term of one bin, with the add-½ smoothing the README specifies. */
    static double psiTerm(double a, double n, double b, double m, int bins) {
        double p = (a + 0.5) / (n + 0.5 * bins);
        double q = (b + 0.5) / (m + 0.5 * bins);
        return (p - q) * Math.log(p / q);
    }

    static double psi(double[] countsA, double[] countsB) {
        double n = Arrays.stream(countsA).sum();
        double m = Arrays.stream(countsB).sum();
        double psi = 0;
        for (int i = 0; i < countsA.length; i++) {
            psi += psiTerm(countsA[i], n, countsB[i], m, countsA.length);
        }
        return psi;
    }

    /** One bin's term of the Jensen–Shannon divergence, base 2. */
    static double jsTerm(double p, double q) {
        double m = (p + q) / 2;
        double t = 0;
        if (p > 0) {
            t += 0.5 * p * Math.log(p / m) / Math.log(2);
        }
        if (q > 0) {
            t += 0.5 * q * Math.log(q / m) / Math.log(2);
        }
        return t;
    }

    static double js(double[] p, double[] q) {
        double d = 0;
        for (int i = 0; i < p.length; i++) {
            d += jsTerm(p[i], q[i]);
        }
        return Math.sqrt(Math.max(0, d));
    }

    /**
     * The population standard deviation by its definition, {@code √(Σ(x − x̄)² / n)}, in two passes
     * over the values in 60-digit decimal arithmetic: every double and the mean are held to far
     * more digits than a double has, so the result, rounded once to a double at the end, is the
     * true value to well within 1 ulp.
     */
    static double std(double[] values) {
        MathContext mc = new MathContext(60);
        BigDecimal n = BigDecimal.valueOf(values.length);
        BigDecimal sum = BigDecimal.ZERO;
        for (double v : values) {
            sum = sum.add(new BigDecimal(v));
        }
        BigDecimal mean = sum.divide(n, mc);
        BigDecimal squares = BigDecimal.ZERO;
        for (double v : values) {
            BigDecimal d = new BigDecimal(v).subtract(mean, mc);
            squares = squares.add(d.multiply(d, mc), mc);
        }
        return squares.divide(n, mc).sqrt(mc).doubleValue();
    }

    static double mean(double[] values) {
        java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
        for (double v : values) {
            sum = sum.add(new java.math.BigDecimal(v));
        }
        return sum.doubleValue() / values.length;
    }
}
