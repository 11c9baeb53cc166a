package io.hindsight.join;

import io.hindsight.spec.FeedbackPolicy;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * What the feedback join holds in a savepoint, counted with the State Processor API: the "still
 * waiting in state" term of the conservation checks, read from the state itself.
 *
 * @param keys join keys with state
 * @param predictionsWaiting predictions whose final row is not emitted yet
 * @param resolvedOpen predictions final early (policy first) whose window is still open
 * @param tombstones closed windows remembered for late feedback
 * @param feedbackHeld feedback not yet applied (waiting for the watermark, in the join's state or
 *     in the queue {@link FeedbackJoinOperator} writes at each checkpoint, or for its prediction)
 * @param feedbackInProvisionalRows feedback applied to waiting predictions under policies whose
 *     final row comes at the deadline ({@code last} and the aggregates)
 */
public record JoinStateCounts(
        long keys,
        long predictionsWaiting,
        long resolvedOpen,
        long tombstones,
        long feedbackHeld,
        long feedbackInProvisionalRows) {

    /** Reads the keyed state of the operator with the given uid from a savepoint. */
    public static JoinStateCounts read(String savepointPath, String uid, FeedbackPolicy policy)
            throws Exception {
        Configuration conf = new Configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(1);
        SavepointReader reader = SavepointReader.read(env, savepointPath);
        boolean finalAtDeadline = policy != FeedbackPolicy.FIRST && policy != FeedbackPolicy.ALL;
        long[] sum = new long[6];
        try (CloseableIterator<long[]> rows =
                reader.readKeyedState(
                                OperatorIdentifier.forUid(uid),
                                new Reader(finalAtDeadline),
                                Types.STRING,
                                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO)
                        .executeAndCollect("hindsight: count feedback-join state")) {
            while (rows.hasNext()) {
                long[] r = rows.next();
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += r[i];
                }
            }
        }
        return new JoinStateCounts(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5]);
    }

    /** One row of counts per key. */
    static final class Reader extends KeyedStateReaderFunction<String, long[]> {
        private static final long serialVersionUID = 1L;
        private final boolean finalAtDeadline;
        private transient ValueState<byte[]> state;
        private transient MapState<Long, byte[]> buffer;

        Reader(boolean finalAtDeadline) {
            this.finalAtDeadline = finalAtDeadline;
        }

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(FeedbackJoinFunction.STATE);
            buffer = getRuntimeContext().getMapState(FeedbackJoinOperator.BUFFER);
        }

        @Override
        public void readKey(String key, Context ctx, Collector<long[]> out) throws Exception {
            // Feedback the operator held in memory for the watermark, written at the barrier.
            long buffered = 0;
            for (Long ignored : buffer.keys()) {
                buffered++;
            }
            byte[] bytes = state.value();
            if (bytes == null) {
                if (buffered > 0) {
                    out.collect(new long[] {0, 0, 0, 0, buffered, 0});
                }
                return;
            }
            JoinState s = JoinState.decode(bytes);
            out.collect(
                    new long[] {
                        1,
                        s.waiting() ? 1 : 0,
                        s.has(JoinState.RESOLVED) && !s.has(JoinState.CLOSED) ? 1 : 0,
                        s.has(JoinState.CLOSED) ? 1 : 0,
                        s.pending.size() + buffered,
                        finalAtDeadline && s.waiting() ? s.applied : 0
                    });
        }
    }
}
