package io.hindsight.drift;

import io.hindsight.iceberg.SpecCatalog;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.window.Partial;
import io.hindsight.window.PreAggregateOperator;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Drift of an application's predictions, per event-time window and target, against the spec's
 * reference.
 *
 * <pre>
 *  predictions ─► PreAggregateOperator(DriftFolder) ─► keyBy(application + target) ─► DriftMergeFunction ─► DriftResult
 *                 (heap, per subtask; partials at the      (Partial.key)               (RocksDB: open windows,
 *                  window's watermark and before every                                  rolling reference;
 *                  checkpoint barrier)                                                  timers at window ends)
 * </pre>
 */
public final class DriftPipeline {

    /** Operator ids: savepoints map state to operators by these. */
    public static final String PRE_AGGREGATE_UID = "drift-pre-aggregate";

    public static final String MERGE_UID = "drift-merge";
    public static final String DISABLED_UID = "drift-disabled";

    /**
     * Accumulators one pre-aggregation subtask holds before it flushes them all: at most ~5 KB each
     * (a k = 200 sketch), so ~20 MB of heap at worst.
     */
    static final int MAX_HELD_ACCUMULATORS = 4096;

    private DriftPipeline() {}

    /**
     * Drift rows of the application's predictions; an empty stream when spec.drift() is disabled.
     */
    public static DataStream<DriftResult> attach(DataStream<Prediction> predictions, JobSpec spec) {
        if (!spec.drift().enabled()) {
            return disabled(predictions);
        }
        return attach(predictions, spec, ReferenceProfiles.forSpec(spec, SpecCatalog.loader(spec)));
    }

    /**
     * As {@link #attach(DataStream, JobSpec)} with the reference profile given (null for a rolling
     * reference), e.g. built once by the caller.
     */
    public static DataStream<DriftResult> attach(
            DataStream<Prediction> predictions, JobSpec spec, ReferenceProfile profile) {
        if (!spec.drift().enabled()) {
            return disabled(predictions);
        }
        return predictions
                .transform(
                        "drift: pre-aggregate",
                        Partial.TYPE_INFO,
                        new PreAggregateOperator<>(new DriftFolder(spec), MAX_HELD_ACCUMULATORS))
                .uid(PRE_AGGREGATE_UID)
                .keyBy(new ByKey())
                .process(new DriftMergeFunction(spec, ReferenceProfiles.label(spec), profile))
                .returns(new AvroTypeInfo<>(DriftResult.class))
                .uid(MERGE_UID)
                .name("drift: merge windows and compare with " + ReferenceProfiles.label(spec));
    }

    private static DataStream<DriftResult> disabled(DataStream<Prediction> predictions) {
        return predictions
                .flatMap(new NoRows())
                .returns(new AvroTypeInfo<>(DriftResult.class))
                .uid(DISABLED_UID)
                .name("drift: disabled");
    }

    /** The merge stage's key: application + target. */
    static final class ByKey implements KeySelector<Partial, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Partial partial) {
            return partial.key;
        }
    }

    /** With drift disabled, the stream the caller sinks stays empty. */
    static final class NoRows implements FlatMapFunction<Prediction, DriftResult> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(Prediction prediction, Collector<DriftResult> out) {}
    }
}
