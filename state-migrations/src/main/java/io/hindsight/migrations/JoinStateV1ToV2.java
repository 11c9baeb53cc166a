package io.hindsight.migrations;

import io.hindsight.join.FeedbackJoinFunction;
import io.hindsight.join.JoinState;
import io.hindsight.uids.Uids;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * Rewrites a savepoint of the feedback join from state layout v1 to v2.
 *
 * <p>v2 stores each prediction's deadline instead of deriving it from the current spec's label
 * window (see {@link JoinState}). The deadline of a v1 entry is its prediction time plus the label
 * window the old job ran with, which only the operator knows: pass it as {@code --label-window}.
 * The rewrite is byte-level: the v1 header is read, the deadline inserted after the prediction
 * time, and the rest of the value copied unchanged, so nothing else of the entry can change. Every
 * event-time timer of every key is carried over, the deadline's timer is ensured, and the join's
 * predictions-waiting count is recomputed. All other operators' state (Kafka offsets, Iceberg and
 * Kafka sink commits) is kept as it was.
 *
 * <pre>
 *   java ... io.hindsight.migrations.JoinStateV1ToV2 \
 *       --from file:///savepoints/savepoint-1 --to file:///savepoints/savepoint-1-v2 \
 *       --label-window 60d
 * </pre>
 */
public final class JoinStateV1ToV2 {

    static final byte V1 = 1;
    static final byte V2 = 2;
    private static final byte HAS_PREDICTION = 1;
    private static final byte RESOLVED = 2;
    private static final byte CLOSED = 4;

    private JoinStateV1ToV2() {}

    public static void main(String[] args) throws Exception {
        String from = null;
        String to = null;
        Duration window = null;
        String uid = Uids.FEEDBACK_JOIN;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--from" -> from = args[i + 1];
                case "--to" -> to = args[i + 1];
                case "--label-window" -> window = duration(args[i + 1]);
                case "--uid" -> uid = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (from == null || to == null || window == null) {
            System.err.println(
                    "usage: JoinStateV1ToV2 --from SAVEPOINT --to DIR --label-window DURATION"
                            + " [--uid feedback-join]");
            System.exit(2);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        migrate(env, from, to, window.toMillis(), uid);
        env.execute("hindsight: migrate feedback-join state v1 -> v2");
        System.out.println("wrote " + to);
    }

    private static Duration duration(String text) {
        return io.hindsight.spec.Durations.parse(text)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "--label-window: invalid duration '"
                                                + text
                                                + "', e.g. 60d"));
    }

    /** Adds the rewrite to {@code env}; run it with {@code env.execute()}. */
    public static void migrate(
            StreamExecutionEnvironment env, String from, String to, long labelWindowMs, String uid)
            throws Exception {
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        OperatorIdentifier join = OperatorIdentifier.forUid(uid);
        DataStream<Tuple3<String, byte[], long[]>> entries =
                SavepointReader.read(env, from)
                        .readKeyedState(join, new ReadEntries(), Types.STRING, ENTRY);
        StateBootstrapTransformation<Tuple3<String, byte[], long[]>> rewritten =
                OperatorTransformation.bootstrapWith(entries)
                        .keyBy(e -> e.f0, Types.STRING)
                        .transform(new WriteV2(labelWindowMs));
        SavepointWriter.fromExistingSavepoint(env, from)
                .removeOperator(join)
                .withOperator(join, rewritten)
                .write(to);
    }

    static final TypeInformation<Tuple3<String, byte[], long[]>> ENTRY =
            Types.TUPLE(
                    Types.STRING,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                    PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);

    /** The value of a key, whatever its layout, with its registered event-time timers. */
    static final class ReadEntries
            extends KeyedStateReaderFunction<String, Tuple3<String, byte[], long[]>> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<byte[]> state;

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(FeedbackJoinFunction.STATE);
        }

        @Override
        public void readKey(String key, Context ctx, Collector<Tuple3<String, byte[], long[]>> out)
                throws Exception {
            byte[] value = state.value();
            if (value == null) {
                return;
            }
            long[] timers =
                    ctx.registeredEventTimeTimers().stream().mapToLong(Long::longValue).toArray();
            out.collect(Tuple3.of(key, value, timers));
        }
    }

    /** Writes the v2 value, the timers and the recomputed predictions-waiting count. */
    static final class WriteV2
            extends KeyedStateBootstrapFunction<String, Tuple3<String, byte[], long[]>>
            implements CheckpointedFunction {
        private static final long serialVersionUID = 1L;
        private final long labelWindowMs;
        private transient ValueState<byte[]> state;
        private transient ListState<Long> waitingState;
        private transient long waiting;

        WriteV2(long labelWindowMs) {
            this.labelWindowMs = labelWindowMs;
        }

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(FeedbackJoinFunction.STATE);
        }

        @Override
        public void processElement(Tuple3<String, byte[], long[]> entry, Context ctx)
                throws Exception {
            byte[] v2 = rewrite(entry.f1, labelWindowMs);
            // Read back with the current job's reader: a bad rewrite fails here, not in production.
            JoinState migrated = JoinState.decode(v2);
            state.update(v2);
            for (long timer : entry.f2) {
                ctx.timerService().registerEventTimeTimer(timer);
            }
            if (migrated.hasPredictionTime() && !migrated.closed()) {
                ctx.timerService().registerEventTimeTimer(migrated.deadline());
            }
            if (migrated.waiting()) {
                waiting++;
            }
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            waitingState.update(List.of(waiting));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            waitingState =
                    context.getOperatorStateStore()
                            .getListState(FeedbackJoinFunction.WAITING_COUNT);
            waiting = 0;
        }
    }

    /**
     * v1 → v2 for one value: {@code [1][flags][predictionTime][rest]} becomes {@code
     * [2][flags][predictionTime][predictionTime + window][rest]}; values without a prediction time
     * only change their version byte.
     */
    static byte[] rewrite(byte[] v1, long labelWindowMs) {
        if (v1.length < 2 || v1[0] != V1) {
            throw new IllegalStateException(
                    "expected feedback-join state version 1, found version "
                            + (v1.length == 0 ? "none" : Byte.toString(v1[0]))
                            + "; is this savepoint already migrated?");
        }
        byte flags = v1[1];
        boolean timed = (flags & (HAS_PREDICTION | RESOLVED | CLOSED)) != 0;
        if (!timed) {
            byte[] v2 = v1.clone();
            v2[0] = V2;
            return v2;
        }
        long predictionTime = ByteBuffer.wrap(v1, 2, 8).getLong();
        ByteBuffer v2 = ByteBuffer.allocate(v1.length + 8);
        v2.put(V2).put(flags).putLong(predictionTime).putLong(predictionTime + labelWindowMs);
        v2.put(v1, 10, v1.length - 10);
        return v2.array();
    }
}
