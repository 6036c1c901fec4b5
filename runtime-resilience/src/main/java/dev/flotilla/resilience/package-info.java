/**
 * Named, configured resilience policies over Failsafe 3.3: retry, circuit breaker, timeout, bulkhead, rate limiter
 * and fallback, composed per downstream name.
 *
 * <p>Start from {@link dev.flotilla.resilience.Resilience}, one registry per service, created from the {@code
 * resilience} config node or in code; {@link dev.flotilla.resilience.Resilience#policies(String)} returns the shared
 * {@link dev.flotilla.resilience.PolicySet} of a name. Flotilla adds to Failsafe: config binding with start-up
 * validation ({@link dev.flotilla.resilience.PolicySetConfig}), a registry that shares state per name, {@link
 * dev.flotilla.resilience.Deadline}s, a {@link dev.flotilla.resilience.RetryBudget}, server {@link
 * dev.flotilla.resilience.RetryAfter} delays, a bound on half-open trial calls, and events ({@link
 * dev.flotilla.resilience.ResilienceListener}, {@link dev.flotilla.resilience.PolicyStats}). See {@code
 * docs/resilience.md}.
 */
package dev.flotilla.resilience;
