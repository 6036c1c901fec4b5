package dev.flotilla.messaging.internal;

import java.time.Clock;
import java.util.Optional;

/**
 * Not API; for the testkit, which uses it to give services a controllable clock and to find their saga engines. May
 * change in any release.
 *
 * <p>A service extension implementing this interface is seen by {@code Sagas.of(context)}: the engine uses its
 * {@link #clock()} and reports itself through {@link #opened} and {@link #closed}. Engines are passed as
 * {@link AutoCloseable} (they are {@code dev.flotilla.messaging.saga.Sagas}) so this package stays below the saga
 * package.
 */
public interface SagaSupport {
    /**
     * The clock the service's saga engines measure deadlines, leases and retries on.
     *
     * @return the clock; empty for the system UTC clock
     */
    Optional<Clock> clock();

    /**
     * A saga engine of the service was opened.
     *
     * @param sagas the engine, a {@code dev.flotilla.messaging.saga.Sagas}
     */
    void opened(AutoCloseable sagas);

    /**
     * A saga engine of the service was closed.
     *
     * @param sagas the engine
     */
    void closed(AutoCloseable sagas);
}
