package dev.flotilla.core;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts requests in flight and, once draining, refuses new ones, so that a stop can wait for the last request
 * to complete instead of trusting the web server's grace period. Thread-safe.
 */
final class InFlightRequests {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int inFlight;
    private boolean draining;

    /** Admits a request; {@code false} once draining. Every admitted request must call {@link #exit()}. */
    boolean enter() {
        lock.lock();
        try {
            if (draining) {
                return false;
            }
            inFlight++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    void exit() {
        lock.lock();
        try {
            inFlight--;
            if (inFlight == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new requests from now on and waits up to {@code timeout} for those in flight; returns how many remain. */
    int drain(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            draining = true;
            long nanos = timeout.toNanos();
            while (inFlight > 0 && nanos > 0) {
                nanos = idle.awaitNanos(nanos);
            }
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** Admits requests again (a restarted service). */
    void reset() {
        lock.lock();
        try {
            draining = false;
        } finally {
            lock.unlock();
        }
    }
}
