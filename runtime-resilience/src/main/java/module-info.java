/**
 * Named, configured resilience policies over Failsafe: retry, circuit breaker, timeout, bulkhead, rate limiter and
 * fallback, composed per downstream name. Start from {@link dev.flotilla.resilience.Resilience}.
 *
 * <p>Failsafe and Helidon Config are read transitively because their types are part of this module's API: calls are
 * Failsafe's {@code CheckedSupplier}, {@code CheckedRunnable} and {@code CheckedFunction}, callers see Failsafe's
 * {@code CircuitBreaker}, {@code FailsafeException} and {@code TimeoutExceededException}, and registries and settings
 * are read from a Helidon {@code Config} node. SLF4J is used inside only.
 */
module dev.flotilla.resilience {
    requires transitive dev.failsafe.core;
    requires transitive io.helidon.config;
    requires org.slf4j;

    exports dev.flotilla.resilience;
}
