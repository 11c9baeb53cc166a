package io.hindsight.discovery;

import static io.hindsight.discovery.DiscoveryTestData.T0;
import static io.hindsight.discovery.DiscoveryTestData.modelRow;
import static io.hindsight.discovery.DiscoveryTestData.tags;
import static org.assertj.core.api.Assertions.assertThat;

import io.hindsight.schemas.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Planted bad slices among many null ones: the planted ones are found, and the false discovery
 * proportion over 200 seeds stays near (at most) q.
 */
class SliceDiscoveryTest {

    static final int SEEDS = 200;

    /** One cohort: {@code segments} segments of {@code rows} rows each, the planted ones broken. */
    static List<Outcome> segments(Random rng, int segments, int rows, Set<String> planted) {
        List<Outcome> out = new ArrayList<>(segments * rows);
        for (int s = 0; s < segments; s++) {
            String segment = "s" + s;
            for (int i = 0; i < rows; i++) {
                out.add(
                        modelRow(
                                rng,
                                segment + "-" + i,
                                T0 + i,
                                tags("segment", segment),
                                planted.contains(segment)));
            }
        }
        return out;
    }

    @Test
    void plantedSegmentsAreFoundAndTheFalseDiscoveryProportionStaysNearQ() {
        DiscoveryConfig config = DiscoveryTestData.binary(List.of("segment"), 1, 200);
        Set<String> planted = Set.of("s3", "s17", "s41");
        double fdpSum = 0;
        int allFound = 0;
        long tested = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            Random rng = new Random(seed);
            CohortCells cells = DiscoveryTestData.fold(config, segments(rng, 60, 400, planted));
            SliceDiscovery.Family family = SliceDiscovery.test(cells, config);
            tested += family.tested();
            List<SliceDiscovery.Finding> found = family.discovered(config.q());
            long falses =
                    found.stream()
                            .filter(f -> !planted.contains(f.dimensions().get("segment")))
                            .count();
            fdpSum += found.isEmpty() ? 0 : (double) falses / found.size();
            long plantedFound =
                    found.stream()
                            .map(f -> f.dimensions().get("segment"))
                            .filter(planted::contains)
                            .distinct()
                            .count();
            if (plantedFound == planted.size()) {
                allFound++;
            }
        }
        double fdr = fdpSum / SEEDS;
        System.out.printf(
                "planted segments: %d seeds, %.1f tests per cohort, mean FDP %.4f, all 3 found in"
                        + " %d seeds%n",
                SEEDS, tested / (double) SEEDS, fdr, allFound);
        assertThat(tested).isEqualTo(SEEDS * 120L); // 60 segments × (error rate, AUC)
        assertThat(allFound).isGreaterThanOrEqualTo(SEEDS * 95 / 100);
        assertThat(fdr).isLessThanOrEqualTo(0.05 + 0.02);
    }

    @Test
    void underTheGlobalNullAnyDiscoveryIsRare() {
        DiscoveryConfig config = DiscoveryTestData.binary(List.of("segment"), 1, 200);
        int withDiscovery = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            Random rng = new Random(1_000 + seed);
            CohortCells cells = DiscoveryTestData.fold(config, segments(rng, 60, 400, Set.of()));
            if (!SliceDiscovery.test(cells, config).discovered(config.q()).isEmpty()) {
                withDiscovery++;
            }
        }
        // Under the global null FDR = P(any discovery); BH keeps it at most q (independent tests).
        System.out.printf(
                "global null: %d of %d cohorts with a discovery (FDR %.3f)%n",
                withDiscovery, SEEDS, withDiscovery / (double) SEEDS);
        assertThat(withDiscovery / (double) SEEDS).isLessThanOrEqualTo(0.05 + 0.03);
    }

    static final List<String> COUNTRIES = List.of("US", "DE", "GB", "FR", "BR", "IN");
    static final List<String> CHANNELS = List.of("web", "app", "pos");
    static final List<String> CATEGORIES =
            List.of("grocery", "fuel", "fashion", "dining", "home", "travel", "gaming", "tech");

    /**
     * The demo's shape: four dimensions, pairs included (10 combinations, ~140 slices), and one
     * broken pair (country=BR × model_version=v7) whose values no spec names.
     */
    @Test
    void aPlantedPairIsFoundAmongSinglesAndPairs() {
        DiscoveryConfig config =
                DiscoveryTestData.binary(
                        List.of("country", "channel", "model_version", "merchant_category"),
                        2,
                        200);
        int found = 0;
        double fdpSum = 0;
        int seeds = 50;
        for (int seed = 0; seed < seeds; seed++) {
            Random rng = new Random(5_000 + seed);
            List<Outcome> rows = new ArrayList<>();
            for (int i = 0; i < 40_000; i++) {
                String country = COUNTRIES.get(rng.nextInt(COUNTRIES.size()));
                String version = rng.nextBoolean() ? "v6" : "v7";
                Map<String, String> t =
                        tags(
                                "country",
                                country,
                                "channel",
                                CHANNELS.get(rng.nextInt(3)),
                                "model_version",
                                version,
                                "merchant_category",
                                CATEGORIES.get(rng.nextInt(8)));
                boolean broken = country.equals("BR") && version.equals("v7");
                rows.add(modelRow(rng, "p" + i, T0 + i, t, broken));
            }
            List<SliceDiscovery.Finding> discovered =
                    SliceDiscovery.test(DiscoveryTestData.fold(config, rows), config)
                            .discovered(config.q());
            if (discovered.stream()
                    .anyMatch(f -> f.slice().equals("country=BR,model_version=v7"))) {
                found++;
            }
            // False: a slice disjoint from the broken one (another country, or v6).
            long falses =
                    discovered.stream()
                            .filter(
                                    f ->
                                            !f.dimensions()
                                                            .getOrDefault("country", "BR")
                                                            .equals("BR")
                                                    || !f.dimensions()
                                                            .getOrDefault("model_version", "v7")
                                                            .equals("v7"))
                            .count();
            fdpSum += discovered.isEmpty() ? 0 : (double) falses / discovered.size();
        }
        System.out.printf(
                "planted pair: found in %d of %d seeds, mean FDP %.4f%n",
                found, seeds, fdpSum / seeds);
        assertThat(found).isEqualTo(seeds);
        assertThat(fdpSum / seeds).isLessThanOrEqualTo(0.05 + 0.02);
    }
}
