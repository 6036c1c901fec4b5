package dev.flotilla.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until a test moves it, so a test of a ten-minute timeout runs in milliseconds. Give it
 * to {@link TestSystem.Builder#clock(TestClock)} to make the services' saga engines measure deadlines, leases and
 * retries on it, or to any API taking a {@link Clock}. Thread-safe.
 */
public final class TestClock extends Clock {
    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    private TestClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /**
     * A clock at the current system time, in UTC.
     *
     * @return the clock
     */
    public static TestClock create() {
        return at(Instant.now());
    }

    /**
     * A clock at a given instant, in UTC.
     *
     * @param instant where it starts
     * @return the clock
     * @throws NullPointerException if {@code instant} is {@code null}
     */
    public static TestClock at(Instant instant) {
        return new TestClock(new AtomicReference<>(Objects.requireNonNull(instant, "instant")), ZoneOffset.UTC);
    }

    /**
     * Moves the clock forward. Saga timers that are due now fire at the engines' next sweep (every
     * {@code sagas.sweep-interval} of real time).
     *
     * @param duration how far, zero or positive
     * @return the new instant
     * @throws IllegalArgumentException if {@code duration} is negative
     * @throws NullPointerException     if {@code duration} is {@code null}
     */
    public Instant advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("A TestClock only moves forward: " + duration);
        }
        return now.updateAndGet(t -> t.plus(duration));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /**
     * The same clock (moving together with this one) in another zone.
     *
     * @param zone the zone
     * @return a clock sharing this one's time
     * @throws NullPointerException if {@code zone} is {@code null}
     */
    @Override
    public Clock withZone(ZoneId zone) {
        return new TestClock(now, Objects.requireNonNull(zone, "zone"));
    }

    @Override
    public String toString() {
        return "TestClock[" + now.get() + "]";
    }
}
