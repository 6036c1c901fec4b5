package dev.flotilla.resilience;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.failsafe.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts, logs and forwards the events of one policy set.
 *
 * <p>Log levels: a breaker opening is WARN, half-opening and closing INFO; a retry, a rejection and a timeout DEBUG
 * (they come in floods during an outage, and the breaker's WARN already says so); an exhausted retry budget WARN at
 * most once per {@link #WARN_INTERVAL_NANOS} per set, DEBUG otherwise. Only exception class names are logged, never
 * messages, which may carry URLs, tokens or personal data.
 */
final class PolicyEvents {
    static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Logger LOG = LoggerFactory.getLogger(Resilience.class);

    private final String name;
    private final ResilienceListener listener;
    private final LongAdder calls = new LongAdder();
    private final LongAdder successes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder rejections = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder budgetExhausted = new LongAdder();
    private final LongAdder deadlineExceeded = new LongAdder();
    private final AtomicLong lastBudgetWarn = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

    PolicyEvents(String name, ResilienceListener listener) {
        this.name = name;
        this.listener = listener;
    }

    /** Counts a call and returns its start time, read only when a listener wants durations. */
    long callStarted() {
        calls.increment();
        return listener == null ? 0L : System.nanoTime();
    }

    void callCompleted(boolean success, long startNanos) {
        (success ? successes : failures).increment();
        if (listener != null) {
            Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
            notify(() -> listener.onCallCompleted(name, success, duration));
        }
    }

    void retryScheduled(int attempt, Throwable failure, Duration delay) {
        retries.increment();
        if (LOG.isDebugEnabled()) {
            LOG.debug("Policy set '{}': attempt {} failed with {}, retrying in {} ms", name, attempt,
                      failure == null ? "a result" : failure.getClass().getName(), delay.toMillis());
        }
        if (listener != null) {
            notify(() -> listener.onRetry(name, attempt, failure, delay));
        }
    }

    void rejected(CallRejectedException.Reason reason) {
        rejections.increment();
        LOG.debug("Policy set '{}': call rejected, {}", name, reason);
        if (listener != null) {
            notify(() -> listener.onRejected(name, reason));
        }
    }

    void timedOut() {
        timeouts.increment();
        LOG.debug("Policy set '{}': attempt exceeded its timeout", name);
        if (listener != null) {
            notify(() -> listener.onTimeout(name));
        }
    }

    void retryBudgetExhausted() {
        budgetExhausted.increment();
        long now = System.nanoTime();
        long last = lastBudgetWarn.get();
        if (now - last >= WARN_INTERVAL_NANOS && lastBudgetWarn.compareAndSet(last, now)) {
            LOG.warn("Policy set '{}': retry budget exhausted, failing calls without retrying "
                             + "(this warning repeats at most every {} s)", name,
                     TimeUnit.NANOSECONDS.toSeconds(WARN_INTERVAL_NANOS));
        } else {
            LOG.debug("Policy set '{}': retry budget exhausted", name);
        }
        if (listener != null) {
            notify(() -> listener.onRetryBudgetExhausted(name));
        }
    }

    void deadlineExceeded() {
        deadlineExceeded.increment();
        LOG.debug("Policy set '{}': deadline exceeded", name);
        if (listener != null) {
            notify(() -> listener.onDeadlineExceeded(name));
        }
    }

    void stateChanged(CircuitBreaker.State from, CircuitBreaker.State to) {
        if (to == CircuitBreaker.State.OPEN) {
            LOG.warn("Policy set '{}': circuit breaker {} -> OPEN, calls are rejected", name, from);
        } else {
            LOG.info("Policy set '{}': circuit breaker {} -> {}", name, from, to);
        }
        if (listener != null) {
            notify(() -> listener.onCircuitBreakerStateChanged(name, from, to));
        }
    }

    PolicyStats snapshot(Optional<CircuitBreaker.State> state) {
        return new PolicyStats(name, calls.sum(), successes.sum(), failures.sum(), retries.sum(), rejections.sum(),
                               timeouts.sum(), budgetExhausted.sum(), deadlineExceeded.sum(), state);
    }

    private void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("Policy set '{}': resilience listener threw {}, ignored", name, e.getClass().getName());
        }
    }
}
