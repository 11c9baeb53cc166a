package io.hindsight.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.jobs.FeedbackJoinJob;
import io.hindsight.jobs.LocalFlink;
import io.hindsight.join.FeedbackJoinFunction;
import io.hindsight.join.JoinStateCounts;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.UnmatchedFeedback;
import io.hindsight.spec.FeedbackPolicy;
import io.hindsight.spec.JobSpec;
import io.hindsight.spec.SpecLoader;
import io.hindsight.uids.Uids;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds a savepoint in the v1 layout (written here from the v1 layout's description, not by
 * Hindsight's code), migrates it to v2, restores the current job from it, and checks that every
 * waiting prediction still resolves, exactly once.
 */
class JoinStateV1ToV2Test {

    static final long MIN = 60_000L;
    static final long HOUR = 60 * MIN;
    static final long DAY = 24 * HOUR;
    static final long WINDOW = 60 * DAY;
    static final long HOLD = HOUR;
    static final long T0 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();

    static Prediction prediction(String id, long time) {
        return Prediction.newBuilder()
                .setApplication("fraud")
                .setPredictionId(id)
                .setEventTime(Instant.ofEpochMilli(time))
                .setModelName("fraud-scorer")
                .setModelVersion("v6")
                .setScore(0.7)
                .setTags(Map.of("country", "DE"))
                .build();
    }

    static Feedback feedback(String id, String predictionId, long time) {
        return Feedback.newBuilder()
                .setApplication("fraud")
                .setFeedbackId(id)
                .setPredictionId(predictionId)
                .setEventTime(Instant.ofEpochMilli(time))
                .setLabel(1.0)
                .build();
    }

    static <T extends SpecificRecordBase> byte[] avro(T record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        @SuppressWarnings("unchecked")
        SpecificDatumWriter<T> writer = new SpecificDatumWriter<>((Class<T>) record.getClass());
        writer.write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** FNV-1a 64 of the feedback id, as the v1 layout stores seen ids. */
    static long fnv(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** One v1 value, written field by field from the v1 layout. */
    static byte[] v1(
            int flags,
            long predictionTime,
            long closeUntil,
            byte[] prediction,
            int applied,
            List<Feedback> pending,
            List<String> seen)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(1);
        out.writeByte(flags);
        if ((flags & 7) != 0) {
            out.writeLong(predictionTime);
        }
        if ((flags & 4) != 0) {
            out.writeLong(closeUntil);
        }
        boolean waiting = (flags & 1) != 0 && (flags & 6) == 0;
        if (waiting) {
            out.writeInt(prediction.length);
            out.write(prediction);
        }
        out.writeInt(applied);
        out.writeInt(0); // revision
        out.writeLong(Long.MIN_VALUE); // first feedback time
        out.writeDouble(0); // label sum
        out.writeInt(0); // label count
        out.writeDouble(0); // best
        out.writeBoolean(false); // chosen
        out.writeInt(pending.size());
        for (Feedback f : pending) {
            byte[] b = avro(f);
            out.writeLong(f.getEventTime().toEpochMilli());
            out.writeInt(b.length);
            out.write(b);
        }
        out.writeInt(seen.size());
        for (String id : seen) {
            out.writeLong(fnv(id));
        }
        return bytes.toByteArray();
    }

    /** The v1 job's state for six keys, with the timers it had registered. */
    static List<Tuple3<String, byte[], long[]>> v1Entries() throws IOException {
        List<Tuple3<String, byte[], long[]>> e = new ArrayList<>();
        e.add(
                Tuple3.of(
                        "waiting-1",
                        v1(1, T0, 0, avro(prediction("waiting-1", T0)), 0, List.of(), List.of()),
                        new long[] {T0 + WINDOW}));
        Feedback held = feedback("held-1", "waiting-2", T0 + DAY + HOUR);
        e.add(
                Tuple3.of(
                        "waiting-2",
                        v1(
                                1,
                                T0 + DAY,
                                0,
                                avro(prediction("waiting-2", T0 + DAY)),
                                0,
                                List.of(held),
                                List.of("held-1")),
                        new long[] {T0 + DAY + WINDOW, T0 + DAY + HOUR}));
        e.add(
                Tuple3.of(
                        "waiting-3",
                        v1(
                                1,
                                T0 + 2 * DAY,
                                0,
                                avro(prediction("waiting-3", T0 + 2 * DAY)),
                                0,
                                List.of(),
                                List.of()),
                        new long[] {T0 + 2 * DAY + WINDOW}));
        e.add(
                Tuple3.of(
                        "resolved",
                        v1(1 | 2, T0, 0, null, 1, List.of(), List.of("first-1")),
                        new long[] {T0 + WINDOW}));
        long closedAt = T0 - WINDOW - DAY;
        e.add(
                Tuple3.of(
                        "tombstone",
                        v1(4, closedAt, closedAt + WINDOW + 7 * DAY, null, 0, List.of(), List.of()),
                        new long[] {closedAt + WINDOW + 7 * DAY}));
        Feedback early = feedback("early-1", "never-scored", T0 - MIN);
        e.add(
                Tuple3.of(
                        "never-scored",
                        v1(0, 0, 0, null, 0, List.of(early), List.of("early-1")),
                        new long[] {T0 - MIN, T0 - MIN + HOLD}));
        return e;
    }

    /** Writes raw v1 values and timers, as the v1 job's snapshot held them. */
    static final class WriteV1
            extends KeyedStateBootstrapFunction<String, Tuple3<String, byte[], long[]>>
            implements CheckpointedFunction {
        private transient ValueState<byte[]> state;
        private transient ListState<Long> waiting;

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(FeedbackJoinFunction.STATE);
        }

        @Override
        public void processElement(Tuple3<String, byte[], long[]> e, Context ctx) throws Exception {
            state.update(e.f1);
            for (long t : e.f2) {
                ctx.timerService().registerEventTimeTimer(t);
            }
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            waiting.update(List.of(3L));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            waiting =
                    context.getOperatorStateStore()
                            .getListState(FeedbackJoinFunction.WAITING_COUNT);
        }
    }

    static String writeV1Savepoint(Path dir) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        var entries = env.fromData(v1Entries(), JoinStateV1ToV2.ENTRY);
        String path = dir.resolve("v1").toUri().toString();
        SavepointWriter.newSavepoint(env, new HashMapStateBackend(), 128)
                .withOperator(
                        OperatorIdentifier.forUid(Uids.FEEDBACK_JOIN),
                        OperatorTransformation.bootstrapWith(entries)
                                .keyBy(e -> e.f0, Types.STRING)
                                .transform(new WriteV1()))
                .write(path);
        env.execute("write a v1 savepoint");
        return path;
    }

    @Test
    void migratedSavepointRestoresAndEveryWaitingPredictionResolves(@TempDir Path dir)
            throws Exception {
        String v1 = writeV1Savepoint(dir);
        String v2 = dir.resolve("v2").toUri().toString();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JoinStateV1ToV2.migrate(env, v1, v2, WINDOW, Uids.FEEDBACK_JOIN);
        env.execute("migrate");

        assertThat(JoinStateCounts.read(v2, Uids.FEEDBACK_JOIN, FeedbackPolicy.FIRST))
                .isEqualTo(new JoinStateCounts(6, 3, 1, 1, 2, 0));

        CollectingSinks.clear();
        runJobFrom(
                v2,
                dir,
                List.of(prediction("fresh", T0 + 5 * DAY)),
                List.of(
                        feedback("fb-w3", "waiting-3", T0 + 3 * DAY),
                        feedback("late-1", "tombstone", T0 + DAY),
                        feedback("extra-1", "resolved", T0 + 2 * DAY),
                        feedback("held-1", "waiting-2", T0 + DAY + HOUR)));

        List<Outcome> outcomes = CollectingSinks.collected("outcomes");
        assertThat(outcomes).allMatch(Outcome::getIsFinal);
        assertThat(
                        outcomes.stream()
                                .collect(
                                        Collectors.toMap(
                                                Outcome::getPredictionId,
                                                o -> o.getStatus() + "/" + o.getFeedbackId())))
                .isEqualTo(
                        Map.of(
                                "waiting-1", OutcomeStatus.EXPIRED + "/null",
                                "waiting-2", OutcomeStatus.LABELED + "/held-1",
                                "waiting-3", OutcomeStatus.LABELED + "/fb-w3",
                                "fresh", OutcomeStatus.EXPIRED + "/null"));
        Outcome expired =
                outcomes.stream()
                        .filter(o -> o.getPredictionId().equals("waiting-1"))
                        .findFirst()
                        .orElseThrow();
        assertThat(expired.getResolvedTime()).isEqualTo(Instant.ofEpochMilli(T0 + WINDOW));

        List<UnmatchedFeedback> unmatched = CollectingSinks.collected("unmatched");
        assertThat(unmatched)
                .extracting(u -> u.getFeedbackId() + ":" + u.getKind())
                .containsExactlyInAnyOrder(
                        "late-1:LATE", "extra-1:EXTRA", "held-1:DUPLICATE", "early-1:ORPHAN");
    }

    static void runJobFrom(
            String savepoint, Path dir, List<Prediction> predictions, List<Feedback> feedback)
            throws Exception {
        Configuration conf =
                LocalFlink.configuration(dir.resolve("flink"), 2, Duration.ofSeconds(1));
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment env = LocalFlink.environment(conf);
        JobSpec spec =
                SpecLoader.parse(
                        """
                        version: 1
                        application: fraud
                        kafka: {bootstrap-servers: localhost:9092}
                        inputs:
                          predictions:
                            topic: p
                            format: json
                            fields: {join-key: id, event-time: ts, model-name: m, model-version: v}
                          feedback:
                            topic: f
                            format: json
                            fields: {join-key: id, event-time: ts}
                        join: {label-window: 60d, early-feedback-hold: 1h, policy: first}
                        """,
                        Map.of());
        FeedbackJoinJob.build(
                env,
                spec,
                source(predictions, Prediction.class),
                source(feedback, Feedback.class),
                new CollectingSinks());
        env.execute("feedback join restored from a migrated savepoint");
    }

    static <T> DataGeneratorSource<Either<DeadLetter, T>> source(List<T> records, Class<T> type) {
        List<T> copy = new ArrayList<>(records);
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeInformation<Either<DeadLetter, T>> info =
                new EitherTypeInfo<>(
                        new AvroTypeInfo<>(DeadLetter.class),
                        (TypeInformation<T>) new AvroTypeInfo(type));
        GeneratorFunction<Long, Either<DeadLetter, T>> generator =
                i -> Either.Right(copy.get(i.intValue()));
        return new DataGeneratorSource<>(generator, copy.size(), RateLimiterStrategy.noOp(), info);
    }

    @Test
    void alreadyMigratedValuesAreRefused() {
        assertThatThrownBy(() -> JoinStateV1ToV2.rewrite(new byte[] {2, 0}, WINDOW))
                .hasMessage(
                        "expected feedback-join state version 1, found version 2; is this"
                                + " savepoint already migrated?");
    }

    @Test
    void rewriteInsertsTheDeadlineAndKeepsTheRest() throws IOException {
        byte[] v1 = v1(1, T0, 0, avro(prediction("p", T0)), 0, List.of(), List.of("x"));
        byte[] v2 = JoinStateV1ToV2.rewrite(v1, WINDOW);
        assertThat(v2).hasSize(v1.length + 8);
        assertThat(v2[0]).isEqualTo((byte) 2);
        assertThat(java.nio.ByteBuffer.wrap(v2, 10, 8).getLong()).isEqualTo(T0 + WINDOW);
        assertThat(java.util.Arrays.copyOfRange(v2, 18, v2.length))
                .isEqualTo(java.util.Arrays.copyOfRange(v1, 10, v1.length));
        assertThat(io.hindsight.join.JoinState.decode(v2).deadline()).isEqualTo(T0 + WINDOW);
    }
}
