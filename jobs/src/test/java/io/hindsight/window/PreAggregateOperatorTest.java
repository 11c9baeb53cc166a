package io.hindsight.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class PreAggregateOperatorTest {

    static final long WINDOW = 10;

    /** Counts and sums the values of each key in 10 ms tumbling windows. */
    static class CountAndSum implements PartialFolder<String, long[]> {
        @Override
        public void fold(String record, long timestamp, Accumulators<long[]> accumulators) {
            String[] parts = record.split("=");
            long start = Math.floorDiv(timestamp, WINDOW) * WINDOW;
            long[] acc = accumulators.get(parts[0], start, start + WINDOW);
            acc[0]++;
            acc[1] += Long.parseLong(parts[1]);
        }

        @Override
        public long[] create() {
            return new long[2];
        }

        @Override
        public byte[] serialize(long[] accumulator) {
            return ByteBuffer.allocate(16).putLong(accumulator[0]).putLong(accumulator[1]).array();
        }
    }

    static long[] counts(Partial partial) {
        ByteBuffer buffer = ByteBuffer.wrap(partial.accumulator);
        return new long[] {buffer.getLong(), buffer.getLong()};
    }

    static OneInputStreamOperatorTestHarness<String, Partial> harness(int maxEntries)
            throws Exception {
        OneInputStreamOperatorTestHarness<String, Partial> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new PreAggregateOperator<>(new CountAndSum(), maxEntries));
        harness.open();
        return harness;
    }

    static List<Object> output(OneInputStreamOperatorTestHarness<String, Partial> harness) {
        List<Object> out = new ArrayList<>(harness.getOutput());
        harness.getOutput().clear();
        return out;
    }

    static List<Partial> partials(List<Object> output) {
        List<Partial> partials = new ArrayList<>();
        for (Object o : output) {
            if (o instanceof StreamRecord<?> r) {
                partials.add((Partial) r.getValue());
            }
        }
        return partials;
    }

    @Test
    void emitsAWindowsPartialsBeforeTheWatermarkThatEndsIt() throws Exception {
        try (var harness = harness(1000)) {
            harness.processElement("a=1", 1);
            harness.processElement("a=2", 9);
            harness.processElement("b=5", 3);
            harness.processElement("a=7", 12);
            assertThat(harness.getOutput()).isEmpty();

            harness.processWatermark(new Watermark(9));
            // The window [0, 10) ends at 10: a watermark of 9 does not close it.
            assertThat(output(harness)).containsExactly(new Watermark(9));

            harness.processWatermark(new Watermark(10));
            List<Object> out = output(harness);
            assertThat(out).hasSize(3);
            assertThat(out.get(2)).isEqualTo(new Watermark(10));
            assertThat(out.subList(0, 2))
                    .containsExactly(
                            new StreamRecord<>(
                                    new Partial(
                                            "a",
                                            0,
                                            10,
                                            new CountAndSum().serialize(new long[] {2, 3})),
                                    9),
                            new StreamRecord<>(
                                    new Partial(
                                            "b",
                                            0,
                                            10,
                                            new CountAndSum().serialize(new long[] {1, 5})),
                                    9));

            harness.endInput();
            List<Partial> rest = partials(output(harness));
            assertThat(rest).hasSize(1);
            assertThat(rest.get(0).key).isEqualTo("a");
            assertThat(rest.get(0).windowStart).isEqualTo(10);
            assertThat(counts(rest.get(0))).containsExactly(1, 7);
        }
    }

    @Test
    void holdsNothingAcrossACheckpointBarrier() throws Exception {
        try (var harness = harness(1000)) {
            harness.processElement("a=1", 1);
            harness.processElement("a=1", 25);
            harness.prepareSnapshotPreBarrier(1);
            assertThat(partials(output(harness)))
                    .extracting(p -> p.windowStart)
                    .containsExactly(0L, 20L);
            // The operator keeps no state: a snapshot taken now restores to an empty operator.
            var snapshot = harness.snapshot(1, 100);
            try (var restored =
                    new OneInputStreamOperatorTestHarness<String, Partial>(
                            new PreAggregateOperator<>(new CountAndSum(), 1000))) {
                restored.initializeState(snapshot);
                restored.open();
                restored.endInput();
                assertThat(restored.getOutput()).isEmpty();
            }
            // After the barrier the same window starts a fresh accumulator.
            harness.processElement("a=4", 2);
            harness.processWatermark(new Watermark(Long.MAX_VALUE));
            List<Partial> after = partials(output(harness));
            assertThat(after).hasSize(1);
            assertThat(counts(after.get(0))).containsExactly(1, 4);
        }
    }

    @Test
    void aRecordBehindTheWatermarkMakesALaterPartialForItsWindow() throws Exception {
        try (var harness = harness(1000)) {
            harness.processElement("a=1", 5);
            harness.processWatermark(new Watermark(15));
            assertThat(partials(output(harness))).hasSize(1);
            harness.processElement("a=2", 4);
            // Its window ended at 10 <= 15: it is emitted at the next watermark, for [0, 10).
            harness.processWatermark(new Watermark(16));
            List<Partial> late = partials(output(harness));
            assertThat(late).hasSize(1);
            assertThat(late.get(0).windowStart).isZero();
            assertThat(counts(late.get(0))).containsExactly(1, 2);
        }
    }

    @Test
    void lateAccumulatorsWaitForTheWatermarkToReachTheGrid() throws Exception {
        try (var harness =
                new OneInputStreamOperatorTestHarness<String, Partial>(
                        new PreAggregateOperator<>(new CountAndSum(), 1000, 100))) {
            harness.open();
            harness.processElement("a=1", 5);
            harness.processWatermark(new Watermark(15));
            assertThat(partials(output(harness))).hasSize(1);
            // Late for [0, 10): held while the watermark stays below the next multiple of 100.
            harness.processElement("a=2", 4);
            harness.processElement("a=3", 6);
            // An on-time window is still emitted when it ends.
            harness.processElement("b=1", 25);
            harness.processWatermark(new Watermark(30));
            assertThat(partials(output(harness)))
                    .extracting(p -> p.key + "@" + p.windowStart)
                    .containsExactly("b@20");
            harness.processElement("a=4", 3);
            harness.processWatermark(new Watermark(99));
            assertThat(partials(output(harness))).isEmpty();
            // The grid is reached: the late records of [0, 10) leave as one partial, before the
            // watermark.
            harness.processWatermark(new Watermark(100));
            List<Object> out = output(harness);
            assertThat(out.get(out.size() - 1)).isEqualTo(new Watermark(100));
            List<Partial> late = partials(out);
            assertThat(late).hasSize(1);
            assertThat(late.get(0).windowStart).isZero();
            assertThat(counts(late.get(0))).containsExactly(3, 9);
            // A barrier does not wait for the grid.
            harness.processElement("a=5", 1);
            harness.prepareSnapshotPreBarrier(1);
            assertThat(partials(output(harness))).hasSize(1);
        }
    }

    @Test
    void flushesEverythingWhenMoreThanMaxEntriesAreHeld() throws Exception {
        try (var harness = harness(2)) {
            harness.processElement("a=1", 1);
            harness.processElement("b=1", 1);
            assertThat(harness.getOutput()).isEmpty();
            harness.processElement("c=1", 1);
            assertThat(partials(output(harness)))
                    .extracting(p -> p.key)
                    .containsExactly("a", "b", "c");
            harness.processElement("a=1", 1);
            harness.endInput();
            assertThat(partials(output(harness))).extracting(p -> p.key).containsExactly("a");
        }
    }

    @Test
    void partialsAddUpToFoldingEveryRecordAtOnce() throws Exception {
        Random random = new Random(7);
        Map<String, long[]> exact = new HashMap<>();
        Map<String, long[]> merged = new HashMap<>();
        try (var harness = harness(5)) {
            long watermark = Long.MIN_VALUE;
            for (int i = 0; i < 5_000; i++) {
                long time = i / 10 + random.nextInt(30) - 15;
                String key = "k" + random.nextInt(4);
                long value = random.nextInt(100);
                harness.processElement(key + "=" + value, time);
                long[] e =
                        exact.computeIfAbsent(
                                key + "@" + Math.floorDiv(time, WINDOW) * WINDOW, k -> new long[2]);
                e[0]++;
                e[1] += value;
                if (i % 97 == 0) {
                    watermark = Math.max(watermark, i / 10 - 20);
                    harness.processWatermark(new Watermark(watermark));
                }
                if (i % 1_000 == 999) {
                    harness.prepareSnapshotPreBarrier(i);
                }
            }
            harness.endInput();
            for (Partial p : partials(output(harness))) {
                long[] m = merged.computeIfAbsent(p.key + "@" + p.windowStart, k -> new long[2]);
                long[] c = counts(p);
                m[0] += c[0];
                m[1] += c[1];
                assertThat(p.windowEnd).isEqualTo(p.windowStart + WINDOW);
            }
        }
        assertThat(merged.keySet()).isEqualTo(exact.keySet());
        exact.forEach((k, v) -> assertThat(merged.get(k)).as(k).containsExactly(v));
    }

    @Test
    void partialsCrossTheNetworkAsPojos() {
        // Not Kryo: a generic type would fall back to Kryo serialization of every partial.
        assertThat(Partial.TYPE_INFO).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void refusesAnEmptyWindowAndANonPositiveCapacity() throws Exception {
        assertThatThrownBy(() -> new PreAggregateOperator<>(new CountAndSum(), 0))
                .hasMessageContaining("maxEntries must be at least 1");
        assertThatThrownBy(() -> new PreAggregateOperator<>(new CountAndSum(), 10, 0))
                .hasMessageContaining("lateFlushGridMs must be at least 1, got 0");
        PartialFolder<String, long[]> backwards =
                new CountAndSum() {
                    @Override
                    public void fold(String r, long t, Accumulators<long[]> accumulators) {
                        accumulators.get("a", 10, 10);
                    }
                };
        try (var harness =
                new OneInputStreamOperatorTestHarness<String, Partial>(
                        new PreAggregateOperator<>(backwards, 10))) {
            harness.open();
            assertThatThrownBy(() -> harness.processElement("a=1", 1))
                    .hasMessageContaining("window of a ends (10) at or before its start (10)");
        }
        PartialFolder<String, long[]> overlapping =
                new CountAndSum() {
                    @Override
                    public void fold(String r, long t, Accumulators<long[]> accumulators) {
                        accumulators.get("a", t, 10);
                    }
                };
        try (var harness =
                new OneInputStreamOperatorTestHarness<String, Partial>(
                        new PreAggregateOperator<>(overlapping, 10))) {
            harness.open();
            harness.processElement("a=1", 0);
            assertThatThrownBy(() -> harness.processElement("a=1", 5))
                    .hasMessage("windows of a that end at 10 must start together (0 and 5)");
        }
    }
}
