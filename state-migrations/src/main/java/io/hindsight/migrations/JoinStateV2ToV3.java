package io.hindsight.migrations;

import io.hindsight.join.FeedbackJoinFunction;
import io.hindsight.join.JoinState;
import io.hindsight.join.PredictionPayload;
import io.hindsight.uids.Uids;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Rewrites a savepoint of the feedback join from state layout v2 to v3.
 *
 * <p>v3 is the compact layout (see {@link JoinState}): varints, no bytes for fields at their
 * initial value, and each waiting prediction stored without its application, prediction id and
 * event time, which the entry's key, the job's application and the prediction time give back. The
 * current job reads v2 values as they are, so this migration is not needed to upgrade; it makes the
 * whole state compact at once instead of entry by entry as keys are touched (a waiting prediction
 * keeps its whole v2 record until it resolves). Each value is decoded as v2 with its key, its
 * prediction compacted and re-encoded as v3; a prediction that does not match its entry (the wrong
 * {@code --application}) fails the migration. Every event-time timer of every key is carried over
 * as it was (v2 already registered each entry's deadline), the join's predictions-waiting count is
 * recomputed, and all other operators' state (Kafka offsets, Iceberg and Kafka sink commits) is
 * kept as it was.
 *
 * <pre>
 *   java ... io.hindsight.migrations.JoinStateV2ToV3 \
 *       --from file:///savepoints/savepoint-1 --to file:///savepoints/savepoint-1-v3 \
 *       --application fraud
 * </pre>
 */
public final class JoinStateV2ToV3 {

    private JoinStateV2ToV3() {}

    public static void main(String[] args) throws Exception {
        String from = null;
        String to = null;
        String application = null;
        String uid = Uids.FEEDBACK_JOIN;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--from" -> from = args[i + 1];
                case "--to" -> to = args[i + 1];
                case "--application" -> application = args[i + 1];
                case "--uid" -> uid = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (from == null || to == null || application == null) {
            System.err.println(
                    "usage: JoinStateV2ToV3 --from SAVEPOINT --to DIR --application NAME"
                            + " [--uid feedback-join]");
            System.exit(2);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        migrate(env, from, to, application, uid);
        env.execute("hindsight: migrate feedback-join state v2 -> v3");
        System.out.println("wrote " + to);
    }

    /** Adds the rewrite to {@code env}; run it with {@code env.execute()}. */
    public static void migrate(
            StreamExecutionEnvironment env, String from, String to, String application, String uid)
            throws Exception {
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        OperatorIdentifier join = OperatorIdentifier.forUid(uid);
        DataStream<Tuple3<String, byte[], long[]>> entries =
                SavepointReader.read(env, from)
                        .readKeyedState(
                                join,
                                new JoinStateV1ToV2.ReadEntries(),
                                Types.STRING,
                                JoinStateV1ToV2.ENTRY);
        StateBootstrapTransformation<Tuple3<String, byte[], long[]>> rewritten =
                OperatorTransformation.bootstrapWith(entries)
                        .keyBy(e -> e.f0, Types.STRING)
                        .transform(new WriteV3(application));
        SavepointWriter.fromExistingSavepoint(env, from)
                .removeOperator(join)
                .withOperator(join, rewritten)
                .write(to);
    }

    /** Writes the v3 value, the timers and the recomputed predictions-waiting count. */
    static final class WriteV3
            extends KeyedStateBootstrapFunction<String, Tuple3<String, byte[], long[]>>
            implements CheckpointedFunction {
        private static final long serialVersionUID = 1L;
        private final String application;
        private transient ValueState<byte[]> state;
        private transient ListState<Long> waitingState;
        private transient long waiting;
        private transient PredictionPayload payload;
        private transient DataOutputSerializer buffer;

        WriteV3(String application) {
            this.application = application;
        }

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(FeedbackJoinFunction.STATE);
            payload = new PredictionPayload(application);
            buffer = new DataOutputSerializer(512);
        }

        @Override
        public void processElement(Tuple3<String, byte[], long[]> entry, Context ctx)
                throws Exception {
            byte[] v3 = rewrite(entry.f0, entry.f1, payload, buffer);
            // Read back with the current job's reader: a bad rewrite fails here, not in production.
            JoinState migrated = JoinState.decode(v3);
            state.update(v3);
            for (long timer : entry.f2) {
                ctx.timerService().registerEventTimeTimer(timer);
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

    /** v2 → v3 for the value of join key {@code key}; anything but a v2 value is refused. */
    static byte[] rewrite(
            String key, byte[] v2, PredictionPayload payload, DataOutputSerializer buffer) {
        if (v2.length < 2 || v2[0] != JoinState.V2) {
            throw new IllegalStateException(
                    "expected feedback-join state version 2, found version "
                            + (v2.length == 0 ? "none" : Byte.toString(v2[0]))
                            + "; is this savepoint already migrated?");
        }
        return JoinState.rewrite(v2, key, payload, buffer);
    }
}
