package io.hindsight.it;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/** Waits for a condition that only polling can observe (an HTTP endpoint, a scraped value). */
final class Await {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private Await() {}

    /**
     * Polls {@code condition} every 250 ms until it holds; fails with {@code what} and the last
     * exception the condition threw once {@code timeout} has passed.
     */
    static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
                last = null;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                TimeoutException timedOut =
                        new TimeoutException("Timed out after " + timeout + " waiting for " + what);
                if (last != null) {
                    timedOut.initCause(last);
                }
                throw timedOut;
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException("Interrupted while waiting for " + what);
            }
        }
    }
}
