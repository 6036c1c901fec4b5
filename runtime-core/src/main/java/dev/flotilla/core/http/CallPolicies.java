package dev.flotilla.core.http;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.failsafe.TimeoutExceededException;
import dev.flotilla.resilience.CallRejectedException;
import dev.flotilla.resilience.PolicySet;
import dev.flotilla.resilience.PolicySetConfig;
import dev.flotilla.resilience.Resilience;
import io.helidon.webclient.api.ClientUri;

/**
 * The resilience of the calls to one downstream under one policy name: the retrying set of the calls, and the breaker
 * set of each instance. Decides which failures are worth another attempt and which count against an instance.
 * Thread-safe.
 */
final class CallPolicies {
    private final Resilience resilience;
    private final String name;
    private final Map<URI, Instance> instances = new ConcurrentHashMap<>();
    private volatile PolicySet calls;
    private volatile PolicySet configured;

    CallPolicies(Resilience resilience, String name) {
        this.resilience = resilience;
        this.name = name;
    }

    PolicySet calls() {
        PolicySet set = calls;
        if (set == null) {
            set = resilience.derived(name, "calls", CallPolicies::retriesOnly);
            calls = set;
        }
        return set;
    }

    /**
     * The configured {@code timeout.duration} of the policy name, or null when its timeout is turned off. Read at
     * every attempt, so a timeout changed at run time applies to the next attempt.
     */
    Duration attemptTimeout() {
        PolicySet set = configured;
        if (set == null) {
            set = resilience.policies(name);
            configured = set;
        }
        PolicySetConfig config = set.config();
        return config.timeout().enabled() ? config.timeout().duration() : null;
    }

    Instance instance(URI uri) {
        Instance instance = instances.get(uri);
        if (instance == null) {
            instance = instances.computeIfAbsent(uri, i -> new Instance(
                    i, resilience.derived(name, i.getAuthority(), CallPolicies::instanceOnly)));
        }
        return instance;
    }

    private static void retriesOnly(PolicySetConfig.Builder b) {
        b.circuitBreaker(cb -> cb.enabled(false))
                .timeout(t -> t.enabled(false))
                .bulkhead(bh -> bh.enabled(false))
                .rateLimiter(rl -> rl.enabled(false))
                .retry(r -> r.retryOn(CallPolicies::retryable));
    }

    /**
     * The per-instance set: its breaker (and bulkhead, rate limiter). Its timeout is not a Failsafe timer: the
     * attempt's budget becomes the socket's read timeout instead, which needs no timer thread woken per call.
     */
    private static void instanceOnly(PolicySetConfig.Builder b) {
        b.retry(r -> r.enabled(false))
                .retryBudget(rb -> rb.enabled(false))
                .timeout(t -> t.enabled(false))
                .circuitBreaker(cb -> cb.failureOn(CallPolicies::instanceFailure));
    }

    /** Worth trying again, on another instance: the request failed in transit or the instance was unavailable. */
    static boolean retryable(Throwable e) {
        if (e instanceof ServiceUnreachableException u) {
            // A rejection by open breakers is the point of failing fast: not retried.
            return !(u.getCause() instanceof CallRejectedException);
        }
        if (e instanceof ServiceTimeoutException) {
            return true;
        }
        return e instanceof RemoteProblemException p && (p.status() == 502 || p.status() == 503 || p.status() == 504);
    }

    /** Counts against an instance's breaker: it could not be reached, was too slow, or failed on its side. */
    static boolean instanceFailure(Throwable e) {
        return e instanceof ServiceUnreachableException || e instanceof TimeoutExceededException
                || e instanceof ServiceTimeoutException
                || e instanceof RemoteProblemException p && p.status() >= 500;
    }

    /** One instance of the target under one policy name: its breaker set and its base URI. */
    static final class Instance {
        final URI uri;
        final PolicySet set;
        /** Whether the last attempt could not connect, and no answer came since: see {@link RecoveryProbe}. */
        volatile boolean unreachable;
        /** Whether a {@link RecoveryProbe} watches the instance. */
        final java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile ClientUri base;

        Instance(URI uri, PolicySet set) {
            this.uri = uri;
            this.set = set;
        }

        boolean open() {
            return set.circuitBreaker().map(b -> b.isOpen()).orElse(false);
        }

        /**
         * The instance's scheme, authority and path (without a trailing slash), as Helidon's URI: requests copy it
         * and add their path; never changed once made.
         */
        ClientUri base() {
            ClientUri b = base;
            if (b == null) {
                String path = uri.getRawPath() == null ? "" : uri.getRawPath();
                if (path.endsWith("/")) {
                    path = path.substring(0, path.length() - 1);
                }
                b = ClientUri.create(URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path));
                base = b;
            }
            return b;
        }
    }
}
