package io.hindsight.metrics;

import static io.hindsight.metrics.MetricsTestData.DAY;
import static io.hindsight.metrics.MetricsTestData.T0;
import static io.hindsight.metrics.MetricsTestData.config;
import static io.hindsight.metrics.MetricsTestData.outcome;
import static io.hindsight.metrics.MetricsTestData.prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.ExpiredAs;
import io.hindsight.spec.MetricsTask;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every slice metric against an independent, exact computation on the same rows: the definitions of
 * the scikit-learn functions named at each reference, written out here (scikit-learn is not
 * available to the build). Generated rows with a fixed seed, with tied scores, edge scores and edge
 * labels. Sums agree to 1e-9 (summation order only); AUC within the bound the histogram states;
 * delay quantiles within 1 % of the exact order statistic.
 */
class SliceMetricsStatisticsTest {

    static final double EXACT = 1e-9;
    static final String POPULATION = Slices.populationKey("app");

    /** One row as scikit-learn would see it. */
    record BinaryRow(double score, boolean actual) {}

    // ---------------------------------------------------------------- binary classification

    @ParameterizedTest
    @EnumSource(ExpiredAs.class)
    void binaryClassificationMatchesExactDefinitions(ExpiredAs expiredAs) {
        SliceMetricsConfig config = config(MetricsTask.BINARY_CLASSIFICATION, expiredAs, List.of());
        Random random = new Random(7);
        List<Prediction> predictions = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        List<BinaryRow> rows = new ArrayList<>();
        List<Long> delays = new ArrayList<>();
        double scoreSum = 0;
        long labeled = 0;
        long expired = 0;
        for (int i = 0; i < 600; i++) {
            boolean positive = random.nextDouble() < 0.3;
            double z = random.nextGaussian() + (positive ? 1.2 : -1.2);
            double score = 1 / (1 + Math.exp(-z));
            if (i % 5 == 0) {
                score = Math.round(score * 100) / 100.0; // ties
            }
            if (i % 97 == 0) {
                score = (i / 97) % 3 == 0 ? 0.0 : (i / 97) % 3 == 1 ? 1.0 : 0.5; // edges
            }
            Prediction p =
                    prediction("p" + i, T0 + random.nextInt((int) DAY)).setScore(score).build();
            predictions.add(p);
            scoreSum += score;
            double u = random.nextDouble();
            if (u < 0.65) {
                long delay = (long) (random.nextDouble() * random.nextDouble() * 5 * DAY) - 30_000;
                outcomes.add(
                        outcome(
                                        p,
                                        OutcomeStatus.LABELED,
                                        "first",
                                        1,
                                        true,
                                        positive ? 1.0 : 0.0,
                                        delay)
                                .build());
                rows.add(new BinaryRow(score, positive));
                delays.add(delay);
                labeled++;
            } else if (u < 0.9) {
                outcomes.add(
                        outcome(p, OutcomeStatus.EXPIRED, "first", 1, true, null, null).build());
                expired++;
                if (expiredAs == ExpiredAs.NEGATIVE) {
                    rows.add(new BinaryRow(score, false));
                }
            } // else: still waiting
        }
        // A duplicate prediction and a labelled row without a score: neither counts.
        predictions.add(prediction("p0", T0).setScore(0.99).setDuplicate(true).build());
        Prediction unscored = prediction("unscored", T0 + 5).build();
        predictions.add(unscored);
        outcomes.add(
                outcome(unscored, OutcomeStatus.LABELED, "first", 1, true, 1.0, 1000L).build());
        delays.add(1000L);
        labeled++;

        CohortAccumulator acc =
                TestingAccumulators.fold(config, predictions, outcomes).get(POPULATION, T0);
        SliceMetric row = SliceMetricRows.row(config, POPULATION, T0, T0 + DAY, acc, 1, false, T0);

        long n = rows.size();
        long tp = rows.stream().filter(r -> r.actual() && r.score() >= 0.5).count();
        long fp = rows.stream().filter(r -> !r.actual() && r.score() >= 0.5).count();
        long fn = rows.stream().filter(r -> r.actual() && r.score() < 0.5).count();
        long tn = n - tp - fp - fn;
        assertThat(row.getPredictions()).isEqualTo(601); // the duplicate is not counted
        assertThat(row.getLabeled()).isEqualTo(labeled);
        assertThat(row.getExpired()).isEqualTo(expired);
        assertThat(row.getLabelCoverage()).isCloseTo((double) labeled / 601, within(EXACT));
        assertThat(row.getSupport()).isEqualTo(n);
        assertThat(acc.unusable).isEqualTo(1);
        // sklearn.metrics.accuracy_score / precision_score / recall_score / f1_score
        assertThat(row.getAccuracy()).isCloseTo((double) (tp + tn) / n, within(EXACT));
        assertThat(row.getPrecision()).isCloseTo((double) tp / (tp + fp), within(EXACT));
        assertThat(row.getRecall()).isCloseTo((double) tp / (tp + fn), within(EXACT));
        double p = (double) tp / (tp + fp);
        double r = (double) tp / (tp + fn);
        assertThat(row.getF1()).isCloseTo(2 * p * r / (p + r), within(EXACT));
        // sklearn.metrics.log_loss with eps = 1e-15
        double logLoss = 0;
        for (BinaryRow b : rows) {
            double q = Math.min(Math.max(b.score(), 1e-15), 1 - 1e-15);
            logLoss += -(b.actual() ? Math.log(q) : Math.log(1 - q));
        }
        assertThat(row.getLogLoss()).isCloseTo(logLoss / n, within(EXACT));
        // sklearn.calibration.calibration_curve(strategy='uniform', n_bins=10), weighted gaps
        assertThat(row.getCalibrationError())
                .isCloseTo(expectedCalibrationError(rows, 10), within(EXACT));
        assertThat(row.getScoreMean()).isCloseTo(scoreSum / 600, within(EXACT));
        // sklearn.metrics.roc_auc_score: rank-sum AUC with ties averaged
        assertAucWithinBound(row.getAuc(), rows);
        assertDelayQuantiles(row, delays);
        // sklearn.metrics.confusion_matrix(labels=[0, 1]).ravel() -> tn, fp, fn, tp
        assertThat(List.of(row.getTp(), row.getFp(), row.getTn(), row.getFn()))
                .containsExactly(tp, fp, tn, fn);
        assertThat(row.getFalsePositiveRate()).isCloseTo((double) fp / (fp + tn), within(EXACT));
        // sklearn.metrics.brier_score_loss: mean of (score - label)^2
        double brier = 0;
        for (BinaryRow b : rows) {
            brier += Math.pow(b.score() - (b.actual() ? 1 : 0), 2);
        }
        assertThat(row.getBrierScore()).isCloseTo(brier / n, within(EXACT));
        // numpy.mean(y_true), numpy.mean(y_pred) with y_pred = score >= threshold
        assertThat(row.getBaseRate()).isCloseTo((double) (tp + fn) / n, within(EXACT));
        long scored =
                predictions.stream().filter(q -> !q.getDuplicate() && q.getScore() != null).count();
        long predictedPositive =
                predictions.stream()
                        .filter(q -> !q.getDuplicate() && q.getScore() != null)
                        .filter(q -> q.getScore() >= 0.5)
                        .count();
        assertThat(row.getPredictedPositiveRate())
                .isCloseTo((double) predictedPositive / scored, within(EXACT));
    }

