package dev.flotilla.benchmarks.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suite's arithmetic and its report file; nothing here is timed. */
class SuiteReportTest {

    @Test
    void histogramPercentilesAreWithinTheBucketPrecision() {
        Histogram histogram = ClosedLoop.latencyHistogram();
        for (long micros = 1; micros <= 10_000; micros++) {
            histogram.recordValue(micros * 1_000);
        }
        assertEquals(10_000, histogram.getTotalCount());
        assertEquals(5_000_000, histogram.getValueAtPercentile(50), 5_000_000 * 0.02);
        assertEquals(9_900_000, histogram.getValueAtPercentile(99), 9_900_000 * 0.02);
        assertEquals(0, ClosedLoop.latencyHistogram().getValueAtPercentile(99));
    }

    @Test
    void histogramKeepsSmallValuesExact() {
        Histogram histogram = ClosedLoop.latencyHistogram();
        histogram.recordValue(7);
        histogram.recordValue(100);
        assertEquals(7, histogram.getValueAtPercentile(50));
        assertEquals(100, histogram.getValueAtPercentile(100));
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2.0, Suite.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, Suite.median(List.of(4.0, 1.0, 2.0, 3.0)));
    }

    @Test
    void rowsJudgeRatiosAndAbsoluteTargetsInTheirDirection() {
        Suite.Row throughput = new Suite.Row("x.t", "t", "req/s", Suite.Better.HIGHER, 0.90, false);
        assertTrue(throughput.meets(1, 0.90));
        assertTrue(!throughput.meets(1, 0.89));
        Suite.Row p50 = new Suite.Row("x.p", "p", "ms", Suite.Better.LOWER, 22, true);
        assertTrue(p50.meets(21.9, 5.0));
        assertTrue(!p50.meets(22.1, 0.5));
    }

    @Test
    void writingReplacesOnlyTheGeneratedPart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("performance.md");
        Files.writeString(file, "# Performance\n\nintro\n\n" + Suite.BEGIN + "\nold table\n" + Suite.END
                + "\n\n## Notes\n\nkept\n");
        Suite.writeInto(file, Suite.BEGIN + "\nnew table\n" + Suite.END + "\n");
        assertEquals("# Performance\n\nintro\n\n" + Suite.BEGIN + "\nnew table\n" + Suite.END
                             + "\n\n## Notes\n\nkept\n", Files.readString(file));
    }

    @Test
    void writingAppendsTheGeneratedPartWhenTheFileHasNone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("performance.md");
        Files.writeString(file, "# Performance\n\nintro\n");
        Suite.writeInto(file, Suite.BEGIN + "\ntable\n" + Suite.END + "\n");
        assertEquals("# Performance\n\nintro\n\n" + Suite.BEGIN + "\ntable\n" + Suite.END + "\n",
                     Files.readString(file));
    }
}
