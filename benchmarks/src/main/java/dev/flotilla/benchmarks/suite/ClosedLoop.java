package dev.flotilla.benchmarks.suite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.Histogram;

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
     * @param cpuNanos   CPU time the run's meter counted over the windows (0 without a meter)
     */
    record Load(long calls, long errors, double seconds, long p50Nanos, long p99Nanos, long cpuNanos) {
        double throughput() {
            return calls / seconds;
        }

        /** The meter's CPU time per completed call, in microseconds. */
        double cpuMicrosPerCall() {
            return calls == 0 ? 0 : cpuNanos / 1e3 / calls;
        }
    }

    /** Latencies up to this fit a new histogram as made; a longer one still counts (the histogram grows). */
    private static final long EXPECTED_MAX_NANOS = Duration.ofSeconds(10).toNanos();

    private ClosedLoop() {
    }

    /**
     * A histogram of latencies in nanoseconds, precise to 1 % (two significant digits) and sized for latencies up to
     * 10 s, so that recording allocates nothing on the measured path (a longer latency resizes it). Not thread-safe:
     * each caller records into its own and the results are merged.
     */
    static Histogram latencyHistogram() {
        Histogram histogram = new Histogram(EXPECTED_MAX_NANOS, 2);
        histogram.setAutoResize(true);
        return histogram;
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

    /**
     * Runs two operations for {@code duration} each, interleaved in slices of {@code slice}: first, second, second,
     * first, first, second, second, first... (ABBA: each side goes first in every other pair), {@code callers}
     * concurrent callers calling back to back in every slice. Each side's figures merge its slices. Both sides so see
     * the same machine: on a shared machine the speed of the cores drifts by tens of per cent within seconds, and a
     * side measured in one block of seconds after the other would carry that drift into the ratio.
     *
     * @param cpu a CPU-time meter in nanoseconds (say, the server process's), read before and after each slice and
     *            counted to the slice's side; or {@code null}
     * @return the two sides' loads, {@code first}'s then {@code second}'s
     * @throws IllegalStateException when more than 1 % of either side's calls failed
     */
    static Load[] interleaved(int callers, Duration duration, Duration slice, Call first, Call second,
                              java.util.function.LongSupplier cpu) throws InterruptedException {
        Tally[] tallies = {new Tally(), new Tally()};
        Call[] calls = {first, second};
        long[] cpuNanos = alternate(duration, slice, cpu,
                                    (side, sliceNanos) -> runInto(tallies[side], callers, sliceNanos, 0, calls[side]));
        tallies[0].cpuNanos = cpuNanos[0];
        tallies[1].cpuNanos = cpuNanos[1];
        return new Load[] {tallies[0].load(), tallies[1].load()};
    }

    /** One slice of one side (0 or 1) of an {@link #alternate} schedule. */
    @FunctionalInterface
    interface Slice<E extends Exception> {
        void run(int side, long sliceNanos) throws E;
    }

    /**
     * The schedule of every interleaved measurement: {@code duration} per side cut into slices of about
     * {@code slice}, run in ABBA order (side 0, 1, 1, 0, 0, 1...), and the {@code cpu} meter read around each slice.
     *
     * @param cpu a CPU-time meter in nanoseconds, or {@code null}
     * @return the meter's time over the slices of side 0, then of side 1 (zeros without a meter)
     * @throws E what a slice throws
     */
    static <E extends Exception> long[] alternate(Duration duration, Duration slice,
                                                  java.util.function.LongSupplier cpu, Slice<E> run) throws E {
        int slices = (int) Math.max(1, (duration.toNanos() + slice.toNanos() / 2) / slice.toNanos());
        long sliceNanos = duration.toNanos() / slices;
        long[] cpuNanos = new long[2];
        for (int i = 0; i < slices; i++) {
            int leader = i % 2;
            for (int side : new int[] {leader, 1 - leader}) {
                long before = cpu == null ? 0 : cpu.getAsLong();
                run.run(side, sliceNanos);
                cpuNanos[side] += cpu == null ? 0 : cpu.getAsLong() - before;
            }
        }
        return cpuNanos;
    }

    private static Load run(int callers, Duration duration, long cycleNanos, Call call) throws InterruptedException {
        Tally tally = new Tally();
        runInto(tally, callers, duration.toNanos(), cycleNanos, call);
        return tally.load();
    }

    /** What the windows of one side have recorded so far. */
    private static final class Tally {
        final Histogram histogram = latencyHistogram();
        long errors;
        Throwable firstError;
        long nanos;
        long cpuNanos;

        Load load() {
            long calls = histogram.getTotalCount();
            if (errors > Math.max(10, calls / 100)) {
                throw new IllegalStateException(errors + " of " + (calls + errors) + " calls failed", firstError);
            }
            return new Load(calls, errors, nanos / 1e9, histogram.getValueAtPercentile(50),
                            histogram.getValueAtPercentile(99), cpuNanos);
        }
    }

    private static void runInto(Tally tally, int callers, long durationNanos, long cycleNanos, Call call)
            throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong errors = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        List<Histogram> histograms = new ArrayList<>(callers);
        List<Thread> threads = new ArrayList<>(callers);
        long[] window = new long[2];
        for (int i = 0; i < callers; i++) {
            Histogram histogram = latencyHistogram();
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
                            // a paced call can start a little before it was due (parkNanos may return early)
                            histogram.recordValue(Math.max(0, done - from));
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
        window[1] = window[0] + durationNanos;
        go.countDown(); // publishes window[] to the callers
        for (Thread t : threads) {
            t.join();
        }
        histograms.forEach(tally.histogram::add);
        tally.errors += errors.get();
        if (tally.firstError == null) {
            tally.firstError = firstError.get();
        }
        tally.nanos += durationNanos;
    }
}
