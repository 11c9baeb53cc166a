package io.hindsight.discovery;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.spec.MetricsTask;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Outcome rows and configurations for the discovery tests. */
final class DiscoveryTestData {

    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();

    private DiscoveryTestData() {}

    static DiscoveryConfig binary(List<String> dimensions, int maxDimensions, long minSupport) {
        return new DiscoveryConfig(
                "app",
                MetricsTask.BINARY_CLASSIFICATION,
                DAY,
                3 * DAY,
                dimensions,
                maxDimensions,
                0.05,
                minSupport,
                100,
                List.of(),
                0.5,
                true);
    }

    /** A final LABELED row of a binary prediction made at {@code time}. */
    static Outcome labeled(
            String id, long time, Map<String, String> tags, double score, boolean y) {
        return Outcome.newBuilder()
                .setApplication("app")
                .setPredictionId(id)
                .setPredictionTime(Instant.ofEpochMilli(time))
                .setModelName("model")
                .setModelVersion(tags.getOrDefault("model_version", "v1"))
                .setScore(score)
                .setTags(tags)
                .setStatus(OutcomeStatus.LABELED)
                .setPolicy("first")
                .setRevision(1)
                .setIsFinal(true)
                .setFeedbackCount(1)
                .setLabel(y ? 1.0 : 0.0)
                .setLabelDelayMs(HOUR)
                .setResolvedTime(Instant.ofEpochMilli(time + HOUR))
                .build();
    }

    /**
     * A calibrated model's row: truth with probability {@code base}, signal N(2·truth, 1), score
     * its posterior. {@code broken}: the signal ignores the truth (scores say nothing).
     */
    static Outcome modelRow(
            Random rng, String id, long time, Map<String, String> tags, boolean broken) {
        double base = 0.2;
        boolean y = rng.nextDouble() < base;
        boolean signal = broken ? rng.nextDouble() < base : y;
        double s = rng.nextGaussian() + (signal ? 2 : 0);
        double logit = Math.log(base / (1 - base)) + 2 * s - 2;
        return labeled(id, time, tags, 1 / (1 + Math.exp(-logit)), y);
    }

    static Map<String, String> tags(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Folds rows into one cohort's cells, as one subtask would. */
    static CohortCells fold(DiscoveryConfig config, Iterable<Outcome> rows) {
        CohortCells c = CohortCells.create(config);
        List<int[]> combinations = config.combinations();
        for (Outcome o : rows) {
            c.addOutcome(o, config, combinations);
        }
        return c;
    }
}
