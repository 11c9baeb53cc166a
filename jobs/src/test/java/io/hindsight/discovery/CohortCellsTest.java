package io.hindsight.discovery;

import static io.hindsight.discovery.DiscoveryTestData.T0;
import static io.hindsight.discovery.DiscoveryTestData.modelRow;
import static io.hindsight.discovery.DiscoveryTestData.tags;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.spec.MetricsTask;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The cohort's cells: which rows count, the bound per dimension, merging, the bytes. */
class CohortCellsTest {

    static final List<String> DIMS =
            List.of("country", "channel", "model_version", "merchant_category");

    static List<Outcome> demoLike(Random rng, int n) {
        List<Outcome> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(
                    modelRow(
                            rng,
                            "p" + i,
                            T0 + i,
                            tags(
                                    "country", "c" + rng.nextInt(7),
                                    "channel", "ch" + rng.nextInt(3),
                                    "model_version", rng.nextBoolean() ? "v6" : "v7",
                                    "merchant_category", "m" + rng.nextInt(8)),
                            false));
        }
        return rows;
    }

    static String findings(CohortCells cells, DiscoveryConfig config) {
        StringBuilder b = new StringBuilder();
        for (SliceDiscovery.Finding f : SliceDiscovery.test(cells, config).findings()) {
            b.append(f.slice())
                    .append(' ')
                    .append(f.metric())
                    .append(' ')
                    .append(f.result().pValue())
                    .append(' ')
                    .append(f.q())
                    .append('\n');
        }
        return b.toString();
    }

    @Test
    void splitAndMergedInAnyOrderGivesTheSameTestsAndBytesRoundTrip() {
        DiscoveryConfig config = DiscoveryTestData.binary(DIMS, 2, 50);
        List<Outcome> rows = demoLike(new Random(11), 6_000);
        CohortCells whole = DiscoveryTestData.fold(config, rows);
        String expected = findings(whole, config);
        assertThat(expected).isNotEmpty();
        for (int seed = 0; seed < 3; seed++) {
            List<Outcome> shuffled = new ArrayList<>(rows);
            Collections.shuffle(shuffled, new Random(seed));
            CohortCells merged = CohortCells.create(config);
            for (int part = 0; part < 4; part++) {
                CohortCells p =
                        DiscoveryTestData.fold(
                                config, shuffled.subList(part * 1_500, (part + 1) * 1_500));
                merged.merge(CohortCells.fromBytes(p.toBytes()), config, config.combinations());
            }
            assertThat(findings(merged, config)).isEqualTo(expected);
        }
        assertThat(findings(CohortCells.fromBytes(whole.toBytes()), config)).isEqualTo(expected);
        // 7 + 3 + 2 + 8 singles, 21 + 14 + 56 + 6 + 24 + 16 pairs.
        assertThat(whole.cells).hasSize(157);
    }

    @Test
    void atMostMaxValuesPerDimensionAndOnlyCompleteValuesAreTested() {
        DiscoveryConfig config =
                new DiscoveryConfig(
                        "app",
                        MetricsTask.BINARY_CLASSIFICATION,
                        DiscoveryTestData.DAY,
                        3 * DiscoveryTestData.DAY,
                        List.of("merchant"),
                        1,
                        0.05,
                        20,
                        10,
                        List.of(),
                        0.5,
                        true);
        Random rng = new Random(2);
        // 10 frequent merchants (200 rows each) and 300 rare ones (3 rows each), interleaved.
        List<Outcome> frequent = new ArrayList<>();
        List<Outcome> rare = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            for (int i = 0; i < 200; i++) {
                frequent.add(
                        modelRow(rng, "f" + m + "-" + i, T0, tags("merchant", "big" + m), false));
            }
        }
        for (int m = 0; m < 300; m++) {
            for (int i = 0; i < 3; i++) {
                rare.add(
                        modelRow(rng, "r" + m + "-" + i, T0, tags("merchant", "small" + m), false));
            }
        }
        // One subtask sees rare merchants first (they take its 10 places), the others mixed.
        CohortCells first = DiscoveryTestData.fold(config, rare.subList(0, 300));
        first.trim(config.maxValues(), config.combinations());
        assertThat(first.kept.get(0)).hasSize(10);
        List<Outcome> mixed = new ArrayList<>(frequent);
        mixed.addAll(rare.subList(300, rare.size()));
        Collections.shuffle(mixed, new Random(3));
        CohortCells merged = CohortCells.create(config);
        merged.merge(first, config, config.combinations());
        for (int part = 0; part < 4; part++) {
            int size = mixed.size() / 4;
            merged.merge(
                    DiscoveryTestData.fold(config, mixed.subList(part * size, (part + 1) * size)),
                    config,
                    config.combinations());
        }
        assertThat(merged.kept.get(0)).hasSize(10).allMatch(v -> v.startsWith("big"));
        assertThat(merged.cells).hasSizeLessThanOrEqualTo(10);
        assertThat(merged.total.n).isEqualTo(2_000 + 900);
        // A frequent merchant kept only after some of its rows went to "other" is not tested.
        SliceDiscovery.Family family = SliceDiscovery.test(merged, config);
        assertThat(family.findings()).isNotEmpty().allMatch(f -> f.support() == 200);
    }

    @Test
    void onlyFinalRowsCountAndExpiredAsNegative() {
        DiscoveryConfig config = DiscoveryTestData.binary(List.of("country"), 1, 1);
        Outcome labeled = DiscoveryTestData.labeled("a", T0, tags("country", "BR"), 0.9, true);
        Outcome provisional =
                Outcome.newBuilder(labeled).setPredictionId("b").setIsFinal(false).build();
        Outcome expired =
                Outcome.newBuilder(labeled)
                        .setPredictionId("c")
                        .setStatus(OutcomeStatus.EXPIRED)
                        .setLabel(null)
                        .build();
        Outcome noScore = Outcome.newBuilder(labeled).setPredictionId("d").setScore(null).build();
        CohortCells cells =
                DiscoveryTestData.fold(config, List.of(labeled, provisional, expired, noScore));
        assertThat(cells.total.n).isEqualTo(2);
        assertThat(cells.total.errors).isEqualTo(1); // the expired one: label 0 at score 0.9
        assertThat(cells.unusable).isEqualTo(1);
        assertThat(cells.total.positives.total()).isEqualTo(1);
        assertThat(cells.total.negatives.total()).isEqualTo(1);
    }

    @Test
    void anUnknownVersionIsRefused() {
        byte[] bytes = CohortCells.create(DiscoveryTestData.binary(DIMS, 2, 1)).toBytes();
        bytes[0] = 9;
        assertThatThrownBy(() -> CohortCells.fromBytes(bytes))
                .hasMessage("unrecognized slice-discovery accumulator version 9");
    }

    @Test
    void stateSizeOfADemoLikeCohort() {
        DiscoveryConfig config = DiscoveryTestData.binary(DIMS, 2, 200);
        for (int n : new int[] {1_200, 12_000}) {
            CohortCells cells = DiscoveryTestData.fold(config, demoLike(new Random(5), n));
            int bytes = cells.toBytes().length;
            System.out.printf(
                    "cohort of %,d labelled rows, 4 dimensions, pairs: %d cells, %,d bytes%n",
                    n, cells.cells.size(), bytes);
            // Bound: ≤ 60 bytes of counters and key per cell; each row is one histogram entry
            // (≤ 11 bytes: a varint bin delta and a varint count) in one cell per combination,
            // 10 combinations; 2 000 for the sketches and kept values.
            assertThat(bytes).isLessThan(157 * 60 + 10 * 2 * n * 11 + 2_000);
        }
    }
}
