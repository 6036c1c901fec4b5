package dev.flotilla.benchmarks.suite;

/**
 * A log-linear histogram of latencies in nanoseconds, precise to about 1.5 % (64 sub-buckets per power of two),
 * in a fixed array: recording allocates nothing. Not thread-safe: each worker records into its own and the results
 * are merged.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private final long[] counts = new long[SUB * 66];
    private long total;

    void record(long nanos) {
        long v = Math.max(0, nanos);
        int msb = 63 - Long.numberOfLeadingZeros(v | 1);
        int bucket = Math.max(0, msb - SUB_BITS);
        int sub = (int) (v >>> bucket);
        counts[bucket * SUB + sub]++;
        total++;
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    long count() {
        return total;
    }

    /**
     * The value at a percentile, in nanoseconds (the middle of its bucket).
     *
     * @param percentile 0 to 100
     * @return the value, or 0 when nothing was recorded
     */
    long percentile(double percentile) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(total * percentile / 100.0));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return valueOf(i);
            }
        }
        return valueOf(counts.length - 1);
    }

    private static long valueOf(int index) {
        if (index < 2 * SUB) {
            return index;
        }
        int bucket = index / SUB - 1;
        long sub = index - (long) bucket * SUB;
        return (sub << bucket) + (1L << bucket) / 2;
    }
}
