package io.hindsight.metrics;

import static io.hindsight.metrics.MetricsTestData.HOUR;
import static io.hindsight.metrics.MetricsTestData.T0;
import static io.hindsight.metrics.MetricsTestData.outcome;
import static io.hindsight.metrics.MetricsTestData.prediction;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.ExpiredAs;
import io.hindsight.spec.MetricsTask;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * State compatibility of the cohort accumulator: the layout-2 bytes in {@code
 * metrics/cohort-accumulator-v2/} were written, one file per task, by the accumulator as it was
 * before its folds and codec became classes of their own, from the rows of {@link #rows}. They must
 * decode to the same metrics, write back unchanged, and the same rows must still write them.
 */
class CohortAccumulatorBytesTest {

    static final int PREDICTIONS = 60;

    @ParameterizedTest
    @EnumSource(MetricsTask.class)
    void theSameRowsStillWriteTheStoredBytes(MetricsTask task) throws IOException {
        assertThat(HexFormat.of().formatHex(fold(task).toBytes())).isEqualTo(stored(task));
    }

    @ParameterizedTest
    @EnumSource(MetricsTask.class)
    void storedBytesDecodeToTheSameMetricsAndWriteBackUnchanged(MetricsTask task)
            throws IOException {
        byte[] bytes = HexFormat.of().parseHex(stored(task));
        CohortAccumulator decoded = CohortAccumulator.fromBytes(bytes);
        assertThat(decoded.toBytes()).isEqualTo(bytes);
        SliceMetricsConfig config = config(task);
        assertThat(row(config, decoded)).isEqualTo(row(config, fold(task)));
    }

    @ParameterizedTest
    @EnumSource(MetricsTask.class)
    void storedBytesMergeLikeTheRowsTheyHold(MetricsTask task) throws IOException {
        CohortAccumulator twice =
                CohortAccumulator.fromBytes(HexFormat.of().parseHex(stored(task)));
        twice.merge(fold(task));
        CohortAccumulator folded = fold(task);
        folded.merge(fold(task));
        assertThat(twice.toBytes()).isEqualTo(folded.toBytes());
    }

    private static io.hindsight.schemas.SliceMetric row(
            SliceMetricsConfig config, CohortAccumulator a) {
        return SliceMetricRows.row(
                config, Slices.populationKey("app"), T0, T0 + MetricsTestData.DAY, a, 3, true, T0);
    }

    static SliceMetricsConfig config(MetricsTask task) {
        return MetricsTestData.config(
                task,
                task == MetricsTask.BINARY_CLASSIFICATION || task == MetricsTask.RANKING
                        ? ExpiredAs.NEGATIVE
                        : ExpiredAs.EXCLUDED,
                List.of());
    }

    /** The rows folded into one accumulator, as the metrics stage folds them. */
    static CohortAccumulator fold(MetricsTask task) {
        SliceMetricsConfig config = config(task);
        CohortAccumulator a = CohortAccumulator.create(config);
        double[] edges = Bins.calibrationEdges(config.calibrationBins());
        List<Prediction> predictions = predictions(task);
        for (Prediction p : predictions) {
            a.addPrediction(p, config.positiveThreshold());
        }
        for (Outcome o : rows(task, predictions)) {
            a.addOutcome(o, config, edges);
        }
        return a;
    }

    /** Predictions with every output of the task, some of them missing or out of range. */
    static List<Prediction> predictions(MetricsTask task) {
        List<Prediction> ps = new ArrayList<>();
        for (int i = 0; i < PREDICTIONS; i++) {
            Prediction.Builder p = prediction(task.name().toLowerCase() + i, T0 + i * 1000L);
            switch (task) {
                case BINARY_CLASSIFICATION ->
                        p.setScore(
                                i % 13 == 0 ? null : i % 17 == 0 ? 1.5 : (i + 0.5) / PREDICTIONS);
                case MULTICLASS_CLASSIFICATION -> {
                    if (i % 4 != 0) {
                        Map<String, Double> scores = new LinkedHashMap<>();
                        scores.put("a", (i % 5) / 10.0);
                        scores.put("b", (i % 3) / 6.0);
                        if (i % 7 != 0) {
                            scores.put("c", 0.2);
                        }
                        p.setScores(scores);
                    }
                    if (i % 4 == 0 || i % 9 == 0) {
                        p.setPredictedClass(i % 2 == 0 ? "a" : "c");
                    }
                }
                case REGRESSION -> p.setPredictedValue(i % 11 == 0 ? null : 10.0 + (i % 7) - 3.0);
                case RANKING ->
                        p.setRankedItems(
                                i % 10 == 0
                                        ? null
                                        : List.of("i" + (i % 5), "i" + (i % 3), "i" + (i % 7)));
                case LLM_FEEDBACK -> p.setScore((i % 10) / 10.0);
            }
            ps.add(p.build());
        }
        return ps;
    }

    /**
     * Labeled rows (some provisional, revised later), expired rows and, for ranking, several final
     * rows per prediction under policy {@code all}.
     */
    static List<Outcome> rows(MetricsTask task, List<Prediction> predictions) {
        List<Outcome> rows = new ArrayList<>();
        for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            long delay = (i + 1) * HOUR;
            if (i % 8 == 7) {
                rows.add(outcome(p, OutcomeStatus.EXPIRED, "first", 1, true, null, null).build());
                continue;
            }
            switch (task) {
                case BINARY_CLASSIFICATION -> {
                    Double label = i % 19 == 0 ? null : (i * 7) % 5 < 2 ? 1.0 : 0.0;
                    if (i % 6 == 0) {
                        rows.add(
                                outcome(p, OutcomeStatus.LABELED, "last", 1, false, 0.0, delay)
                                        .build());
                        rows.add(
                                outcome(p, OutcomeStatus.LABELED, "last", 2, true, label, delay)
                                        .build());
                    } else {
                        rows.add(
                                outcome(p, OutcomeStatus.LABELED, "first", 1, true, label, delay)
                                        .build());
                    }
                }
                case MULTICLASS_CLASSIFICATION ->
                        rows.add(
                                outcome(p, OutcomeStatus.LABELED, "first", 1, true, null, delay)
                                        .setLabelClass(
                                                i % 15 == 0 ? null : "abcd".charAt(i % 4) + "")
                                        .build());
                case REGRESSION ->
                        rows.add(
                                outcome(
                                                p,
                                                OutcomeStatus.LABELED,
                                                "mean",
                                                1,
                                                true,
                                                i % 9 == 0 ? 0.0 : 10.0 + (i % 5) * 0.5,
                                                delay)
                                        .build());
                case RANKING -> {
                    rows.add(
                            outcome(p, OutcomeStatus.LABELED, "all", 1, true, null, delay)
                                    .setLabelClass("i" + (i % 4))
                                    .build());
                    if (i % 3 == 0) {
                        rows.add(
                                outcome(p, OutcomeStatus.LABELED, "all", 2, true, null, delay)
                                        .setLabelClass("i" + (i % 6))
                                        .build());
                    }
                }
                case LLM_FEEDBACK ->
                        rows.add(
                                outcome(
                                                p,
                                                OutcomeStatus.LABELED,
                                                "last",
                                                1,
                                                true,
                                                i % 14 == 0 ? null : (i % 3 == 0 ? 0.0 : 1.0),
                                                delay)
                                        .build());
            }
        }
        return rows;
    }

    private static String stored(MetricsTask task) throws IOException {
        String name = "/metrics/cohort-accumulator-v2/" + task.name().toLowerCase() + ".hex";
        try (InputStream in = CohortAccumulatorBytesTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                    .strip();
        }
    }
}
