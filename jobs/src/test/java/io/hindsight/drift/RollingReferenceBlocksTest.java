package io.hindsight.drift;

import static io.hindsight.drift.DriftTesting.HOUR;
import static io.hindsight.drift.DriftTesting.T0;
import static io.hindsight.drift.DriftTesting.prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hindsight.schemas.DriftResult;
import io.hindsight.schemas.Prediction;
import io.hindsight.spec.JobSpec;
import io.hindsight.window.Partial;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rolling reference assembled from blocks and ragged ends equals the plain concatenation of the
 * previous N windows' values: N = 10 (blocks of 3) over 36 hourly windows with gaps, checked row by
 * row against an exact computation over every value, with state and timers bounded throughout and
 * gone at the end, and a snapshot → restore in the middle.
 */
class RollingReferenceBlocksTest {

    static final int N = 10;
    static final int WINDOWS = 36;

    /** No predictions at all; 12–16 hold a whole aligned block of 3 without values. */
    static final Set<Integer> EMPTY = Set.of(4, 12, 13, 14, 15, 16, 23, 31);

    /** Predictions without any amount: rows of amount have no values, channel's have. */
    static final Set<Integer> NO_AMOUNT = Set.of(27, 28);

    static final String AMOUNT = DriftFolder.key("fraud", "amount");
    static final String CHANNEL = DriftFolder.key("fraud", "channel");

    private InterceptingOperatorMetricGroup metrics;

