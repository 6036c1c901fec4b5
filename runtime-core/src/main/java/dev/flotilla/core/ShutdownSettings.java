package dev.flotilla.core;

import java.time.Duration;

import io.helidon.config.Config;

/**
 * The {@code shutdown} settings of a service.
 *
 * @param gracePeriod  how long the service keeps accepting requests after its readiness went down, so that load
 *                     balancers notice before requests are refused
 * @param drainTimeout the longest time requests (and messages) in flight get to finish
 */
record ShutdownSettings(Duration gracePeriod, Duration drainTimeout) {
    /** Default of {@code shutdown.grace-period}. */
    static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(1);
    /** Default of {@code shutdown.drain-timeout}. */
    static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);

    static ShutdownSettings from(Config shutdown) {
        Duration grace = shutdown.get("grace-period").as(Duration.class).orElse(DEFAULT_GRACE_PERIOD);
        Duration drain = shutdown.get("drain-timeout").as(Duration.class).orElse(DEFAULT_DRAIN_TIMEOUT);
        if (grace.isNegative()) {
            throw new IllegalArgumentException("shutdown.grace-period must not be negative, was " + grace);
        }
        if (drain.isNegative()) {
            throw new IllegalArgumentException("shutdown.drain-timeout must not be negative, was " + drain);
        }
        return new ShutdownSettings(grace, drain);
    }
}
