package io.hindsight.window;

import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * One subtask's partial aggregate for one key and one event-time window, as emitted by {@link
 * PreAggregateOperator}; the keyed stage after it merges the partials of a key.
 *
 * <p>A Flink POJO (public no-arg constructor, public fields) so that it crosses the network with
 * Flink's POJO serializer; the accumulator travels as the bytes its {@link PartialFolder} wrote.
 */
public final class Partial {

    /** Flink's type information for the stream of partials. */
    public static final TypeInformation<Partial> TYPE_INFO = TypeInformation.of(Partial.class);

    /** The key the merge stage is keyed by. */
    public String key;

    /** Inclusive start of the window, event time in epoch milliseconds. */
    public long windowStart;

    /** Exclusive end of the window, event time in epoch milliseconds. */
    public long windowEnd;

    /** The accumulator, serialized by {@link PartialFolder#serialize}. */
    public byte[] accumulator;

    public Partial() {}

    public Partial(String key, long windowStart, long windowEnd, byte[] accumulator) {
        this.key = key;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.accumulator = accumulator;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Partial p
                && windowStart == p.windowStart
                && windowEnd == p.windowEnd
                && Objects.equals(key, p.key)
                && Arrays.equals(accumulator, p.accumulator);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, windowStart, windowEnd) * 31 + Arrays.hashCode(accumulator);
    }

    @Override
    public String toString() {
        return String.format(
                "Partial{%s, [%d, %d), %d bytes}",
                key, windowStart, windowEnd, accumulator == null ? 0 : accumulator.length);
    }
}
