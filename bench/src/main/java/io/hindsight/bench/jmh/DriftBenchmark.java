package io.hindsight.bench.jmh;

import io.hindsight.drift.DriftFolder;
import io.hindsight.drift.DriftMergeFunction;
import io.hindsight.drift.FeatureWindow;
import io.hindsight.drift.ReferenceProfiles;
import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.window.Partial;
import io.hindsight.window.PartialFolder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Drift's two stages with the fraud example's spec (amount, account_age_days, merchant_category,
 * card_present and the score; hourly windows, a rolling reference of 168 windows):
 *
 * <ul>
 *   <li>{@code fold}: one prediction into its five accumulators, as the pre-aggregation does (ns
 *       per prediction; values/s = 5 × 10⁹ / that);
 *   <li>{@code closeWindow}: the merge stage for one hourly window of {@code perWindow}
 *       predictions: 4 partials per target (2 subtasks × 2 flushes) merged into state, then the
 *       window's timer: the rolling reference of the previous 168 windows (14 blocks of 12 windows,
 *       or 13 blocks and 12 single windows at the two ends), rows computed and emitted, the window
 *       kept for later references, expired entries pruned.
 * </ul>
 *
 * The serialized state per feature-window is printed at setup ("drift state bytes").
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DriftBenchmark {

    static final int BATCH = 8192;
    static final long HOUR = 3_600_000L;
    static final int PARTIALS = 4;

    @Param({"500", "5000"})
    public int perWindow;

    @Param({"heap", "rocksdb"})
    public String backend;

    private JobSpec spec;
    private Prediction[] predictions;
    private DriftFolder folder;
    private Map<String, FeatureWindow> held;
    private PartialFolder.Accumulators<FeatureWindow> accumulators;

    /** Per target: the partials of one window (the same data in every window). */
    private Map<String, List<byte[]>> windowPartials;

    private KeyedOneInputStreamOperatorTestHarness<String, Partial, DriftResult> merge;
    private long nextWindow;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        JmhInputs inputs = new JmhInputs(BATCH);
        spec = inputs.spec;
        predictions = inputs.predictions();
        folder = new DriftFolder(spec);
        held = new HashMap<>();
        accumulators =
                (key, start, end) -> held.computeIfAbsent(key + '@' + start, k -> folder.create());

        // One window's partials: perWindow predictions folded in PARTIALS slices, re-stamped
        // into a single window.
        windowPartials = new TreeMap<>();
        Map<String, FeatureWindow> whole = new TreeMap<>();
        for (int part = 0; part < PARTIALS; part++) {
            Map<String, FeatureWindow> slice = new TreeMap<>();
            for (int i = part; i < perWindow; i += PARTIALS) {
                Prediction p = predictions[i % BATCH];
                folder.fold(
                        p,
                        0L,
                        (key, start, end) -> slice.computeIfAbsent(key, k -> folder.create()));
                folder.fold(
                        p,
                        0L,
                        (key, start, end) -> whole.computeIfAbsent(key, k -> folder.create()));
            }
            slice.forEach(
                    (key, w) ->
                            windowPartials
                                    .computeIfAbsent(key, k -> new ArrayList<>())
                                    .add(w.encode()));
        }
        whole.forEach(
                (key, w) ->
                        System.out.printf(
                                "drift state bytes: %s, %d predictions: open window %d B%n",
                                key.substring(key.indexOf('\u0000') + 1),
                                perWindow,
                                w.encode().length));

        merge =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new DriftMergeFunction(spec, ReferenceProfiles.label(spec), null)),
                        p -> p.key,
                        Types.STRING);
        if (backend.equals("rocksdb")) {
            merge.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        merge.setup();
        merge.open();
        // A full rolling reference: 168 windows of history.
        nextWindow = JmhInputs.START - Math.floorMod(JmhInputs.START, HOUR);
        for (int w = 0; w < spec.drift().reference().windows(); w++) {
            closeWindow();
        }
        merge.getOutput().clear();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        merge.close();
    }

    @Setup(Level.Iteration)
    public void resetHeld() {
        held.clear();
    }

    /** Ns per prediction, folded into the fraud example's five targets. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int fold() {
        for (Prediction p : predictions) {
            folder.fold(p, p.getEventTime().toEpochMilli(), accumulators);
        }
        return held.size();
    }

    /** Ns per hourly window: its partials merged, its rows computed against 168 windows. */
    @Benchmark
    public int closeWindow() throws Exception {
        long start = nextWindow;
        for (Map.Entry<String, List<byte[]>> target : windowPartials.entrySet()) {
            for (byte[] bytes : target.getValue()) {
                merge.processElement(
                        new StreamRecord<>(
                                new Partial(target.getKey(), start, start + HOUR, bytes),
                                start + HOUR - 1));
            }
        }
        merge.processWatermark(new Watermark(start + HOUR));
        nextWindow = start + HOUR;
        int rows = merge.getOutput().size();
        merge.getOutput().clear();
        return rows;
    }
}
