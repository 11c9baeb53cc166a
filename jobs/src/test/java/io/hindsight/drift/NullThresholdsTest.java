package io.hindsight.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.junit.jupiter.api.Test;

/**
 * The Monte Carlo replicates of {@link NullThresholds} equal, to the bit, those of the plain
 * formulation written out below: every point's count, every bin summed from the points, W1 walked
 * over every step of the points, each draw's category found by binary search. A drift row's noise
 * thresholds therefore do not depend on how the simulation is organised.
 */
class NullThresholdsTest {

    private static final int SAMPLES = 200;

    @Test
    void numericReplicatesEqualThePlainWalkOverEveryPoint() {
        Random random = new Random(11);
        for (int trial = 0; trial < 24; trial++) {
            KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance();
            int values = 50 + random.nextInt(50_000);
            int shape = trial % 4;
            for (int i = 0; i < values; i++) {
                sketch.update(
                        switch (shape) {
                            case 0 -> random.nextGaussian() * 40 + 100; // continuous
                            case 1 -> random.nextInt(30); // integer days: many ties
                            case 2 -> random.nextDouble() < 0.9 ? 0 : random.nextDouble(); // spike
                            default -> Math.exp(random.nextGaussian() * 2); // long tail
                        });
            }
            double std = shape == 1 ? 8.6 : 1 + random.nextDouble() * 50;
            int simulated = 1 + random.nextInt(NullThresholds.MAX_SIMULATED);
            long seed = random.nextLong();
            // Replicates are walked four at a time: counts that leave one, two or three over.
            int samples = SAMPLES + trial % 4;
            assertThat(NullThresholds.numericReplicates(sketch, std, simulated, samples, seed))
                    .as(
                            "trial %d (shape %d, %d values, %d simulated)",
                            trial, shape, values, simulated)
                    .isDeepEqualTo(plainNumeric(sketch, std, simulated, samples, seed));
        }
    }

    @Test
    void aReferenceOfOneValueHasNoW1AndTheSameJsAndPsi() {
        KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance();
        for (int i = 0; i < 500; i++) {
            sketch.update(3.0);
        }
        double[][] replicates = NullThresholds.numericReplicates(sketch, 0.0, 400, SAMPLES + 1, 5);
        assertThat(replicates).hasNumberOfRows(2);
        assertThat(replicates).isDeepEqualTo(plainNumeric(sketch, 0.0, 400, SAMPLES + 1, 5));
    }

    @Test
    void categoricalReplicatesEqualTheBinarySearchPerDraw() {
        Random random = new Random(12);
        for (int trial = 0; trial < 40; trial++) {
            int categories = 1 + random.nextInt(trial % 2 == 0 ? 4 : 300);
            long[] counts = new long[categories];
            for (int c = 0; c < categories; c++) {
                // Some categories empty; some totals beyond an int; skewed shares.
                counts[c] =
                        random.nextInt(5) == 0
                                ? 0
                                : (long)
                                        Math.ceil(
                                                Math.pow(random.nextDouble(), 4)
                                                        * (trial % 3 == 0 ? 1e10 : 1e5));
            }
            counts[random.nextInt(categories)] += 1;
            int simulated = 1 + random.nextInt(NullThresholds.MAX_SIMULATED);
            long seed = random.nextLong();
            assertThat(NullThresholds.categoricalReplicates(counts, simulated, SAMPLES, seed))
                    .as("trial %d: %s", trial, Arrays.toString(counts))
                    .isDeepEqualTo(plainCategorical(counts, simulated, SAMPLES, seed));
        }
    }

    @Test
    void theGuideTableFindsTheCategoryOfEveryDraw() {
        Random random = new Random(13);
        for (int trial = 0; trial < 200; trial++) {
            int categories = 1 + random.nextInt(40);
            long[] cumulative = new long[categories];
            long total = 0;
            for (int c = 0; c < categories; c++) {
                total +=
                        random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(trial < 100 ? 20 : 1 << 20);
                cumulative[c] = total;
            }
            if (total == 0) {
                cumulative[categories - 1] = total = 1;
            }
            NullThresholds.Categories guide = new NullThresholds.Categories(cumulative);
            if (total <= 1000) {
                for (long u = 0; u < total; u++) {
                    assertThat(guide.at(u))
                            .isEqualTo(NullThresholds.Categories.search(cumulative, u));
                }
            } else {
                for (int k = 0; k < 5000; k++) {
                    long u = random.nextLong(total);
                    assertThat(guide.at(u))
                            .isEqualTo(NullThresholds.Categories.search(cumulative, u));
                }
                for (long u : new long[] {0, total - 1}) {
                    assertThat(guide.at(u))
                            .isEqualTo(NullThresholds.Categories.search(cumulative, u));
                }
            }
        }
    }

