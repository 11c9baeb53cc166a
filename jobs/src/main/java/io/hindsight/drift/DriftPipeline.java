package io.hindsight.drift;

import io.hindsight.iceberg.SpecCatalog;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.uids.Uids;
import io.hindsight.window.Partial;
import io.hindsight.window.PreAggregateOperator;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;

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

    /**
     * Accumulators one pre-aggregation subtask holds before it flushes them all: at most ~5 KB each
     * (a k = 200 sketch), so ~20 MB of heap at worst.
     */
    static final int MAX_HELD_ACCUMULATORS = 4096;

    private DriftPipeline() {}

    /**
     * Drift rows of the application's predictions. Only for a spec with drift enabled: whether it
     * runs is decided once, by the job's wiring ({@code FeedbackJoinJob.attachMonitoring}).
     */
    public static DataStream<DriftResult> attach(DataStream<Prediction> predictions, JobSpec spec) {
        requireEnabled(spec);
        return attach(predictions, spec, ReferenceProfiles.forSpec(spec, SpecCatalog.loader(spec)));
    }

    /**
     * As {@link #attach(DataStream, JobSpec)} with the reference profile given (null for a rolling
     * reference), e.g. built once by the caller.
     */
    public static DataStream<DriftResult> attach(
            DataStream<Prediction> predictions, JobSpec spec, ReferenceProfile profile) {
        requireEnabled(spec);
        return predictions
                .transform(
                        "drift: pre-aggregate",
                        Partial.TYPE_INFO,
                        new PreAggregateOperator<>(new DriftFolder(spec), MAX_HELD_ACCUMULATORS))
                .uid(Uids.DRIFT_PRE_AGGREGATE)
                .keyBy(new ByKey())
                .process(new DriftMergeFunction(spec, ReferenceProfiles.label(spec), profile))
                .returns(new AvroTypeInfo<>(DriftResult.class))
                .uid(Uids.DRIFT_MERGE)
                .name("drift: merge windows and compare with " + ReferenceProfiles.label(spec));
    }

    private static void requireEnabled(JobSpec spec) {
        if (!spec.drift().enabled()) {
            throw new IllegalArgumentException(
                    "drift is disabled in the spec of '"
                            + spec.application()
                            + "'; attach it only when enabled");
        }
    }

    /** The merge stage's key: application + target. */
    static final class ByKey implements KeySelector<Partial, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Partial partial) {
            return partial.key;
        }
    }
}
