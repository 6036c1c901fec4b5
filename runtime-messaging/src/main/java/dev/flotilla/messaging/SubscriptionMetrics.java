package dev.flotilla.messaging;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * The meters of one subscription (or responder), made when it subscribes so that a message costs no lookup:
 * {@code flotilla.messaging.subscription.handled}, {@code .failed}, {@code .redelivered}, {@code .dead-lettered},
 * {@code .expired}, {@code .unverified} and the timer {@code .processing}, tagged {@code service} and {@code subject}. Thread-safe.
 */
final class SubscriptionMetrics {
    /** Counts nothing: messaging built without a meter registry. */
    static final SubscriptionMetrics NONE = new SubscriptionMetrics(null, null, null, null, null, null, null);

    private final Counter handled;
    private final Counter failed;
    private final Counter redelivered;
    private final Counter deadLettered;
    private final Counter expired;
    private final Counter unverified;
    private final Timer processing;

    private SubscriptionMetrics(Counter handled, Counter failed, Counter redelivered, Counter deadLettered,
                                Counter expired, Counter unverified, Timer processing) {
        this.handled = handled;
        this.failed = failed;
        this.redelivered = redelivered;
        this.deadLettered = deadLettered;
        this.expired = expired;
        this.unverified = unverified;
        this.processing = processing;
    }

    static SubscriptionMetrics create(MeterRegistry registry, String service, String subject) {
        if (registry == null) {
            return NONE;
        }
        List<Tag> tags = List.of(Tag.create("service", service), Tag.create("subject", subject));
        String prefix = "flotilla.messaging.subscription.";
        return new SubscriptionMetrics(
                registry.getOrCreate(Counter.builder(prefix + "handled").tags(tags)
                                             .description("Messages whose handler returned normally")),
                registry.getOrCreate(Counter.builder(prefix + "failed").tags(tags)
                                             .description("Handler invocations that threw")),
                registry.getOrCreate(Counter.builder(prefix + "redelivered").tags(tags)
                                             .description("Messages delivered again after a failure or ack timeout")),
                registry.getOrCreate(Counter.builder(prefix + "dead-lettered").tags(tags)
                                             .description("Messages sent to the dead-letter subject")),
                registry.getOrCreate(Counter.builder(prefix + "expired").tags(tags)
                                             .description("Messages not handled: their deadline had run out")),
                registry.getOrCreate(Counter.builder(prefix + "unverified").tags(tags)
                                             .description("Messages not handled: their publisher could not be "
                                                                  + "verified or is not allowed")),
                // Count, sum and max: no client-side percentiles, which would update a histogram per message.
                registry.getOrCreate(Timer.builder(prefix + "processing").tags(tags).percentiles(new double[0])
                                             .description("Time from receiving a message to settling it")));
    }

    void received(long deliveryCount) {
        if (redelivered != null && deliveryCount > 1) {
            redelivered.increment();
        }
    }

    void handled() {
        if (handled != null) {
            handled.increment();
        }
    }

    void failed() {
        if (failed != null) {
            failed.increment();
        }
    }

    void deadLettered() {
        if (deadLettered != null) {
            deadLettered.increment();
        }
    }

    void expired() {
        if (expired != null) {
            expired.increment();
        }
    }

    void unverified() {
        if (unverified != null) {
            unverified.increment();
        }
    }

    /** The start of a message's processing time: a clock reading, or 0 when nothing is timed (no clock read). */
    long startTiming() {
        return processing != null ? System.nanoTime() : 0L;
    }

    void processed(long began) {
        if (processing != null) {
            processing.record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
        }
    }
}