    /** The numeric simulation as first written: every point, every step. */
    private static double[][] plainNumeric(
            KllDoublesSketch r, double referenceStd, int simulated, int samples, long seed) {
        int points = NullThresholds.POINTS;
        double[] ranks = new double[points];
        for (int j = 0; j < points; j++) {
            ranks[j] = (j + 0.5) / points;
        }
        double[] items = r.getQuantiles(ranks, QuantileSearchCriteria.INCLUSIVE);
        long total = r.getN();
        double[] edges = DriftStatistics.binEdges(r);
        double[] rMass = DriftStatistics.binMasses(r, edges);
        double[] rCounts = new double[rMass.length];
        for (int b = 0; b < rMass.length; b++) {
            rCounts[b] = rMass[b] * total;
        }
        int[] binOf = new int[points];
        for (int j = 0; j < points; j++) {
            int bin = 0;
            while (bin < edges.length && edges[bin] < items[j]) {
                bin++;
            }
            binOf[j] = bin;
        }
        boolean w1 = referenceStd > 0 && Double.isFinite(referenceStd);
        SplittableRandom random = new SplittableRandom(seed);
        double[][] stats = new double[w1 ? 3 : 2][samples];
        int[] counts = new int[points];
        double[] binCounts = new double[rMass.length];
        double[] binShares = new double[rMass.length];
        for (int i = 0; i < samples; i++) {
            Arrays.fill(counts, 0);
            for (int k = 0; k < simulated; k++) {
                counts[random.nextInt(points)]++;
            }
            Arrays.fill(binCounts, 0);
            for (int j = 0; j < points; j++) {
                binCounts[binOf[j]] += counts[j];
            }
            for (int b = 0; b < binCounts.length; b++) {
                binShares[b] = binCounts[b] / simulated;
            }
            stats[0][i] = DriftStatistics.jensenShannon(binShares, rMass);
            stats[1][i] = DriftStatistics.psi(binCounts, rCounts);
            if (w1) {
                double distance = 0;
                long below = 0;
                for (int j = 0; j + 1 < points; j++) {
                    below += counts[j];
                    double gap = items[j + 1] - items[j];
                    distance +=
                            Math.abs(below / (double) simulated - (j + 1) / (double) points) * gap;
                }
                stats[2][i] = distance / referenceStd;
            }
        }
        return stats;
    }

    /** The categorical simulation as first written: a binary search per draw. */
    private static double[][] plainCategorical(
            long[] referenceCounts, int simulated, int samples, long seed) {
        int c = referenceCounts.length;
        long[] cumulative = new long[c];
        long total = 0;
        double[] rCounts = new double[c];
        for (int j = 0; j < c; j++) {
            total += referenceCounts[j];
            cumulative[j] = total;
            rCounts[j] = referenceCounts[j];
        }
        double[] rShares = new double[c];
        for (int j = 0; j < c; j++) {
            rShares[j] = rCounts[j] / total;
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[][] stats = new double[2][samples];
        double[] counts = new double[c];
        double[] shares = new double[c];
        for (int i = 0; i < samples; i++) {
            Arrays.fill(counts, 0);
            for (int k = 0; k < simulated; k++) {
                long u = random.nextLong(total);
                int lo = 0;
                int hi = c - 1;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (cumulative[mid] > u) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                counts[lo]++;
            }
            for (int j = 0; j < c; j++) {
                shares[j] = counts[j] / simulated;
            }
            stats[0][i] = DriftStatistics.jensenShannon(shares, rShares);
            stats[1][i] = DriftStatistics.psi(counts, rCounts);
        }
        return stats;
    }
}