    @Test
    void aucIsTheExactAucOfScoresSnappedToTheirBins() {
        Random random = new Random(11);
        List<BinaryRow> rows = new ArrayList<>();
        SparseHistogram pos = new SparseHistogram();
        SparseHistogram neg = new SparseHistogram();
        for (int i = 0; i < 800; i++) {
            boolean actual = random.nextDouble() < 0.1;
            // A rare-event model: most negatives far below 0.01.
            double score = 1 / (1 + Math.exp(-(random.nextGaussian() * 1.5 + (actual ? 0 : -5))));
            rows.add(new BinaryRow(score, actual));
            (actual ? pos : neg).add(Bins.scoreBin(score));
        }
        double[] snapped = rows.stream().mapToDouble(b -> logitBin(b.score())).toArray();
        boolean[] actual = actual(rows);
        assertThat(Bins.auc(pos, neg)).isCloseTo(rocAuc(snapped, actual), within(1e-12));
        double exact = rocAuc(rows.stream().mapToDouble(BinaryRow::score).toArray(), actual);
        double bound = Bins.aucErrorBound(pos, neg);
        assertThat(Math.abs(Bins.auc(pos, neg) - exact)).isLessThanOrEqualTo(bound);
        assertThat(bound).isLessThan(1e-3); // logit bins resolve scores near 0
    }

