package io.hindsight.migrations;

import static io.hindsight.migrations.JoinStateV1ToV2Test.DAY;
import static io.hindsight.migrations.JoinStateV1ToV2Test.HOLD;
import static io.hindsight.migrations.JoinStateV1ToV2Test.HOUR;
import static io.hindsight.migrations.JoinStateV1ToV2Test.MIN;
import static io.hindsight.migrations.JoinStateV1ToV2Test.T0;
import static io.hindsight.migrations.JoinStateV1ToV2Test.WINDOW;
import static io.hindsight.migrations.JoinStateV1ToV2Test.avro;
import static io.hindsight.migrations.JoinStateV1ToV2Test.feedback;
import static io.hindsight.migrations.JoinStateV1ToV2Test.fnv;
import static io.hindsight.migrations.JoinStateV1ToV2Test.prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hindsight.join.FeedbackJoinFunction;
import io.hindsight.join.JoinStateCounts;
import io.hindsight.join.PredictionPayload;
import io.hindsight.schemas.Feedback;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.OutcomeStatus;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.UnmatchedFeedback;
import io.hindsight.spec.FeedbackPolicy;
import io.hindsight.uids.Uids;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds a savepoint in the v2 layout (written here from the v2 layout's description, not by
 * Hindsight's code), migrates it to v3, and restores the current job from it: every waiting
 * prediction resolves exactly once, with the same rows as when the current job restores the v2
 * savepoint itself, and every migrated value is v3 and smaller.
 */
class JoinStateV2ToV3Test {

    /** One v2 value, written field by field from the v2 layout. */
    static byte[] v2(
            int flags,
            long predictionTime,
            long closeUntil,
            byte[] prediction,
            int applied,
            long firstFeedbackTime,
            List<Feedback> pending,
            List<String> seen)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(2);
        out.writeByte(flags);
        if ((flags & 7) != 0) {
            out.writeLong(predictionTime);
            out.writeLong(predictionTime + WINDOW); // deadline
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
        out.writeLong(firstFeedbackTime);
        out.writeDouble(applied); // label sum: every applied label was 1.0
        out.writeInt(applied); // label count
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

    /** The v2 job's state for six keys (those of the v1 test, in v2), with its timers. */
    static List<Tuple3<String, byte[], long[]>> v2Entries() throws IOException {
        long none = Long.MIN_VALUE;
        List<Tuple3<String, byte[], long[]>> e = new ArrayList<>();
        e.add(
                Tuple3.of(
                        "waiting-1",
                        v2(
                                1,
                                T0,
                                0,
                                avro(prediction("waiting-1", T0)),
                                0,
                                none,
                                List.of(),
                                List.of()),
                        new long[] {T0 + WINDOW}));
        Feedback held = feedback("held-1", "waiting-2", T0 + DAY + HOUR);
        e.add(
                Tuple3.of(
                        "waiting-2",
                        v2(
                                1,
                                T0 + DAY,
                                0,
                                avro(prediction("waiting-2", T0 + DAY)),
                                0,
                                none,
                                List.of(held),
                                List.of("held-1")),
                        new long[] {T0 + DAY + WINDOW, T0 + DAY + HOUR}));
        e.add(
                Tuple3.of(
                        "waiting-3",
                        v2(
                                1,
                                T0 + 2 * DAY,
                                0,
                                avro(prediction("waiting-3", T0 + 2 * DAY)),
                                0,
                                none,
                                List.of(),
                                List.of()),
                        new long[] {T0 + 2 * DAY + WINDOW}));
        // Resolved early under policy first: its deadline timer was replaced by the forget timer.
        e.add(
                Tuple3.of(
                        "resolved",
                        v2(1 | 2, T0, 0, null, 1, T0 + HOUR, List.of(), List.of("first-1")),
                        new long[] {T0 + WINDOW + 7 * DAY}));
        long closedAt = T0 - WINDOW - DAY;
        e.add(
                Tuple3.of(
                        "tombstone",
                        v2(
                                4,
                                closedAt,
                                closedAt + WINDOW + 7 * DAY,
                                null,
                                0,
                                none,
                                List.of(),
                                List.of()),
                        new long[] {closedAt + WINDOW + 7 * DAY}));
        Feedback early = feedback("early-1", "never-scored", T0 - MIN);
        e.add(
                Tuple3.of(
                        "never-scored",
                        v2(0, 0, 0, null, 0, none, List.of(early), List.of("early-1")),
                        new long[] {T0 - MIN, T0 - MIN + HOLD}));
        return e;
    }

    /** Writes raw v2 values and timers, as the v2 job's snapshot held them. */
    static final class WriteV2
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

    static String writeV2Savepoint(Path dir) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        var entries = env.fromData(v2Entries(), JoinStateV1ToV2.ENTRY);
        String path = dir.resolve("v2").toUri().toString();
        SavepointWriter.newSavepoint(env, new HashMapStateBackend(), 128)
                .withOperator(
                        OperatorIdentifier.forUid(Uids.FEEDBACK_JOIN),
                        OperatorTransformation.bootstrapWith(entries)
                                .keyBy(e -> e.f0, Types.STRING)
                                .transform(new WriteV2()))
                .write(path);
        env.execute("write a v2 savepoint");
        return path;
    }

    /** The raw value and timers of every key of the join in a savepoint. */
    static Map<String, Tuple3<String, byte[], long[]>> entries(String savepoint) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        Map<String, Tuple3<String, byte[], long[]>> out = new TreeMap<>();
        try (var it =
                SavepointReader.read(env, savepoint)
                        .readKeyedState(
                                OperatorIdentifier.forUid(Uids.FEEDBACK_JOIN),
                                new JoinStateV1ToV2.ReadEntries(),
                                Types.STRING,
                                JoinStateV1ToV2.ENTRY)
                        .executeAndCollect()) {
            it.forEachRemaining(e -> out.put(e.f0, e));
        }
        return out;
    }

    /** Every row a run of the current job wrote, as text, sorted. */
    static List<String> rows() {
        List<String> rows = new ArrayList<>();
        CollectingSinks.<Outcome>collected("outcomes").forEach(o -> rows.add("O " + o));
        CollectingSinks.<UnmatchedFeedback>collected("unmatched").forEach(u -> rows.add("U " + u));
        CollectingSinks.<Prediction>collected("predictions").forEach(p -> rows.add("P " + p));
        rows.sort(null);
        return rows;
    }

    static List<String> runJobFrom(String savepoint, Path dir) throws Exception {
        CollectingSinks.clear();
        JoinStateV1ToV2Test.runJobFrom(
                savepoint,
                dir,
                List.of(prediction("fresh", T0 + 5 * DAY)),
                List.of(
                        feedback("fb-w3", "waiting-3", T0 + 3 * DAY),
                        feedback("late-1", "tombstone", T0 + DAY),
                        feedback("extra-1", "resolved", T0 + 2 * DAY),
                        feedback("held-1", "waiting-2", T0 + DAY + HOUR)));
        return rows();
    }

    @Test
    void migratedSavepointRestoresAndEveryWaitingPredictionResolvesWithTheSameRows(
            @TempDir Path dir) throws Exception {
        String v2 = writeV2Savepoint(dir);
        String v3 = dir.resolve("v3").toUri().toString();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JoinStateV2ToV3.migrate(env, v2, v3, "fraud", Uids.FEEDBACK_JOIN);
        env.execute("migrate");

        assertThat(JoinStateCounts.read(v3, Uids.FEEDBACK_JOIN, FeedbackPolicy.FIRST))
                .isEqualTo(new JoinStateCounts(6, 3, 1, 1, 2, 0));
        Map<String, Tuple3<String, byte[], long[]>> before = entries(v2);
        Map<String, Tuple3<String, byte[], long[]>> after = entries(v3);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (String key : before.keySet()) {
            byte[] old = before.get(key).f1;
            byte[] migrated = after.get(key).f1;
            assertThat(migrated[0]).as(key).isEqualTo((byte) 3);
            assertThat(after.get(key).f2).as(key).containsExactlyInAnyOrder(before.get(key).f2);
            // v2's fixed-width counters, times and list counts: 4+4+8+8+4+8+1+4+4 = 45 bytes,
            // of which v3 keeps what is not at its initial value.
            assertThat(migrated.length).as(key).isLessThan(old.length - 30);
            if (key.startsWith("waiting-")) {
                // ... and the prediction without its id and application.
                assertThat(migrated.length)
                        .as(key)
                        .isLessThanOrEqualTo(old.length - 45 - key.length() - "fraud".length());
            }
        }

        List<String> fromV3 = runJobFrom(v3, dir.resolve("run-v3"));
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
        assertThat(expired.getApplication()).isEqualTo("fraud");
        assertThat(expired.getPredictionTime()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(expired.getResolvedTime()).isEqualTo(Instant.ofEpochMilli(T0 + WINDOW));
        assertThat(CollectingSinks.<UnmatchedFeedback>collected("unmatched"))
                .extracting(u -> u.getFeedbackId() + ":" + u.getKind())
                .containsExactlyInAnyOrder(
                        "late-1:LATE", "extra-1:EXTRA", "held-1:DUPLICATE", "early-1:ORPHAN");

        // The current job also reads the v2 savepoint itself: the same rows, field for field.
        List<String> fromV2 = runJobFrom(v2, dir.resolve("run-v2"));
        assertThat(fromV3).isEqualTo(fromV2);
    }

    @Test
    void alreadyMigratedValuesAreRefused() {
        PredictionPayload payload = new PredictionPayload("fraud");
        assertThatThrownBy(
                        () ->
                                JoinStateV2ToV3.rewrite(
                                        "k",
                                        new byte[] {3, 0, 0},
                                        payload,
                                        new DataOutputSerializer(16)))
                .hasMessage(
                        "expected feedback-join state version 2, found version 3; is this"
                                + " savepoint already migrated?");
    }

    @Test
    void aPredictionOfAnotherApplicationFailsTheMigration() throws IOException {
        byte[] v2 =
                v2(1, T0, 0, avro(prediction("p", T0)), 0, Long.MIN_VALUE, List.of(), List.of());
        assertThatThrownBy(
                        () ->
                                JoinStateV2ToV3.rewrite(
                                        "p",
                                        v2,
                                        new PredictionPayload("churn"),
                                        new DataOutputSerializer(16)))
                .hasMessageContaining("does not belong to the state entry of key 'p'");
    }
}
