package dev.flotilla.benchmarks.suite;

import java.time.Duration;

import dev.flotilla.benchmarks.messaging.MessagingBenchmark;

/**
 * Scenarios 2 and 4: the batches of {@link MessagingBenchmark} (publish a batch of ~128-byte typed events, wait
 * until the consumer has seen all of it), Flotilla against raw jnats in one JVM against one private nats-server,
 * interleaved in slices of {@link #SLICE}: each side publishes and consumes batch after batch until its slice is
 * over, then the other side takes over. A side's throughput is the messages of its slices over their time.
 * <ul>
 *   <li>{@code core-nats}: core publish + queue-group consume ({@code coreRawJnats} / {@code coreFlotilla}).</li>
 *   <li>{@code jetstream}: synchronous publish with ack and a message id + durable pull consumer with explicit acks
 *   ({@code jetStreamRawJnats} / {@code jetStreamFlotilla}).</li>
 * </ul>
 * Before the first round both sides run for {@link #EXTRA_WARM_UP} more, interleaved: a JVM that has run the
 * messaging path for less than about 6 s still compiles it (in a profile, C2 took 12.5 % of the CPU 4 to 9 s after
 * the start, and about 1 % from 12 s on).
 */
final class MessagingScenario extends HarnessScenario {
    static final Duration EXTRA_WARM_UP = Duration.ofSeconds(3);

    /** One batch of one side. */
    @FunctionalInterface
    private interface Batch {
        void run() throws Exception;
    }

    private final boolean jetStream;
    private final boolean aa;
    private final MessagingBenchmark bench = new MessagingBenchmark();

    /**
     * @param jetStream scenario 4 rather than 2
     * @param window    each side's measured time per round
     * @param aa        an A/A check of the method: the "Flotilla" side runs the raw batches too, so every ratio
     *                  should be 1
     */
    MessagingScenario(boolean jetStream, Duration window, boolean aa) {
        super(window);
        this.jetStream = jetStream;
        this.aa = aa;
    }

    @Override
    void setUp() throws Exception {
        bench.setUp();
        interleaved(EXTRA_WARM_UP, batch(Side.RAW), batch(Side.FLOTILLA));
    }

    private Batch batch(Side side) {
        if (side == Side.RAW || aa) {
            return jetStream ? bench::jetStreamRawJnats : bench::coreRawJnats;
        }
        return jetStream ? bench::jetStreamFlotilla : bench::coreFlotilla;
    }

    @Override
    void measureBoth(Side first, Side second) throws Exception {
        double[] rates = interleaved(window, batch(first), batch(second));
        String row = jetStream ? "4" : "2";
        report(row + ".throughput", first, rates[0]);
        report(row + ".throughput", second, rates[1]);
        report(row + ".cpu", first, rates[2]);
        report(row + ".cpu", second, rates[3]);
    }

    /**
     * Each side for {@code duration} in all, in slices ({@link ClosedLoop#alternate}); a slice ends with the first
     * batch that finishes after its time is up, and counts the time it really took.
     *
     * @return messages per second of {@code first}, then of {@code second}; then the CPU time this JVM used per
     *         message (µs) in {@code first}'s slices and in {@code second}'s
     */
    private double[] interleaved(Duration duration, Batch first, Batch second) throws Exception {
        Batch[] batches = {first, second};
        long[] batchesRun = new long[2];
        long[] nanos = new long[2];
        long[] cpu = ClosedLoop.alternate(duration, SLICE, HarnessScenario::ownCpuNanos, (side, sliceNanos) -> {
            long start = System.nanoTime();
            long now;
            do {
                batches[side].run();
                batchesRun[side]++;
                now = System.nanoTime();
            } while (now - start < sliceNanos);
            nanos[side] += now - start;
        });
        int perBatch = jetStream ? MessagingBenchmark.JS_BATCH : MessagingBenchmark.CORE_BATCH;
        return new double[] {batchesRun[0] * perBatch / (nanos[0] / 1e9), batchesRun[1] * perBatch / (nanos[1] / 1e9),
                             cpu[0] / 1e3 / (batchesRun[0] * perBatch), cpu[1] / 1e3 / (batchesRun[1] * perBatch)};
    }

    @Override
    void finish() {
        String row = jetStream ? "4.throughput" : "2.throughput";
        if (aa) {
            note(row, "A/A check: both sides raw jnats");
        }
        note(row, "one JVM, one private nats-server; the two sides interleaved in slices of " + SLICE.toMillis()
                + " ms; batches of " + (jetStream ? MessagingBenchmark.JS_BATCH : MessagingBenchmark.CORE_BATCH)
                + " messages");
    }

    @Override
    public void close() throws Exception {
        bench.tearDown();
    }
}
