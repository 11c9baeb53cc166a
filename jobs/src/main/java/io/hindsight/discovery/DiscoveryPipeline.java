package io.hindsight.discovery;

import io.hindsight.schemas.DiscoveredSlice;
import io.hindsight.schemas.Outcome;
import io.hindsight.uids.Uids;
import io.hindsight.window.Partial;
import io.hindsight.window.PreAggregateOperator;
import java.math.BigInteger;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Worst-slice discovery: per cohort, the slices (combinations of up to max-dimensions discovery
 * dimensions) whose metric is significantly worse than the rest of the cohort, with the false
 * discovery rate controlled by Benjamini–Hochberg.
 *
 * <pre>
 *  outcomes ─► pre-aggregation ──► keyBy(application, cohort) ─► DiscoveryMergeFunction ─► DiscoveredSlice
 *              (heap, per subtask:                                 (RocksDB: cohort → cells,
 *               cohort → CohortCells)                               event-time timers)
 * </pre>
 *
 * <p>Design, tests and bounds: discovery/README.md.
 */
public final class DiscoveryPipeline {

    /** Accumulators one pre-aggregation subtask holds before it flushes them all. */
    static final int MAX_HELD = 1_000;

    private DiscoveryPipeline() {}

    /** Discovered slices of the join's outcome rows (event-time timestamps and watermarks). */
    public static DataStream<DiscoveredSlice> attach(
            DataStream<Outcome> outcomes, DiscoveryConfig config) {
        return outcomes.transform(
                        "slice discovery pre-aggregation",
                        Partial.TYPE_INFO,
                        new PreAggregateOperator<>(
                                new DiscoveryFolder(config), MAX_HELD, lateFlushGrid(config)))
                .uid(Uids.SLICE_DISCOVERY_PRE_AGGREGATE)
                .keyBy(new PartialKey())
                .process(new DiscoveryMergeFunction(config))
                .returns(new AvroTypeInfo<>(DiscoveredSlice.class))
                .uid(Uids.SLICE_DISCOVERY_MERGE)
                .name("slice discovery");
    }

    /**
     * Labels reach a cohort long after its window closed, so most partials are late; the merge
     * stage's timers all lie on multiples of gcd(metrics window, label window), so late partials
     * may wait for the watermark to reach one (as the slice metrics' do).
     */
    static long lateFlushGrid(DiscoveryConfig config) {
        return BigInteger.valueOf(config.windowMs())
                .gcd(BigInteger.valueOf(config.labelWindowMs()))
                .longValueExact();
    }

    /** The merge stage's key: application and cohort. */
    public static final class PartialKey implements KeySelector<Partial, String> {
        @Override
        public String getKey(Partial p) {
            return p.key;
        }
    }
}
