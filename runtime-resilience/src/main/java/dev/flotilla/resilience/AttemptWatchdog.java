package dev.flotilla.resilience;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires the timeouts of one registry's synchronous attempts: an attempt registers a {@link Watch} with its deadline
 * and removes it when it returns; one thread looks at the watched attempts every millisecond and runs the expiry of
 * those past their deadline. Compared with a timer per attempt (what Failsafe's timeout schedules, and cancels, on its
 * delay-scheduler thread), a call costs a set insertion and a removal and wakes no other thread.
 *
 * <p>The thread is a platform daemon thread of the registry's own, started with the first watch and ended after a
 * second without any, so an idle registry holds no thread and nothing needs closing. An expiry runs at most about a
 * millisecond late. Thread-safe.
 */
final class AttemptWatchdog {
    private static final Logger LOG = LoggerFactory.getLogger(AttemptWatchdog.class);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final Set<Watch> watched = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean();

    /**
     * @param name names the thread: {@code flotilla-timeouts-<name>}
     */
    AttemptWatchdog(String name) {
        this.name = name;
    }

    /** One watched attempt. */
    final class Watch {
        private final long deadline;
        private final Runnable expiry;

        private Watch(long deadline, Runnable expiry) {
            this.deadline = deadline;
            this.expiry = expiry;
        }

        /** Stops watching: the attempt returned. Its expiry may still run if it was already due (callers race it). */
        void cancel() {
            watched.remove(this);
        }
    }

    /**
     * Watches an attempt: {@code expiry} runs on the watchdog's thread once {@code timeoutNanos} have passed, unless
     * the watch is cancelled first.
     *
     * @param timeoutNanos how long the attempt may take
     * @param expiry       what to do when it took longer; must not block
     * @return the watch, to cancel when the attempt returns
     */
    Watch watch(long timeoutNanos, Runnable expiry) {
        Watch watch = new Watch(System.nanoTime() + timeoutNanos, expiry);
        watched.add(watch);
        if (!running.get() && running.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("flotilla-timeouts-" + name).start(this::run);
        }
        return watch;
    }

    /** How many attempts are watched now. */
    int watching() {
        return watched.size();
    }

    /** Whether the watchdog's thread runs. */
    boolean isRunning() {
        return running.get();
    }

    private void run() {
        boolean ended = false;
        try {
            ended = watchUntilIdle();
        } finally {
            if (!ended) {
                running.set(false); // died: the next watch starts a thread again
            }
        }
    }

    /** Returns true when it ended because nothing was watched for a while. */
    private boolean watchUntilIdle() {
        long idleSince = System.nanoTime();
        while (true) {
            LockSupport.parkNanos(TICK_NANOS);
            long now = System.nanoTime();
            if (watched.isEmpty()) {
                if (now - idleSince < IDLE_NANOS) {
                    continue;
                }
                running.set(false);
                // A watch added after the emptiness check saw the thread still running and started none: go on.
                if (watched.isEmpty() || !running.compareAndSet(false, true)) {
                    return true;
                }
                continue;
            }
            idleSince = now;
            for (Watch watch : watched) {
                if (now - watch.deadline >= 0 && watched.remove(watch)) {
                    try {
                        watch.expiry.run();
                    } catch (RuntimeException e) {
                        LOG.error("Expiring a timed-out attempt failed", e);
                    }
                }
            }
        }
    }
}
