package io.hindsight.it;

import io.hindsight.jobs.JoinSinks;
import io.hindsight.schemas.DeadLetter;
import io.hindsight.schemas.Outcome;
import io.hindsight.schemas.Prediction;
import io.hindsight.schemas.UnmatchedFeedback;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A {@link JoinSinks} decorator that crashes the job a few times: the predictions stream passes
 * through a map that throws once each time the number of predictions seen by all its subtasks (over
 * all attempts, replays included) passes the next threshold, provided a checkpoint has completed
 * since the attempt started, so that every restart restores from a checkpoint rather than from the
 * beginning. Everything else goes unchanged to the real sinks.
 *
 * <p>The counters are static because Flink deserializes a fresh copy of the function for every
 * attempt; the MiniCluster runs in the test's JVM. One job with this decorator at a time.
 */
final class FailureInjectingSinks implements JoinSinks {

    static final String UID = "it-failure-injector";

    /** Predictions seen by every subtask in every attempt. */
    static final AtomicLong SEEN = new AtomicLong();

    /** Failures thrown so far. */
    static final AtomicInteger FAILURES = new AtomicInteger();

    /** Subtask starts that restored state from a checkpoint. */
    static final AtomicInteger RESTORES = new AtomicInteger();

    /**
     * Whether a checkpoint completed since the current attempt started and no failure was thrown in
     * it since: one failure per attempt, so that the other subtask, still running while Flink
     * cancels the attempt, cannot spend the next failure on an attempt that is already failing.
     */
    static final AtomicBoolean CHECKPOINTED_IN_ATTEMPT = new AtomicBoolean();

    private static volatile long[] thresholds = new long[0];

    private final JoinSinks delegate;

    FailureInjectingSinks(JoinSinks delegate, long... failAt) {
        this.delegate = delegate;
        SEEN.set(0);
        FAILURES.set(0);
        RESTORES.set(0);
        CHECKPOINTED_IN_ATTEMPT.set(false);
        thresholds = failAt.clone();
    }

    @Override
    public void predictions(DataStream<Prediction> predictions) {
        delegate.predictions(
                predictions
                        .map(new Injector())
                        .returns(new AvroTypeInfo<>(Prediction.class))
                        .uid(UID)
                        .name("failure injector"));
    }

    @Override
    public void outcomes(DataStream<Outcome> outcomes) {
        delegate.outcomes(outcomes);
    }

    @Override
    public void unmatched(DataStream<UnmatchedFeedback> unmatched) {
        delegate.unmatched(unmatched);
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        delegate.deadLetters(deadLetters);
    }

    /** Counts, and throws when a threshold is passed; keeps its count in operator state. */
    static final class Injector extends RichMapFunction<Prediction, Prediction>
            implements CheckpointedFunction, CheckpointListener {

        private static final long serialVersionUID = 1L;

        private static final ListStateDescriptor<Long> COUNT =
                new ListStateDescriptor<>("it-failure-injector-count", Types.LONG);

        /** One millisecond of pause every this many predictions, per subtask: ~5 s per 40 K. */
        private static final int PACE_EVERY = 4;

        private transient ListState<Long> countState;
        private transient long count;

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            countState = context.getOperatorStateStore().getListState(COUNT);
            count = 0;
            for (Long c : countState.get()) {
                count += c;
            }
            if (context.isRestored()) {
                RESTORES.incrementAndGet();
            }
        }

        @Override
        public void open(OpenContext openContext) {
            CHECKPOINTED_IN_ATTEMPT.set(false);
        }

        @Override
        public Prediction map(Prediction prediction) throws InterruptedException {
            count++;
            // Paced so that every attempt lives through several checkpoints (1 s apart) before it
            // has read the whole input: on a quiet machine an unpaced attempt reads everything
            // before its first checkpoint, and the next failure would never come.
            if (count % PACE_EVERY == 0) {
                Thread.sleep(1);
            }
            long seen = SEEN.incrementAndGet();
            int failures = FAILURES.get();
            if (failures < thresholds.length
                    && seen >= thresholds[failures]
                    && CHECKPOINTED_IN_ATTEMPT.compareAndSet(true, false)
                    && FAILURES.compareAndSet(failures, failures + 1)) {
                throw new InjectedFailure(
                        "injected failure " + (failures + 1) + " after " + seen + " predictions");
            }
            return prediction;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            countState.update(List.of(count));
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED_IN_ATTEMPT.set(true);
        }
    }

    /** Thrown on purpose; Flink's restart strategy restarts the job from its last checkpoint. */
    static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }
}
