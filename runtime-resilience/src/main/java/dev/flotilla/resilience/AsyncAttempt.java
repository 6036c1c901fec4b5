package dev.flotilla.resilience;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.failsafe.function.CheckedSupplier;
import org.slf4j.MDC;

/**
 * One attempt of an asynchronous call, running on its own virtual thread. Cancelling it completes it at once and, if
 * asked to, interrupts the thread.
 *
 * <p>Failsafe's asynchronous timeout waits for the attempt's future before it reports the timeout; with a plain
 * executor that future only completes when the code returns, so code that ignores interruption would hold the caller
 * (Failsafe issue 263). Failsafe cancels a stage's future on timeout, and this future completes on cancel, so the
 * caller gets the timeout when it expires while the code may run on in the background.
 *
 * @param <T> the result type
 */
final class AsyncAttempt<T> extends CompletableFuture<T> {
    private volatile Thread thread;

    private AsyncAttempt() {
    }

    /**
     * Starts an attempt; {@code mdc} (the caller's, taken on the caller's thread) is the attempt thread's MDC, so
     * its log lines carry the caller's service, correlation and trace ids.
     */
    static <T> AsyncAttempt<T> start(CheckedSupplier<T> supplier, Map<String, String> mdc) {
        AsyncAttempt<T> attempt = new AsyncAttempt<>();
        attempt.thread = Thread.ofVirtual().name("flotilla-resilience-attempt").start(() -> {
            if (mdc != null) {
                MDC.setContextMap(mdc);
            }
            try {
                attempt.complete(supplier.get());
            } catch (Throwable e) {
                attempt.completeExceptionally(e);
            } finally {
                attempt.thread = null;
                MDC.clear();
            }
        });
        return attempt;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        Thread running = thread;
        if (mayInterruptIfRunning && running != null) {
            running.interrupt();
        }
        return cancelled;
    }
}
