package dev.flotilla.benchmarks.suite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load generator: a fixed number of callers, each on its own virtual thread, call an operation again
 * and again for a fixed time, each call starting when the caller's previous one has returned. Every call's latency
 * is recorded; throughput counts the calls that completed inside the window. {@link #paced} is the same with a pause:
 * each caller calls once per cycle, for a latency figure at a load the machine can carry.
 */
final class ClosedLoop {

    /** One call of the measured operation. */
    @FunctionalInterface
    interface Call {
        void call() throws Exception;
    }

    /**
     * What one run measured.
     *
     * @param calls      calls completed inside the window
     * @param errors     calls that threw
     * @param seconds    the window's length
     * @param p50Nanos   median latency
     * @param p99Nanos   99th percentile latency
     */
    record Load(long calls, long errors, double seconds, long p50Nanos, long p99Nanos) {
        double throughput() {
            return calls / seconds;
        }
    }

    private ClosedLoop() {
    }

    /**
     * Runs {@code call} from {@code callers} concurrent callers for {@code duration}.
     *
     * @throws IllegalStateException when more than 1 % of the calls failed (the figure would mean nothing); the first
     *                               failure is the cause
     */
    static Load run(int callers, Duration duration, Call call) throws InterruptedException {
        return run(callers, duration, 0, call);
    }

    /**
     * Runs {@code call} from {@code callers} callers for {@code duration}, each caller calling once per {@code cycle}
     * (the first call at a random point of the first cycle, so the calls are spread evenly). A call's latency counts
     * from the time it was due, not from when it started, so a caller held up by a slow call does not hide the wait
     * (no coordinated omission).
     *
     * @throws IllegalStateException when more than 1 % of the calls failed
     */
    static Load paced(int callers, Duration cycle, Duration duration, Call call) throws InterruptedException {
        return run(callers, duration, cycle.toNanos(), call);
    }

    private static Load run(int callers, Duration duration, long cycleNanos, Call call) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong errors = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        List<LatencyHistogram> histograms = new ArrayList<>(callers);
        List<Thread> threads = new ArrayList<>(callers);
        long[] window = new long[2];
        for (int i = 0; i < callers; i++) {
            LatencyHistogram histogram = new LatencyHistogram();
            histograms.add(histogram);
            threads.add(Thread.ofVirtual().name("caller-" + i).start(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long end = window[1];
                long due = window[0] + (cycleNanos > 0
                        ? java.util.concurrent.ThreadLocalRandom.current().nextLong(cycleNanos) : 0);
                while (true) {
                    if (cycleNanos > 0) {
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait); // the pacing, not a wait on a condition
                        }
                    }
                    long start = System.nanoTime();
                    if (start - end >= 0) {
                        return;
                    }
                    long from = cycleNanos > 0 ? due : start;
                    due += cycleNanos;
                    try {
                        call.call();
                        long done = System.nanoTime();
                        if (done - end < 0) {
                            histogram.record(done - from);
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, e);
                    }
                }
            }));
        }
        ready.await();
        window[0] = System.nanoTime();
        window[1] = window[0] + duration.toNanos();
        go.countDown(); // publishes window[] to the callers
        for (Thread t : threads) {
            t.join();
        }
        LatencyHistogram all = new LatencyHistogram();
        histograms.forEach(all::add);
        long failed = errors.get();
        if (failed > Math.max(10, all.count() / 100)) {
            throw new IllegalStateException(failed + " of " + (all.count() + failed) + " calls failed",
                                            firstError.get());
        }
        return new Load(all.count(), failed, duration.toNanos() / 1e9, all.percentile(50), all.percentile(99));
    }
}