    KeyedOneInputStreamOperatorTestHarness<String, Partial, DriftResult> harness(
            JobSpec spec, OperatorSubtaskState restoreFrom) throws Exception {
        metrics = new InterceptingOperatorMetricGroup();
        InterceptingOperatorMetricGroup operatorMetrics = metrics;
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new DriftMergeFunction(spec, "rolling:" + N, null)),
                        new DriftPipeline.ByKey(),
                        Types.STRING,
                        new MockEnvironmentBuilder()
                                .setMetricGroup(
                                        new InterceptingTaskMetricGroup() {
                                            @Override
                                            public InternalOperatorMetricGroup getOrAddOperator(
                                                    OperatorID id, String name) {
                                                return operatorMetrics;
                                            }
                                        })
                                .build());
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    /** Window w's predictions: 40–90 of them, amounts around a center that wanders with w. */
    static List<Prediction> predictions(int w) {
        List<Prediction> out = new ArrayList<>();
        if (EMPTY.contains(w)) {
            return out;
        }
        Random random = new Random(1000 + w);
        int n = 40 + random.nextInt(51);
        double center = 100 + 30 * Math.sin(w / 4.0);
        for (int i = 0; i < n; i++) {
            Double amount =
                    NO_AMOUNT.contains(w) || i % 10 == 9
                            ? null
                            : center + random.nextGaussian() * (5 + w % 7);
            String channel = w > 20 && i % 5 == 0 ? "pos" : i % 3 == 0 ? "app" : "web";
            out.add(prediction("w" + w + "-" + i, T0 + w * HOUR + i, amount, channel, 0.2));
        }
        return out;
    }

    static Partial partial(JobSpec spec, String target, int w, List<Prediction> predictions) {
        DriftTarget t =
                DriftTarget.of(spec).stream()
                        .filter(x -> x.name().equals(target))
                        .findFirst()
                        .orElseThrow();
        FeatureWindow acc = new FeatureWindow(spec.drift().sketchK(), 100);
        predictions.forEach(p -> DriftFolder.add(p, t, acc));
        long start = T0 + w * HOUR;
        return new Partial(DriftFolder.key("fraud", target), start, start + HOUR, acc.encode());
    }

    static double[] amounts(List<Prediction> predictions) {
        return predictions.stream()
                .filter(p -> p.getNumericFeatures().containsKey("amount"))
                .mapToDouble(p -> p.getNumericFeatures().get("amount"))
                .toArray();
    }

    static Map<String, Long> channels(List<Prediction> predictions) {
        Map<String, Long> counts = new TreeMap<>();
        for (Prediction p : predictions) {
            counts.merge(p.getCategoricalFeatures().get("channel"), 1L, Long::sum);
        }
        return counts;
    }

    static int entries(
            KeyedOneInputStreamOperatorTestHarness<String, Partial, DriftResult> h,
            String key,
            MapStateDescriptor<Long, byte[]> descriptor)
            throws Exception {
        KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(key);
        MapState<Long, byte[]> state =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
        int n = 0;
        for (Long ignored : state.keys()) {
            n++;
        }
        return n;
    }

    long parts() {
        return ((Counter) metrics.get("driftReferenceParts")).getCount();
    }

    @ParameterizedTest(name = "sketch-k {0}")
    @ValueSource(ints = {1000, 200})
    void everyRowsReferenceIsTheConcatenationOfThePreviousNWindows(int k) throws Exception {
        JobSpec spec = DriftTesting.spec("{type: rolling, windows: " + N + "}", "  sketch-k: " + k);
        int b = DriftMergeFunction.blockWindows(N);
        assertThat(b).isEqualTo(3);
        int maxBlocks = (N + b - 1) / b - 1;

        List<List<Prediction>> windows = new ArrayList<>();
        for (int w = 0; w < WINDOWS; w++) {
            windows.add(predictions(w));
        }
        var h = harness(spec, null);
        List<DriftResult> rows = new ArrayList<>();
        long parts = 0;
        long flatParts = 0;
        int mostBlocks = 0;
        for (int w = 0; w < WINDOWS; w++) {
            List<Prediction> ps = windows.get(w);
            if (!ps.isEmpty()) {
                int half = ps.size() / 2;
                for (String target : List.of("amount", "channel")) {
                    // Two subtasks' partials.
                    for (List<Prediction> slice :
                            List.of(ps.subList(0, half), ps.subList(half, ps.size()))) {
                        Partial p = partial(spec, target, w, slice);
                        h.processElement(new StreamRecord<>(p, p.windowEnd - 1));
                    }
                }
                for (int r = Math.max(0, w - N); r < w; r++) {
                    flatParts += amounts(windows.get(r)).length > 0 ? 1 : 0;
                    flatParts += windows.get(r).isEmpty() ? 0 : 1;
                }
            }
            h.processWatermark(new Watermark(T0 + (w + 1) * HOUR));
            rows.addAll(h.extractOutputValues());
            h.getOutput().clear();

            // Bounded: ≤ N rolling entries, ≤ ⌈N/B⌉ − 1 blocks per key; timers on the window grid
            // within the next N windows' ends (no window is open between closes).
            for (String key : List.of(AMOUNT, CHANNEL)) {
                assertThat(entries(h, key, DriftMergeFunction.ROLLING_REFERENCE))
                        .isLessThanOrEqualTo(N);
                int blocks = entries(h, key, DriftMergeFunction.ROLLING_BLOCKS);
                assertThat(blocks).isLessThanOrEqualTo(maxBlocks);
                mostBlocks = Math.max(mostBlocks, blocks);
            }
            assertThat(h.numEventTimeTimers()).isLessThanOrEqualTo(2 * N);

            if (w == 20) {
                // Snapshot → restore mid-run: blocks and entries come back and are used.
                parts += parts();
                OperatorSubtaskState snapshot = h.snapshot(1, T0 + (w + 1) * HOUR);
                int timers = h.numEventTimeTimers();
                h.close();
                h = harness(spec, snapshot);
                assertThat(h.numEventTimeTimers()).isEqualTo(timers);
            }
        }
        parts += parts();
        assertThat(mostBlocks).isEqualTo(maxBlocks);
        // Blocks are used: fewer parts merged than a window-by-window reference would merge
        // (block builds included).
        assertThat(parts).isLessThan(flatParts * 3 / 4);

        int amountRows = 0;
        int withReference = 0;
        for (DriftResult row : rows) {
            int w = (int) ((row.getWindowStart().toEpochMilli() - T0) / HOUR);
            List<Prediction> reference = new ArrayList<>();
            for (int r = Math.max(0, w - N); r < w; r++) {
                reference.addAll(windows.get(r));
            }
            if (row.getFeature().equals("amount")) {
                amountRows++;
                checkNumeric(row, amounts(windows.get(w)), amounts(reference), k);
                withReference += amounts(reference).length > 0 ? 1 : 0;
            } else {
                assertThat(row.getFeature()).isEqualTo("channel");
                checkCategorical(row, channels(windows.get(w)), channels(reference));
            }
        }
        assertThat(amountRows).isEqualTo(WINDOWS - EMPTY.size());
        assertThat(withReference).isEqualTo(amountRows - 1);
        assertThat(rows).hasSize(2 * (WINDOWS - EMPTY.size()));

        // Nothing left once the last window has left every reference.
        h.processWatermark(new Watermark(T0 + (WINDOWS + N + 1) * HOUR));
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }

    /**
     * Counts exact; σ exact (W1/σ within 1e-12 while every sketch is exact); KS and W1 within the
     * reference sketch's rank error ε_R once it holds more than k values (the window's ≤ 90 values
     * keep its own sketch exact), as in {@code DriftStatisticsTest}.
     */
    static void checkNumeric(DriftResult row, double[] window, double[] reference, int k) {
        assertThat(row.getValues()).isEqualTo(window.length);
        assertThat(row.getReferenceValues()).isEqualTo(reference.length);
        if (window.length == 0 || reference.length == 0) {
            assertThat(row.getKolmogorovSmirnov()).isNull();
            assertThat(row.getWasserstein()).isNull();
            return;
        }
        double[] ws = Exact.sorted(window);
        double[] rs = Exact.sorted(reference);
        double er =
                rs.length <= k
                        ? 0
                        : KllDoublesSketch.newHeapInstance(k).getNormalizedRankError(false);
        double sigma = Exact.std(reference);
        double range = Math.max(ws[ws.length - 1], rs[rs.length - 1]) - Math.min(ws[0], rs[0]);
        assertThat(row.getKolmogorovSmirnov()).isCloseTo(Exact.ks(ws, rs), within(er + 1e-12));
        assertThat(row.getWasserstein())
                .isCloseTo(Exact.wasserstein(ws, rs) / sigma, within(er * range / sigma + 1e-12));
    }

    /** Categories exact: PSI and JS over the union of categories equal the exact ones. */
    static void checkCategorical(
            DriftResult row, Map<String, Long> window, Map<String, Long> reference) {
        long n = window.values().stream().mapToLong(Long::longValue).sum();
        long m = reference.values().stream().mapToLong(Long::longValue).sum();
        assertThat(row.getValues()).isEqualTo(n);
        assertThat(row.getReferenceValues()).isEqualTo(m);
        if (m == 0) {
            assertThat(row.getPsi()).isNull();
            return;
        }
        TreeSet<String> categories = new TreeSet<>(window.keySet());
        categories.addAll(reference.keySet());
        double[] a = new double[categories.size()];
        double[] c = new double[categories.size()];
        double[] p = new double[categories.size()];
        double[] q = new double[categories.size()];
        int i = 0;
        for (String category : categories) {
            a[i] = window.getOrDefault(category, 0L);
            c[i] = reference.getOrDefault(category, 0L);
            p[i] = a[i] / n;
            q[i] = c[i] / m;
            i++;
        }
        assertThat(row.getPsi()).isCloseTo(Exact.psi(a, c), within(1e-12));
        assertThat(row.getJensenShannon()).isCloseTo(Exact.js(p, q), within(1e-12));
    }
}
