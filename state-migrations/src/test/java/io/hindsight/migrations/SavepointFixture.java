package io.hindsight.migrations;

import static io.hindsight.migrations.JoinStateV1ToV2Test.DAY;
import static io.hindsight.migrations.JoinStateV1ToV2Test.HOUR;
import static io.hindsight.migrations.JoinStateV1ToV2Test.T0;

import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.join.FeedbackJoinFunction;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * The whole job (join, drift, slice metrics, alerts) over a fixed set of records, stopped with a
 * savepoint part-way: what {@code savepoints/} under the test resources holds, and how a release
 * writes a new one ({@link #main}).
 *
 * <p>Before the savepoint the job has read the first {@link #PREDICTIONS_BEFORE} predictions and
 * the first {@link #FEEDBACK_BEFORE} feedback events: the predictions wait in the join's state
 * (their feedback comes later), the feedback is early and held for predictions not yet read, and
 * drift and slice metrics hold open windows. No outcome, drift or metrics row has been emitted yet,
 * since no window and no wait has ended. The rest of the records come after the restore.
 */
final class SavepointFixture {

    static final int PREDICTIONS_BEFORE = 30;
    static final int FEEDBACK_BEFORE = 5;

    private SavepointFixture() {}

    /** The spec of the job the savepoint was taken of. */
    static JobSpec spec() {
        return SpecLoader.parse(UidCompatibilityTest.SPEC, Map.of());
    }

    /**
     * p0..p29 in the first half hour of T0's day (read before the savepoint), then q0..q4, whose
     * feedback came early, and r0..r9 two to eleven hours later.
     */
    static List<Prediction> predictions() {
        List<Prediction> ps = new ArrayList<>();
        for (int i = 0; i < PREDICTIONS_BEFORE; i++) {
            ps.add(prediction("p" + i, T0 + i * 60_000L, (i + 0.5) / PREDICTIONS_BEFORE, i));
        }
        for (int i = 0; i < FEEDBACK_BEFORE; i++) {
            ps.add(prediction("q" + i, T0 + 40 * 60_000L + i, 0.9 - i * 0.1, i));
        }
        for (int i = 0; i < 10; i++) {
            ps.add(prediction("r" + i, T0 + (2 + i) * HOUR, 0.05 + i * 0.09, i));
        }
        return ps;
    }

    /**
     * Early feedback for q0..q4 (read before the savepoint), then feedback for p0..p19 a day or
     * more after their predictions, a second event for p0, and feedback for r0..r4.
     */
    static List<Feedback> feedback() {
        List<Feedback> fs = new ArrayList<>();
        for (int i = 0; i < FEEDBACK_BEFORE; i++) {
            fs.add(feedback("fq" + i, "q" + i, T0 + 35 * 60_000L + i, i % 2));
        }
        for (int i = 0; i < 20; i++) {
            fs.add(feedback("fp" + i, "p" + i, T0 + DAY + i * HOUR, (i * 7) % 5 < 2 ? 1 : 0));
        }
        fs.add(feedback("fp0-again", "p0", T0 + 2 * DAY, 0));
        for (int i = 0; i < 5; i++) {
            fs.add(feedback("fr" + i, "r" + i, T0 + 3 * DAY + i * HOUR, i % 2));
        }
        return fs;
    }

    static Prediction prediction(String id, long time, double score, int i) {
        return Prediction.newBuilder(JoinStateV1ToV2Test.prediction(id, time))
                .setScore(score)
                .setTags(Map.of("country", i % 3 == 0 ? "FR" : "DE"))
                .build();
    }

    static Feedback feedback(String id, String predictionId, long time, double label) {
        return Feedback.newBuilder(JoinStateV1ToV2Test.feedback(id, predictionId, time))
                .setLabel(label)
                .build();
    }

    /**
     * A source of {@code records} that emits at most {@code limit} of them and then waits, still
     * running, so that the job can be stopped with a savepoint at that point.
     */
    static <T> DataGeneratorSource<Either<DeadLetter, T>> source(
            List<T> records, Class<T> type, long limit) {
        List<T> copy = new ArrayList<>(records);
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeInformation<Either<DeadLetter, T>> info =
                new EitherTypeInfo<>(
                        new AvroTypeInfo<>(DeadLetter.class),
                        (TypeInformation<T>) new AvroTypeInfo(type));
        GeneratorFunction<Long, Either<DeadLetter, T>> generator =
                i -> Either.Right(copy.get(i.intValue()));
        return new DataGeneratorSource<>(generator, copy.size(), new StopAfter(limit), info);
    }

    /** Grants {@code limit} records, then never again (the reader waits, checkpoints go on). */
    static final class StopAfter implements RateLimiterStrategy {
        private static final long serialVersionUID = 1L;
        private final long limit;

        StopAfter(long limit) {
            this.limit = limit;
        }

        @Override
        public RateLimiter createRateLimiter(int parallelism) {
            return new RateLimiter() {
                private long granted;

                @Override
                public CompletionStage<Void> acquire() {
                    return granted++ < limit
                            ? CompletableFuture.completedFuture(null)
                            : new CompletableFuture<>();
                }
            };
        }
    }

    /**
     * The job over the fixture's records, outputs into {@link CollectingSinks}; {@code limit}
     * {@code null} reads them all.
     */
    static StreamExecutionEnvironment job(
            Configuration conf, Integer predictionsLimit, Integer feedbackLimit) {
        StreamExecutionEnvironment env = LocalFlink.environment(conf);
        JobSpec spec = spec();
        List<Prediction> ps = predictions();
        List<Feedback> fs = feedback();
        SingleOutputStreamOperator<Outcome> outcomes =
                FeedbackJoinJob.build(
                        env,
                        spec,
                        source(
                                ps,
                                Prediction.class,
                                predictionsLimit == null ? ps.size() : predictionsLimit),
                        source(
                                fs,
                                Feedback.class,
                                feedbackLimit == null ? fs.size() : feedbackLimit),
                        new CollectingSinks());
        FeedbackJoinJob.attachMonitoring(
                spec,
                outcomes.getSideOutput(FeedbackJoinFunction.PREDICTIONS),
                outcomes,
                new UidCompatibilityTest.DiscardingMonitoringSinks());
        return env;
    }

    /**
     * Writes a new savepoint of this code's job into {@code args[0]} (one parallel instance, as the
     * committed one was taken): the job reads the records before the savepoint, and once the join
     * has passed all those predictions on, it is stopped with a canonical savepoint.
     */
    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]).toAbsolutePath();
        Path work = Files.createTempDirectory("hindsight-savepoint-fixture");
        try {
            String written = writeSavepoint(target, work);
            System.out.println("savepoint " + written + " at " + Instant.now());
            try (Stream<Path> files = Files.walk(Path.of(java.net.URI.create(written)))) {
                files.forEach(System.out::println);
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                // Children first; the job's checkpoints are of no use once the savepoint exists.
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String writeSavepoint(Path target, Path work) throws Exception {
        Configuration conf = LocalFlink.configuration(work, 1, Duration.ofHours(1));
        CollectingSinks.clear();
        JobClient job =
                job(conf, PREDICTIONS_BEFORE, FEEDBACK_BEFORE)
                        .executeAsync("hindsight savepoint fixture");
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (CollectingSinks.collected("predictions").size() < PREDICTIONS_BEFORE) {
                if (System.nanoTime() > deadline
                        || job.getJobStatus().get().isGloballyTerminalState()) {
                    throw new IllegalStateException(
                            "the job did not read the records before the savepoint");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // poll the condition
            }
            return job.stopWithSavepoint(
                            false, target.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(5, TimeUnit.MINUTES);
        } catch (Exception e) {
            job.cancel();
            throw e;
        }
    }
}
