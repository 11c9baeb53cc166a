package io.hindsight.metrics;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.window.PartialFolder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.types.Either;

/** Folds everything at once, on one heap, by (key, window start): the reference for the stages. */
final class TestingAccumulators implements PartialFolder.Accumulators<CohortAccumulator> {

    record Window(String key, long start, long end) {}

    final Map<Window, CohortAccumulator> byWindow = new LinkedHashMap<>();
    private final SliceMetricsFolder folder;

    TestingAccumulators(SliceMetricsConfig config) {
        this.folder = new SliceMetricsFolder(config);
    }

    static TestingAccumulators fold(
            SliceMetricsConfig config, List<Prediction> predictions, List<Outcome> outcomes) {
        TestingAccumulators a = new TestingAccumulators(config);
        for (Prediction p : predictions) {
            a.folder.fold(Either.Left(p), p.getEventTime().toEpochMilli(), a);
        }
        for (Outcome o : outcomes) {
            a.folder.fold(Either.Right(o), o.getResolvedTime().toEpochMilli(), a);
        }
        return a;
    }

    @Override
    public CohortAccumulator get(String key, long windowStart, long windowEnd) {
        return byWindow.computeIfAbsent(
                new Window(key, windowStart, windowEnd), w -> folder.create());
    }

    CohortAccumulator get(String key, long windowStart) {
        return byWindow.entrySet().stream()
                .filter(e -> e.getKey().key().equals(key) && e.getKey().start() == windowStart)
                .map(Map.Entry::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no accumulator for " + key));
    }
}
