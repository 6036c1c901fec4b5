package dev.flotilla.benchmarks.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * How {@link ClosedLoop#interleaved} shares a window between two sides: the order of the slices and what each side
 * is credited with. Nothing here asserts a time or a rate.
 */
class InterleavedLoadTest {

    @Test
    void slicesAlternateInAbbaOrderAndEachSideGetsItsShare() throws InterruptedException {
        List<String> events = new ArrayList<>();
        AtomicLong meter = new AtomicLong();
        ClosedLoop.Load[] loads = ClosedLoop.interleaved(1, Duration.ofMillis(400), Duration.ofMillis(50),
                () -> record(events, "A"), () -> record(events, "B"), () -> {
                    synchronized (events) {
                        events.add("|");
                    }
                    return meter.addAndGet(1_000);
                });

        assertEquals(List.of("A", "B", "B", "A", "A", "B", "B", "A", "A", "B", "B", "A", "A", "B", "B", "A"),
                     slices(events), "8 slices of each side, ABBA");
        for (ClosedLoop.Load load : loads) {
            assertEquals(0.4, load.seconds(), 1e-9, "each side is credited with its slices' time only");
            assertEquals(8 * 1_000, load.cpuNanos(), "each side is credited with the meter's delta over its slices");
            assertTrue(load.calls() > 0);
            assertEquals(0, load.errors());
        }
        assertEquals(loads[0].cpuNanos() / 1e3 / loads[0].calls(), loads[0].cpuMicrosPerCall(), 1e-9);
    }

    @Test
    void withoutAMeterNoCpuIsCounted() throws InterruptedException {
        ClosedLoop.Load[] loads = ClosedLoop.interleaved(2, Duration.ofMillis(20), Duration.ofMillis(10),
                                                         () -> { }, () -> { }, null);
        assertEquals(0, loads[0].cpuNanos());
        assertEquals(0, loads[1].cpuMicrosPerCall());
    }

    /** Notes a call of {@code side}, once per run of calls of the same side. */
    private static void record(List<String> events, String side) {
        synchronized (events) {
            if (!events.get(events.size() - 1).equals(side)) {
                events.add(side);
            }
        }
        Thread.onSpinWait();
    }

    /** The side of each slice: the meter is read before and after every slice, so slices sit between its marks. */
    private static List<String> slices(List<String> events) {
        List<String> sides = new ArrayList<>();
        String current = null;
        int marks = 0;
        synchronized (events) {
            for (String e : events) {
                if (e.equals("|")) {
                    marks++;
                    if (marks % 2 == 0 && current != null) { // the mark after a slice
                        sides.add(current);
                        current = null;
                    }
                } else if (current == null) {
                    current = e;
                }
            }
        }
        return sides;
    }
}
