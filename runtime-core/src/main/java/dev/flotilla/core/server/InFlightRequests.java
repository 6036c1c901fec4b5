package dev.flotilla.core.server;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts requests in flight and, once draining, refuses new ones, so that a stop can wait for the last request
 * to complete instead of trusting the web server's grace period. Thread-safe.
 *
 * <p>A request costs two atomic updates of one word (the count, and a draining bit): no lock, so concurrent requests
 * never queue behind each other here. The lock and its condition only serve a drain waiting for the last request.
 */
final class InFlightRequests {
    private static final long DRAINING = 1L << 62;

    /** The requests in flight, plus {@link #DRAINING} while draining. */
    private final AtomicLong state = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();

    /** Admits a request; {@code false} once draining. Every admitted request must call {@link #exit()}. */
    boolean enter() {
        long current = state.get();
        while (true) {
            if ((current & DRAINING) != 0) {
                return false;
            }
            long witness = state.compareAndExchange(current, current + 1);
            if (witness == current) {
                return true;
            }
            current = witness;
        }
    }

    void exit() {
        long now = state.decrementAndGet();
        if (now == DRAINING) {
            // The last request of a drain: wake the drain (it checks the count under the lock before waiting).
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Refuses new requests from now on and waits until those in flight have finished.
     *
     * @param timeout how long to wait at most
     * @return how many requests were still in flight when the wait ended; 0 if all finished
     * @throws InterruptedException if interrupted while waiting
     */
    int drain(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long now = state.get();
            while ((now & DRAINING) == 0) {
                long witness = state.compareAndExchange(now, now | DRAINING);
                if (witness == now) {
                    break;
                }
                now = witness;
            }
            long nanos = timeout.toNanos();
            while (inFlight() > 0 && nanos > 0) {
                nanos = idle.awaitNanos(nanos);
            }
            return inFlight();
        } finally {
            lock.unlock();
        }
    }

    private int inFlight() {
        return (int) (state.get() & ~DRAINING);
    }

    /** Accepts requests again, for a service that starts anew. */
    void reset() {
        long now = state.get();
        while ((now & DRAINING) != 0) {
            long witness = state.compareAndExchange(now, now & ~DRAINING);
            if (witness == now) {
                return;
            }
            now = witness;
        }
    }
}
