package io.hindsight.discovery;

import java.util.Arrays;
import java.util.Comparator;

/** The Benjamini–Hochberg step-up procedure, as adjusted p-values (q-values). */
final class BenjaminiHochberg {

    private BenjaminiHochberg() {}

    /**
     * q_(i) = min over j ≥ i of min(1, m · p_(j) / j), p sorted ascending; rejecting every test
     * with q ≤ α is the BH procedure at level α (FDR ≤ α for independent or positively dependent
     * tests). Same order as {@code p}.
     */
    static double[] adjust(double[] p) {
        int m = p.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        double[] q = new double[m];
        double running = 1;
        for (int rank = m; rank >= 1; rank--) {
            int i = order[rank - 1];
            running = Math.min(running, Math.min(1, p[i] * m / rank));
            q[i] = running;
        }
        return q;
    }
}