    @Test
    void aCohortWithoutPositivesHasNoAucAndZeroRecall() {
        SliceMetricsConfig config =
                config(MetricsTask.BINARY_CLASSIFICATION, ExpiredAs.EXCLUDED, List.of());
        List<Prediction> predictions = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Prediction p = prediction("n" + i, T0 + i).setScore(i / 20.0).build();
            predictions.add(p);
            outcomes.add(outcome(p, OutcomeStatus.LABELED, "first", 1, true, 0.0, 10L).build());
        }
        CohortAccumulator acc =
                TestingAccumulators.fold(config, predictions, outcomes).get(POPULATION, T0);
        SliceMetric row = SliceMetricRows.row(config, POPULATION, T0, T0 + DAY, acc, 1, false, T0);
        assertThat(row.getAuc()).isNull(); // sklearn raises: only one class present
        assertThat(row.getRecall()).isEqualTo(0.0); // zero_division=0
        assertThat(row.getPrecision()).isEqualTo(0.0); // 10 false positives, no true one
        assertThat(row.getAccuracy()).isCloseTo(10 / 20.0, within(EXACT));
    }

    @Test
    void anEmptyCohortHasVolumeZeroAndNoLabelMetrics() {
        for (MetricsTask task : MetricsTask.values()) {
            SliceMetricsConfig config = config(task, ExpiredAs.EXCLUDED, List.of());
            SliceMetric row =
                    SliceMetricRows.row(
                            config,
                            POPULATION,
                            T0,
                            T0 + DAY,
                            CohortAccumulator.create(config),
                            1,
                            false,
                            T0);
            assertThat(row.getPredictions()).isZero();
            assertThat(row.getLabelCoverage()).isZero();
            assertThat(row.getSupport()).isZero();
            for (String field :
                    List.of(
                            "score_mean",
                            "accuracy",
                            "precision",
                            "recall",
                            "f1",
                            "auc",
                            "log_loss",
                            "calibration_error",
                            "mae",
                            "rmse",
                            "mape",
                            "bias",
                            "ctr",
                            "precision_at_k",
                            "thumbs_up_rate",
                            "label_delay_p50_s",
                            "label_delay_p90_s",
                            "label_delay_p99_s",
                            "tp",
                            "fp",
                            "tn",
                            "fn",
                            "false_positive_rate",
                            "brier_score",
                            "base_rate",
                            "predicted_positive_rate",
                            "estimated_accuracy",
                            "estimated_auc",
                            "estimate_trusted",
                            "accuracy_delta")) {
                assertThat(row.get(field)).as("%s of an empty %s cohort", field, task).isNull();
            }
        }
    }

    // ---------------------------------------------------------------- multiclass

    @Test
    void multiclassMatchesExactDefinitions() {
        SliceMetricsConfig config =
                config(MetricsTask.MULTICLASS_CLASSIFICATION, ExpiredAs.EXCLUDED, List.of());
        List<String> classes = List.of("cat", "dog", "eel", "fox");
        Random random = new Random(13);
        List<Prediction> predictions = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        List<String> truth = new ArrayList<>();
        List<String> predicted = new ArrayList<>();
        List<Map<String, Double>> scores = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String actual = classes.get(Math.min(3, (int) (Math.abs(random.nextGaussian()) * 1.5)));
            Map<String, Double> s = new LinkedHashMap<>();
            double total = 0;
            for (String c : classes) {
                double w = random.nextDouble() + (c.equals(actual) ? 0.8 : 0);
                s.put(c, w);
                total += w;
            }
            for (String c : classes) {
                double v = s.get(c) / total;
                s.put(c, i % 4 == 0 ? Math.round(v * 10) / 10.0 : v); // ties
            }
            if (i % 10 == 3) {
                s.remove(classes.get(i % 4)); // a class missing from the scores
            }
            String given = i % 9 == 0 ? classes.get(random.nextInt(4)) : null;
            Prediction p =
                    prediction("m" + i, T0 + i).setScores(s).setPredictedClass(given).build();
            predictions.add(p);
            Outcome o =
                    outcome(p, OutcomeStatus.LABELED, "first", 1, true, null, 5000L)
                            .setLabelClass(actual)
                            .build();
            outcomes.add(o);
            truth.add(actual);
            predicted.add(given != null ? given : argMax(s));
            scores.add(s);
        }
        CohortAccumulator acc =
                TestingAccumulators.fold(config, predictions, outcomes).get(POPULATION, T0);
        SliceMetric row = SliceMetricRows.row(config, POPULATION, T0, T0 + DAY, acc, 1, true, T0);

        int n = truth.size();
        long correct = 0;
        for (int i = 0; i < n; i++) {
            correct += truth.get(i).equals(predicted.get(i)) ? 1 : 0;
        }
        assertThat(row.getAccuracy()).isCloseTo((double) correct / n, within(EXACT));
        // sklearn.metrics.precision_recall_fscore_support(average='macro', zero_division=0)
        TreeSet<String> labels = new TreeSet<>(truth);
        labels.addAll(predicted);
        double precision = 0;
        double recall = 0;
        double f1 = 0;
        for (String c : labels) {
            long tp = 0;
            long predictedC = 0;
            long actualC = 0;
            for (int i = 0; i < n; i++) {
                boolean a = truth.get(i).equals(c);
                boolean q = predicted.get(i).equals(c);
                tp += a && q ? 1 : 0;
                predictedC += q ? 1 : 0;
                actualC += a ? 1 : 0;
            }
            double pc = predictedC == 0 ? 0 : (double) tp / predictedC;
            double rc = actualC == 0 ? 0 : (double) tp / actualC;
            precision += pc;
            recall += rc;
            f1 += pc + rc == 0 ? 0 : 2 * pc * rc / (pc + rc);
        }
        assertThat(row.getPrecision()).isCloseTo(precision / labels.size(), within(EXACT));
        assertThat(row.getRecall()).isCloseTo(recall / labels.size(), within(EXACT));
        assertThat(row.getF1()).isCloseTo(f1 / labels.size(), within(EXACT));
        // sklearn.metrics.log_loss: clip to [eps, 1 - eps], renormalise each row
        double logLoss = 0;
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (String c : classes) {
                if (scores.get(i).containsKey(c) || c.equals(truth.get(i))) {
                    sum += clip(scores.get(i).getOrDefault(c, 0.0));
                }
            }
            logLoss -= Math.log(clip(scores.get(i).getOrDefault(truth.get(i), 0.0)) / sum);
        }
        assertThat(row.getLogLoss()).isCloseTo(logLoss / n, within(EXACT));
        // sklearn.metrics.roc_auc_score(multi_class='ovr', average='macro')
        double aucSum = 0;
        double boundSum = 0;
        int aucClasses = 0;
        for (String c : new TreeSet<>(truth)) {
            List<BinaryRow> ovr = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ovr.add(new BinaryRow(scores.get(i).getOrDefault(c, 0.0), truth.get(i).equals(c)));
            }
            aucSum += rocAuc(ovr.stream().mapToDouble(BinaryRow::score).toArray(), actual(ovr));
            boundSum += pairsSharingABin(ovr);
            aucClasses++;
        }
        assertThat(aucClasses).isEqualTo(4);
        assertThat(Math.abs(row.getAuc() - aucSum / aucClasses))
                .isLessThanOrEqualTo(boundSum / aucClasses + EXACT);
        assertThat(row.getLabelDelayP50S()).isCloseTo(5.0, within(0.05));
        // Macro one-vs-rest false positive rate over the labels seen, from the same counts.
        double falsePositiveRate = 0;
        for (String c : labels) {
            long fp = 0;
            long negatives = 0;
            for (int i = 0; i < n; i++) {
                if (!truth.get(i).equals(c)) {
                    negatives++;
                    fp += predicted.get(i).equals(c) ? 1 : 0;
                }
            }
            falsePositiveRate += negatives == 0 ? 0 : (double) fp / negatives;
        }
        assertThat(row.getFalsePositiveRate())
                .isCloseTo(falsePositiveRate / labels.size(), within(EXACT));
        // sklearn.metrics.brier_score_loss (multiclass, scikit-learn >= 1.7): the mean over rows
        // of the sum over classes of (probability - one-hot label)^2; a missing class scores 0.
        double brier = 0;
        for (int i = 0; i < n; i++) {
            for (String c : classes) {
                double q = scores.get(i).getOrDefault(c, 0.0);
                brier += Math.pow(q - (truth.get(i).equals(c) ? 1 : 0), 2);
            }
        }
        assertThat(row.getBrierScore()).isCloseTo(brier / n, within(EXACT));
    }

    // ---------------------------------------------------------------- regression

    @Test
    void regressionMatchesExactDefinitionsAndIgnoresProvisionalRows() {
        SliceMetricsConfig config = config(MetricsTask.REGRESSION, ExpiredAs.EXCLUDED, List.of());
        Random random = new Random(17);
        List<Prediction> predictions = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            double label = i % 10 == 0 ? 0.0 : Math.round(random.nextGaussian() * 50 + 100);
            double value = label + random.nextGaussian() * 10 + 2;
            Prediction p = prediction("r" + i, T0 + i).setPredictedValue(value).build();
            predictions.add(p);
            // Policy 'last': a provisional row (never counted), then the final one.
            outcomes.add(
                    outcome(p, OutcomeStatus.LABELED, "last", 1, false, label + 1000, 60_000L)
                            .build());
            outcomes.add(
                    outcome(p, OutcomeStatus.LABELED, "last", 2, true, label, 60_000L).build());
            rows.add(new double[] {value, label});
        }
        CohortAccumulator acc =
                TestingAccumulators.fold(config, predictions, outcomes).get(POPULATION, T0);
        SliceMetric row = SliceMetricRows.row(config, POPULATION, T0, T0 + DAY, acc, 2, true, T0);
        double abs = 0;
        double sq = 0;
        double diff = 0;
        double ape = 0;
        int apeRows = 0;
        for (double[] r : rows) {
            abs += Math.abs(r[0] - r[1]);
            sq += (r[0] - r[1]) * (r[0] - r[1]);
            diff += r[0] - r[1];
            if (r[1] != 0) {
                ape += Math.abs(r[0] - r[1]) / Math.abs(r[1]);
                apeRows++;
            }
        }
        assertThat(apeRows).isEqualTo(270);
        assertThat(row.getLabeled()).isEqualTo(300); // once each, from the revision-1 row
        assertThat(row.getSupport()).isEqualTo(300);
        // sklearn.metrics.mean_absolute_error, root_mean_squared_error,
        // mean_absolute_percentage_error (rows with label 0 left out); bias = mean(pred - label)
        assertThat(row.getMae()).isCloseTo(abs / 300, within(EXACT));
        assertThat(row.getRmse()).isCloseTo(Math.sqrt(sq / 300), within(EXACT));
        assertThat(row.getMape()).isCloseTo(ape / apeRows, within(EXACT));
        assertThat(row.getBias()).isCloseTo(diff / 300, within(EXACT));
    }

    // ---------------------------------------------------------------- ranking

    @Test
    void rankingCtrAndPrecisionAtKPerImpression() {
        SliceMetricsConfig config = config(MetricsTask.RANKING, ExpiredAs.NEGATIVE, List.of());
        int k = config.k();
        Random random = new Random(19);
        List<Prediction> predictions = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        int impressions = 0;
        int clicked = 0;
        double precisionSum = 0;
        for (int i = 0; i < 300; i++) {
            List<String> items = new ArrayList<>();
            for (int j = 0; j < 6; j++) {
                items.add("item" + random.nextInt(20));
            }
            Prediction p = prediction("i" + i, T0 + i).setRankedItems(items).build();
            predictions.add(p);
            int clicks = random.nextDouble() < 0.6 ? 0 : 1 + random.nextInt(3);
            if (i % 50 == 49) {
                continue; // still waiting: neither in support nor expired
            }
            impressions++;
            if (clicks == 0) {
                outcomes.add(outcome(p, OutcomeStatus.EXPIRED, "all", 1, true, null, null).build());
                continue;
            }
            clicked++;
            int hits = 0;
            for (int c = 1; c <= clicks; c++) {
                String item = items.get(random.nextInt(items.size()));
                hits += items.subList(0, k).contains(item) ? 1 : 0;
                outcomes.add(
                        outcome(p, OutcomeStatus.LABELED, "all", c, true, null, 1000L * c)
                                .setLabelClass(item)
                                .build());
            }
            precisionSum += (double) hits / k; // clicks on the top k, per impression
        }
        CohortAccumulator acc =
                TestingAccumulators.fold(config, predictions, outcomes).get(POPULATION, T0);
        SliceMetric row = SliceMetricRows.row(config, POPULATION, T0, T0 + DAY, acc, 1, false, T0);
        assertThat(row.getSupport()).isEqualTo(impressions);
        assertThat(row.getLabeled()).isEqualTo(clicked);
        assertThat(row.getCtr()).isCloseTo((double) clicked / impressions, within(EXACT));
        assertThat(row.getPrecisionAtK()).isCloseTo(precisionSum / impressions, within(EXACT));
    }

    // ---------------------------------------------------------------- LLM feedback

    @Test
    void llmThumbsUpRateAndMeanRating() {
        SliceMetricsConfig config = config(MetricsTask.LLM_FEEDBACK, ExpiredAs.EXCLUDED, List.of());
        Random random = new Random(23);
        List<Prediction> predictions = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        List<Double> labels = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Prediction p = prediction("a" + i, T0 + i).setOutputText("answer").build();
            predictions.add(p);
            if (i % 4 == 0) {
                outcomes.add(
                        outcome(p, OutcomeStatus.EXPIRED, "mean", 1, true, null, null).build());
                continue;
            }
            double label = random.nextDouble() < 0.7 ? 1.0 : 0.0;
            if (i % 7 == 0) {
                label = 0.5; // a mean of one up and one down counts as up (label >= 0.5)
            }
            outcomes.add(
                    outcome(p, OutcomeStatus.LABELED, "mean", 1, false, 1 - label, 100L).build());
            outcomes.add(outcome(p, OutcomeStatus.LABELED, "mean", 2, true, label, 100L).build());
            labels.add(label);
        }
        CohortAccumulator acc =
                TestingAccumulators.fold(config, predictions, outcomes).get(POPULATION, T0);
        SliceMetric row = SliceMetricRows.row(config, POPULATION, T0, T0 + DAY, acc, 1, true, T0);
        assertThat(row.getSupport()).isEqualTo(labels.size()); // expired are excluded
        assertThat(row.getExpired()).isEqualTo(75);
        assertThat(row.getThumbsUpRate())
                .isCloseTo(
                        labels.stream().filter(l -> l >= 0.5).count() / (double) labels.size(),
                        within(EXACT));
        assertThat(row.getScoreMean())
                .isCloseTo(
                        labels.stream().mapToDouble(Double::doubleValue).average().orElseThrow(),
                        within(EXACT));
    }

    // ---------------------------------------------------------------- serialization

    @Test
    void accumulatorsRoundTripAndMergeLikeOneFold() {
        SliceMetricsConfig config =
                config(MetricsTask.BINARY_CLASSIFICATION, ExpiredAs.NEGATIVE, List.of());
        Random random = new Random(29);
        List<Prediction> predictions = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            Prediction p = prediction("s" + i, T0 + i).setScore(random.nextDouble()).build();
            predictions.add(p);
            outcomes.add(
                    outcome(
                                    p,
                                    OutcomeStatus.LABELED,
                                    "first",
                                    1,
                                    true,
                                    random.nextInt(2) * 1.0,
                                    (long) i * 1000)
                            .build());
        }
        CohortAccumulator whole =
                TestingAccumulators.fold(config, predictions, outcomes).get(POPULATION, T0);
        CohortAccumulator first =
                TestingAccumulators.fold(
                                config, predictions.subList(0, 150), outcomes.subList(0, 300))
                        .get(POPULATION, T0);
        CohortAccumulator second =
                TestingAccumulators.fold(
                                config, predictions.subList(150, 400), outcomes.subList(300, 400))
                        .get(POPULATION, T0);
        CohortAccumulator merged = CohortAccumulator.fromBytes(second.toBytes());
        merged.merge(CohortAccumulator.fromBytes(first.toBytes()));
        SliceMetric a = SliceMetricRows.row(config, POPULATION, T0, T0 + DAY, whole, 1, false, T0);
        SliceMetric b = SliceMetricRows.row(config, POPULATION, T0, T0 + DAY, merged, 1, false, T0);
        assertRowsEqual(a, b);
        // Counts and histograms are order-independent: the same bytes but for the double sums.
        assertThat(merged.binary().positiveScores.occupied())
                .isEqualTo(whole.binary().positiveScores.occupied());
        assertThat(merged.delays.total()).isEqualTo(400);
    }

    @Test
    void anUnknownLayoutVersionIsRejected() {
        byte[] bytes =
                CohortAccumulator.create(
                                config(MetricsTask.REGRESSION, ExpiredAs.EXCLUDED, List.of()))
                        .toBytes();
        bytes[0] = 9;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CohortAccumulator.fromBytes(bytes))
                .hasMessage("unrecognized slice-metrics accumulator version 9");
    }

    // ---------------------------------------------------------------- references

    /** Row values equal, doubles to 1e-12 relative (sums may be added in another order). */
    static void assertRowsEqual(SliceMetric expected, SliceMetric actual) {
        for (org.apache.avro.Schema.Field f : SliceMetric.getClassSchema().getFields()) {
            Object e = expected.get(f.pos());
            Object a = actual.get(f.pos());
            if (e instanceof Double d && a instanceof Double x) {
                assertThat(x).as(f.name()).isCloseTo(d, within(1e-12 * Math.max(1, Math.abs(d))));
            } else {
                assertThat(a).as(f.name()).isEqualTo(e);
            }
        }
    }

    /**
     * sklearn.metrics.roc_auc_score for a binary target: the Mann-Whitney rank sum, ties given
     * their average rank.
     */
    static double rocAuc(double[] scores, boolean[] actual) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        double[] rank = new double[scores.length];
        for (int i = 0; i < order.length; ) {
            int j = i;
            while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double average = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) {
                rank[order[t]] = average;
            }
            i = j + 1;
        }
        double positives = 0;
        double rankSum = 0;
        for (int i = 0; i < scores.length; i++) {
            if (actual[i]) {
                positives++;
                rankSum += rank[i];
            }
        }
        double negatives = scores.length - positives;
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }

    /** The logit bin, computed here from its definition: 128 bins per logit unit over [-16, 16]. */
    static int logitBin(double score) {
        if (score <= 0) {
            return 0;
        }
        if (score >= 1) {
            return 4095;
        }
        double logit = Math.log(score / (1 - score));
        return (int) Math.max(0, Math.min(4095, Math.floor((logit + 16) * 128)));
    }

    /**
     * The exact worst case of the histogram's error: ½ × the share of (positive, negative) pairs
     * with different scores in the same bin (pairs with equal scores count ½ in both).
     */
    static double pairsSharingABin(List<BinaryRow> rows) {
        long p = rows.stream().filter(BinaryRow::actual).count();
        long n = rows.size() - p;
        long shared = 0;
        for (BinaryRow a : rows) {
            if (!a.actual()) {
                continue;
            }
            for (BinaryRow b : rows) {
                if (!b.actual()
                        && a.score() != b.score()
                        && logitBin(a.score()) == logitBin(b.score())) {
                    shared++;
                }
            }
        }
        return shared / 2.0 / ((double) p * n);
    }

    static void assertAucWithinBound(Double auc, List<BinaryRow> rows) {
        double exact = rocAuc(rows.stream().mapToDouble(BinaryRow::score).toArray(), actual(rows));
        assertThat(auc).isNotNull();
        assertThat(Math.abs(auc - exact)).isLessThanOrEqualTo(pairsSharingABin(rows) + EXACT);
    }

    static boolean[] actual(List<BinaryRow> rows) {
        boolean[] a = new boolean[rows.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = rows.get(i).actual();
        }
        return a;
    }

    /**
     * Σ_b n_b / n · |fraction of positives_b − mean score_b| over the bins of
     * sklearn.calibration.calibration_curve: edges numpy.linspace(0, 1, bins + 1), a score goes to
     * searchsorted(edges[1:-1], score) (the number of inner edges strictly below it).
     */
    static double expectedCalibrationError(List<BinaryRow> rows, int bins) {
        double[] edges = new double[bins + 1];
        double step = 1.0 / bins;
        for (int i = 0; i <= bins; i++) {
            edges[i] = i * step;
        }
        edges[bins] = 1.0;
        double[] count = new double[bins];
        double[] scoreSum = new double[bins];
        double[] positives = new double[bins];
        for (BinaryRow r : rows) {
            int bin = 0;
            for (int i = 1; i < bins; i++) {
                if (edges[i] < r.score()) {
                    bin++;
                }
            }
            count[bin]++;
            scoreSum[bin] += r.score();
            positives[bin] += r.actual() ? 1 : 0;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (count[b] > 0) {
                ece +=
                        count[b]
                                / rows.size()
                                * Math.abs(positives[b] / count[b] - scoreSum[b] / count[b]);
            }
        }
        return ece;
    }

    /**
     * The ⌈n·q⌉-th smallest delay (numpy.quantile(method='inverted_cdf')); the row's value in
     * seconds must be within 1 % of it.
     */
    static void assertDelayQuantiles(SliceMetric row, List<Long> delays) {
        long[] sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
        for (int percent : new int[] {50, 90, 99}) {
            int rank = (int) Math.ceil(sorted.length * percent / 100.0);
            double exact = sorted[rank - 1] / 1000.0;
            double got =
                    switch (percent) {
                        case 50 -> row.getLabelDelayP50S();
                        case 90 -> row.getLabelDelayP90S();
                        default -> row.getLabelDelayP99S();
                    };
            assertThat(got)
                    .as("p%d", percent)
                    .isCloseTo(exact, within(0.01 * Math.abs(exact) + 1e-9));
        }
    }

    static String argMax(Map<String, Double> scores) {
        return scores.entrySet().stream()
                .sorted(
                        Map.Entry.<String, Double>comparingByValue()
                                .reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                .findFirst()
                .orElseThrow()
                .getKey();
    }

    static double clip(double p) {
        return Math.min(Math.max(p, 1e-15), 1 - 1e-15);
    }
}
