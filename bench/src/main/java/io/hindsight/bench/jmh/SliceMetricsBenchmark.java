package io.hindsight.bench.jmh;

import io.hindsight.metrics.CohortAccumulator;
import io.hindsight.metrics.SliceMetricRows;
import io.hindsight.metrics.SliceMetricsConfig;
import io.hindsight.metrics.SliceMetricsFolder;
import io.hindsight.metrics.Slices;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.SliceMetric;
import io.hindsight.spec.SpecLoader;
import io.hindsight.window.PartialFolder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.types.Either;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Slice metrics with the fraud example's spec (3 slices + the population, binary classification,
 * daily cohorts): outcome rows folded per second by the pre-aggregation's folder, and the merge
 * stage's work per cohort-slice and partial (decode state and partial, merge, encode, compute the
 * row). Prints the serialized state bytes of a day's cohort-slices at setup.
 */
@State(Scope.Thread)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SliceMetricsBenchmark {

    /** One day of the simulator's default traffic (500 predictions per hour). */
    static final int ROWS = 12_000;

    static final long DAY = 86_400_000L;
    static final long START = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();

    private SliceMetricsConfig config;
    private SliceMetricsFolder folder;
    private Either<Prediction, Outcome>[] outcomes;
    private byte[] state;
    private byte[] partial;
    private String populationKey;

    /** The heap accumulators of one pre-aggregation subtask, as the operator keeps them. */
    static final class Held implements PartialFolder.Accumulators<CohortAccumulator> {
        record Id(String key, long start) {}

        final Map<Id, CohortAccumulator> map = new HashMap<>();
        final SliceMetricsFolder folder;

        Held(SliceMetricsFolder folder) {
            this.folder = folder;
        }

        @Override
        public CohortAccumulator get(String key, long windowStart, long windowEnd) {
            return map.computeIfAbsent(new Id(key, windowStart), id -> folder.create());
        }
    }

    @Setup
    @SuppressWarnings("unchecked")
    public void setUp() {
        Path home = Path.of(System.getProperty("hindsight.home", ".")).toAbsolutePath();
        config =
                SliceMetricsConfig.of(
                        SpecLoader.load(home.resolve("examples/fraud/spec.yaml"), Map.of()));
        folder = new SliceMetricsFolder(config);
        populationKey = Slices.populationKey(config.application());
        outcomes = new Either[ROWS];
        Held day = new Held(folder);
        SplittableRandom random = new SplittableRandom(42);
        String[] countries = {"US", "DE", "GB", "FR", "BR", "IN", "MX"};
        double[] countryShare = {0.35, 0.15, 0.12, 0.10, 0.10, 0.10, 0.08};
        String[] channels = {"web", "app", "pos"};
        for (int i = 0; i < ROWS; i++) {
            boolean fraud = random.nextDouble() < 0.03;
            double s = gaussian(random) + (fraud ? 2.5 : 0);
            double lf = 0.03 * Math.exp(-(s - 2.5) * (s - 2.5) / 2);
            double ll = 0.97 * Math.exp(-s * s / 2);
            Prediction p =
                    Prediction.newBuilder()
                            .setApplication("fraud")
                            .setPredictionId("p" + i)
                            .setEventTime(Instant.ofEpochMilli(START + (long) i * (DAY / ROWS)))
                            .setModelName("fraud-scorer")
                            .setModelVersion(random.nextBoolean() ? "v6" : "v7")
                            .setScore(lf / (lf + ll))
                            .setTags(
                                    Map.of(
                                            "country",
                                            pick(countries, countryShare, random),
                                            "channel",
                                            channels[random.nextInt(3)]))
                            .build();
            folder.fold(Either.Left(p), p.getEventTime().toEpochMilli(), day);
            boolean labeled = fraud ? random.nextDouble() < 0.85 : random.nextDouble() < 0.10;
            long delay = (long) (random.nextDouble() * 20 * DAY);
            Outcome o =
                    Outcome.newBuilder()
                            .setApplication("fraud")
                            .setPredictionId(p.getPredictionId())
                            .setPredictionTime(p.getEventTime())
                            .setModelName(p.getModelName())
                            .setModelVersion(p.getModelVersion())
                            .setScore(p.getScore())
                            .setTags(p.getTags())
                            .setStatus(labeled ? OutcomeStatus.LABELED : OutcomeStatus.EXPIRED)
                            .setPolicy("first")
                            .setRevision(1)
                            .setIsFinal(true)
                            .setFeedbackCount(labeled ? 1 : 0)
                            .setLabel(labeled ? (fraud ? 1.0 : 0.0) : null)
                            .setLabelDelayMs(labeled ? delay : null)
                            .setResolvedTime(
                                    p.getEventTime().plusMillis(labeled ? delay : 60 * DAY))
                            .build();
            outcomes[i] = Either.Right(o);
            folder.fold(outcomes[i], o.getResolvedTime().toEpochMilli(), day);
        }
        // A day's final state of the population, and a partial of one subtask's hour of rows.
        state = day.map.get(new Held.Id(populationKey, START)).toBytes();
        Held hour = new Held(folder);
        for (int i = 0; i < ROWS / 24; i++) {
            folder.fold(outcomes[i], 0, hour);
        }
        partial = hour.map.get(new Held.Id(populationKey, START)).toBytes();

        long total = 0;
        long max = 0;
        for (Map.Entry<Held.Id, CohortAccumulator> e : day.map.entrySet()) {
            int bytes = e.getValue().toBytes().length;
            total += bytes;
            max = Math.max(max, bytes);
        }
        System.out.printf(
                "%nslice-metrics state of one day (%d predictions, all outcomes): %d cohort-slices,"
                        + " population %d bytes, largest %d bytes, mean %d bytes, total %d bytes;"
                        + " hourly partial of the population %d bytes%n",
                ROWS,
                day.map.size(),
                state.length,
                max,
                total / day.map.size(),
                total,
                partial.length);
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static String pick(String[] values, double[] shares, SplittableRandom random) {
        double u = random.nextDouble();
        for (int i = 0; i < values.length; i++) {
            u -= shares[i];
            if (u < 0) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }

    /** Outcome rows folded into 4 accumulators each (population + 3 slices), then serialized. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(ROWS)
    public int foldOutcomes() {
        Held held = new Held(folder);
        for (Either<Prediction, Outcome> o : outcomes) {
            folder.fold(o, 0, held);
        }
        int bytes = 0;
        for (CohortAccumulator a : held.map.values()) {
            bytes += folder.serialize(a).length;
        }
        return bytes;
    }

    /** The merge stage per partial: decode the cohort's state and the partial, merge, encode. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] mergePartial() {
        CohortAccumulator a = CohortAccumulator.fromBytes(state);
        a.merge(CohortAccumulator.fromBytes(partial));
        return a.toBytes();
    }

    /** The merge stage per revision: decode the cohort's state and compute its row. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public SliceMetric computeRow() {
        return SliceMetricRows.row(
                config,
                populationKey,
                START,
                START + DAY,
                CohortAccumulator.fromBytes(state),
                1,
                false,
                START + DAY);
    }
}
