package io.hindsight.metrics;

import static io.hindsight.metrics.MetricsTestData.DAY;
import static io.hindsight.metrics.MetricsTestData.T0;
import static io.hindsight.metrics.MetricsTestData.outcome;
import static io.hindsight.metrics.MetricsTestData.prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.EstimationSpec;
import io.hindsight.spec.ExpiredAs;
import io.hindsight.spec.MetricsTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Confidence-based performance estimation against independent computations on the same scores: the
 * expected confusion matrix and its metrics summed out row by row, the sampling errors from their
 * variance definitions (exact for sums of Bernoulli indicators, a numerical gradient for the delta
 * method), the expected AUC by a loop over all pairs; and, on simulated calibrated cohorts, the
 * realized value inside the stated error in at least 95 % of cohorts.
 */
class PerformanceEstimateTest {

    static final double EXACT = 1e-9;
    static final String POPULATION = Slices.populationKey("app");
    static final double THRESHOLD = 0.5;

    static SliceMetricsConfig config(double confidence) {
        return new SliceMetricsConfig(
                "app",
                MetricsTask.BINARY_CLASSIFICATION,
                DAY,
                3 * DAY,
                List.of(),
                MetricsTestData.all(MetricsTask.BINARY_CLASSIFICATION),
                THRESHOLD,
                10,
                ExpiredAs.NEGATIVE,
                10,
                new EstimationSpec(confidence, 0.05, 100, 7));
    }

