package dev.flotilla.messaging;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, polling; never sleeps a fixed time to let something happen. Public for the
 * tests of the module's sub-packages.
 */
public final class Await {

    private Await() {
    }

    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> whatWasExpected) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Not within " + timeout + ": " + whatWasExpected.get());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for: " + whatWasExpected.get(), e);
            }
        }
    }

    public static void until(Duration timeout, BooleanSupplier condition, String whatWasExpected) {
        until(timeout, condition, () -> whatWasExpected);
    }
}
