package io.hindsight.discovery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tests every slice of a cohort with enough support against its rest, on each configured metric,
 * and controls the false discovery rate over all of them with Benjamini–Hochberg.
 */
final class SliceDiscovery {

    private SliceDiscovery() {}

    /** One test of one slice on one metric; {@code q} set by {@link #test}. */
    record Finding(
            Map<String, String> dimensions,
            DiscoveryMetric metric,
            SliceTests.Result result,
            long support,
            long restSupport,
            double q) {

        String slice() {
            return io.hindsight.metrics.Slices.slice(dimensions);
        }
    }

    /** The tests of a cohort's revision: every finding, with its q-value, and their number. */
    record Family(List<Finding> findings) {

        int tested() {
            return findings.size();
        }

        /** The findings with q ≤ the configured level, by q, then p, then slice and metric. */
        List<Finding> discovered(double level) {
            return findings.stream().filter(f -> f.q() <= level).toList();
        }
    }

    static Family test(CohortCells cells, DiscoveryConfig config) {
        List<int[]> combinations = config.combinations();
        List<Finding> raw = new ArrayList<>();
        for (Map.Entry<String, SliceCell> e : cells.cells.entrySet()) {
            int c = CohortCells.combinationOf(e.getKey());
            int[] combination = combinations.get(c);
            String[] values = CohortCells.valuesOf(e.getKey());
            SliceCell slice = e.getValue();
            SliceCell rest = cells.total.minus(slice);
            if (slice.n < config.minSupport() || rest.n < config.minSupport()) {
                continue;
            }
            if (!complete(cells, combinations, combination, values)) {
                continue;
            }
            Map<String, String> dims = new LinkedHashMap<>();
            for (int i = 0; i < combination.length; i++) {
                dims.put(config.dimensions().get(combination[i]), values[i]);
            }
            for (DiscoveryMetric metric : config.metrics()) {
                SliceTests.Result r =
                        switch (metric) {
                            case ERROR_RATE ->
                                    SliceTests.errorRate(
                                            slice.errors, slice.n, rest.errors, rest.n);
                            case AUC ->
                                    SliceTests.auc(
                                            slice.positives,
                                            slice.negatives,
                                            rest.positives,
                                            rest.negatives);
                            case ABSOLUTE_ERROR ->
                                    SliceTests.welch(
                                            slice.n, slice.abs, slice.sq, rest.n, rest.abs,
                                            rest.sq);
                            case SQUARED_ERROR ->
                                    SliceTests.welch(
                                            slice.n,
                                            slice.sq,
                                            slice.quad,
                                            rest.n,
                                            rest.sq,
                                            rest.quad);
                        };
                if (r != null) {
                    raw.add(new Finding(dims, metric, r, slice.n, rest.n, Double.NaN));
                }
            }
        }
        double[] p = new double[raw.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = raw.get(i).result().pValue();
        }
        double[] q = BenjaminiHochberg.adjust(p);
        List<Finding> out = new ArrayList<>(raw.size());
        for (int i = 0; i < p.length; i++) {
            Finding f = raw.get(i);
            out.add(
                    new Finding(
                            f.dimensions(),
                            f.metric(),
                            f.result(),
                            f.support(),
                            f.restSupport(),
                            q[i]));
        }
        out.sort(
                Comparator.comparingDouble(Finding::q)
                        .thenComparingDouble(f -> f.result().pValue())
                        .thenComparing(Finding::slice)
                        .thenComparing(f -> f.metric().specName()));
        return new Family(out);
    }

    /** Every value of the slice holds all its rows (see {@link CohortCells#complete}). */
    private static boolean complete(
            CohortCells cells, List<int[]> combinations, int[] combination, String[] values) {
        for (int i = 0; i < combination.length; i++) {
            // Singles come first in the combinations, in dimension order: index = dimension.
            if (!cells.complete(combination[i], values[i], combination[i])) {
                return false;
            }
        }
        return true;
    }
}