    /** Scores of a calibrated model: the posterior of a Gaussian signal, as the simulator draws. */
    static double[] scores(Random random, int n, double prior, double separation) {
        double priorLogit = Math.log(prior / (1 - prior));
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            boolean positive = random.nextDouble() < prior;
            double signal = random.nextGaussian() + (positive ? separation : 0);
            double logit = priorLogit + separation * signal - separation * separation / 2;
            s[i] = 1 / (1 + Math.exp(-logit));
        }
        return s;
    }

    static List<Prediction> predictions(double[] scores) {
        List<Prediction> ps = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            ps.add(prediction("p" + i, T0 + i).setScore(scores[i]).build());
        }
        return ps;
    }

    @Test
    void revisionOneEstimatesMatchTheirDefinitionsBeforeAnyLabel() {
        Random random = new Random(3);
        double[] s = scores(random, 3000, 0.2, 2.0);
        for (int i = 0; i < s.length; i += 50) {
            s[i] = Math.round(s[i] * 20) / 20.0; // ties
        }
        s[7] = 0.0;
        s[8] = 1.0;
        s[9] = THRESHOLD; // at the threshold: predicted positive
        SliceMetricsConfig config = config(0.95);
        CohortAccumulator acc =
                TestingAccumulators.fold(config, predictions(s), List.of()).get(POPULATION, T0);
        SliceMetric row = SliceMetricRows.row(config, POPULATION, T0, T0 + DAY, acc, 1, false, T0);
        assertThat(row.getSupport()).isZero();

        double tp = 0;
        double fp = 0;
        double tn = 0;
        double fn = 0;
        double var1 = 0; // Σ p(1 - p) over predicted positives
        double var0 = 0;
        long n1 = 0;
        for (double p : s) {
            if (p >= THRESHOLD) {
                tp += p;
                fp += 1 - p;
                var1 += p * (1 - p);
                n1++;
            } else {
                fn += p;
                tn += 1 - p;
                var0 += p * (1 - p);
            }
        }
        int n = s.length;
        assertThat(row.getEstimatedTp()).isCloseTo(tp, within(1e-7));
        assertThat(row.getEstimatedFp()).isCloseTo(fp, within(1e-7));
        assertThat(row.getEstimatedTn()).isCloseTo(tn, within(1e-7));
        assertThat(row.getEstimatedFn()).isCloseTo(fn, within(1e-7));
        assertThat(row.getEstimatedAccuracy()).isCloseTo((tp + tn) / n, within(EXACT));
        assertThat(row.getEstimatedPrecision()).isCloseTo(tp / (tp + fp), within(EXACT));
        assertThat(row.getEstimatedRecall()).isCloseTo(tp / (tp + fn), within(EXACT));
        assertThat(row.getEstimatedF1()).isCloseTo(2 * tp / (2 * tp + fp + fn), within(EXACT));

        double z = 1.959963984540054; // scipy.stats.norm.ppf(0.975)
        // Accuracy and precision are sums of independent indicators over fixed rows.
        assertThat(row.getEstimatedAccuracyError())
                .isCloseTo(z * Math.sqrt(var1 + var0) / n, within(EXACT));
        assertThat(row.getEstimatedPrecisionError())
                .isCloseTo(z * Math.sqrt(var1) / n1, within(EXACT));
        // Recall and F1 are functions of A = TP and B = FN (independent, variances var1, var0):
        // the delta method with a central-difference gradient.
        final long predictedPositives = n1;
        DoubleBinaryOperator recall = (a, b) -> a / (a + b);
        DoubleBinaryOperator f1 = (a, b) -> 2 * a / (predictedPositives + a + b);
        assertThat(row.getEstimatedRecallError())
                .isCloseTo(z * deltaMethod(recall, tp, fn, var1, var0), within(1e-7));
        assertThat(row.getEstimatedF1Error())
                .isCloseTo(z * deltaMethod(f1, tp, fn, var1, var0), within(1e-7));

        // Expected AUC: every ordered pair i != j counts p_i (1 - p_j) when i ranks above j, half
        // of it on a tie; over Σ_{i != j} p_i (1 - p_j). Exact on scores snapped to their bins.
        double[] snapped = new double[n];
        for (int i = 0; i < n; i++) {
            int bin = SliceMetricsStatisticsTest.logitBin(s[i]);
            snapped[i] = 1 / (1 + Math.exp(-((bin + 0.5) / 128 - 16)));
        }
        double snappedAuc = expectedAuc(snapped, snapped);
        double w1 = 0;
        double w0 = 0;
        for (double p : snapped) {
            w1 += p;
            w0 += 1 - p;
        }
        assertThat(row.getEstimatedAuc()).isCloseTo(snappedAuc, within(1e-9));
        // Ranking by the true scores, weights from the true scores: the binning costs < 1e-3.
        assertThat(row.getEstimatedAuc()).isCloseTo(expectedAuc(s, s), within(1e-3));
        assertThat(row.getEstimatedAucError())
                .isCloseTo(z * hanleyMcNeil(snappedAuc, w1, w0), within(1e-9));
    }

    /** √(f_a² var_a + f_b² var_b) with the partial derivatives by central differences. */
    static double deltaMethod(
            DoubleBinaryOperator f, double a, double b, double varA, double varB) {
        double h = 1e-4;
        double fa = (f.applyAsDouble(a + h, b) - f.applyAsDouble(a - h, b)) / (2 * h);
        double fb = (f.applyAsDouble(a, b + h) - f.applyAsDouble(a, b - h)) / (2 * h);
        return Math.sqrt(fa * fa * varA + fb * fb * varB);
    }

    /** Hanley & McNeil (1982), equation 2 with Q1 = A/(2−A), Q2 = 2A²/(1+A). */
    static double hanleyMcNeil(double a, double positives, double negatives) {
        double q1 = a / (2 - a);
        double q2 = 2 * a * a / (1 + a);
        return Math.sqrt(
                (a * (1 - a) + (positives - 1) * (q1 - a * a) + (negatives - 1) * (q2 - a * a))
                        / (positives * negatives));
    }

    /** The expected ROC AUC by a loop over all ordered pairs (rank by {@code rank}). */
    static double expectedAuc(double[] rank, double[] p) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p.length; j++) {
                if (i == j) {
                    continue;
                }
                double w = p[i] * (1 - p[j]);
                den += w;
                if (rank[i] > rank[j]) {
                    num += w;
                } else if (rank[i] == rank[j]) {
                    num += w / 2;
                }
            }
        }
        return num / den;
    }

    /** Share of simulated calibrated cohorts whose realized value is within the stated error. */
    static double[] coverage(double confidence, int cohorts, long seed) {
        SliceMetricsConfig config = config(confidence);
        Random random = new Random(seed);
        int[] inside = new int[5];
        for (int c = 0; c < cohorts; c++) {
            double prior = 0.05 + 0.4 * random.nextDouble();
            double separation = 1 + 2 * random.nextDouble();
            int n = 300 + random.nextInt(1500);
            double[] s = scores(random, n, prior, separation);
            List<Prediction> ps = predictions(s);
            List<Outcome> os = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // Calibrated: the label is positive with probability equal to the score.
                double label = random.nextDouble() < s[i] ? 1.0 : 0.0;
                os.add(
                        outcome(ps.get(i), OutcomeStatus.LABELED, "first", 1, true, label, 1000L)
                                .build());
            }
            CohortAccumulator acc = TestingAccumulators.fold(config, ps, os).get(POPULATION, T0);
            SliceMetric row =
                    SliceMetricRows.row(config, POPULATION, T0, T0 + DAY, acc, 2, true, T0);
            inside[0] += inside(row.getAccuracyDelta(), row.getEstimatedAccuracyError());
            inside[1] += inside(row.getPrecisionDelta(), row.getEstimatedPrecisionError());
            inside[2] += inside(row.getRecallDelta(), row.getEstimatedRecallError());
            inside[3] += inside(row.getF1Delta(), row.getEstimatedF1Error());
            inside[4] += inside(row.getAucDelta(), row.getEstimatedAucError());
        }
        double[] shares = new double[5];
        for (int i = 0; i < 5; i++) {
            shares[i] = (double) inside[i] / cohorts;
        }
        return shares;
    }

    static int inside(Double delta, Double error) {
        assertThat(delta).isNotNull();
        assertThat(error).isNotNull();
        return Math.abs(delta) <= error ? 1 : 0;
    }

    @Test
    void onCalibratedCohortsTheRealizedValueIsWithinTheStatedErrorInAtLeast95Percent() {
        // accuracy, precision, recall, F1, AUC at the default confidence
        double confidence = EstimationSpec.DEFAULTS.confidence();
        for (long seed : new long[] {1, 2}) {
            double[] c = coverage(confidence, 400, seed);
            for (int i = 0; i < c.length; i++) {
                assertThat(c[i]).as("metric %d, seed %d", i, seed).isGreaterThanOrEqualTo(0.95);
            }
        }
    }

    @Test
    void theStatedErrorIsNotVacuous() {
        // At confidence 0.5 the interval is ±0.674 σ: about half of the cohorts fall outside it.
        // AUC's Hanley-McNeil error also counts the variance of the scores, so it covers more.
        double[] c = coverage(0.5, 400, 5);
        for (int i = 0; i < 4; i++) {
            assertThat(c[i]).as("metric %d", i).isBetween(0.38, 0.62);
        }
        assertThat(c[4]).isLessThan(0.95);
    }
}
