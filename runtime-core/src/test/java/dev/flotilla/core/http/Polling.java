package dev.flotilla.core.http;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits for a condition with a deadline. */
final class Polling {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Polling() {
    }

    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out after " + TIMEOUT + " waiting until " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
