package io.hindsight.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the sources of this JVM have emitted: the harness and the MiniCluster share the JVM, so the
 * harness reads when the first record left a source and when every real record has.
 */
public final class Progress {

    private static final AtomicLong FIRST_RECORD_NANOS = new AtomicLong();
    private static final LongAdder RECORDS = new LongAdder();
    private static final LongAdder EXHAUSTED_READERS = new LongAdder();

    private Progress() {}

    /** Called once per record by the sources. */
    static void record() {
        if (FIRST_RECORD_NANOS.get() == 0) {
            FIRST_RECORD_NANOS.compareAndSet(0, System.nanoTime());
        }
        RECORDS.increment();
    }

    /** Called once by each generated source reader when it has emitted all its real records. */
    static void readerExhausted() {
        EXHAUSTED_READERS.increment();
    }

    public static long firstRecordNanos() {
        return FIRST_RECORD_NANOS.get();
    }

    public static long records() {
        return RECORDS.sum();
    }

    public static long exhaustedReaders() {
        return EXHAUSTED_READERS.sum();
    }
}
