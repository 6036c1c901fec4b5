package dev.flotilla.core.http;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import dev.failsafe.CircuitBreaker;
import dev.flotilla.core.discovery.ServiceDiscovery;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings an instance back as soon as it is ready. When an instance's breaker is open because the instance could not
 * be reached (refused or reset connections: it was stopped, killed or is restarting), asks the instance's readiness
 * endpoint ({@code GET /health/ready}, which every Flotilla service serves) every {@link #INTERVAL}; when it answers
 * 200 the breaker goes half-open at once, so the next calls are its trial calls instead of waiting out the
 * breaker's open delay. A breaker opened by 5xx answers or timeouts is left alone: that instance is up and failing.
 *
 * <p>Instances are keyed by URL, as their breakers are: a restarted instance at the same URL (with a new NATS
 * registration id) is recognised by its readiness; one at a new URL has a new, closed breaker anyway.
 *
 * <p>At most one probe runs per instance and policy name, on a virtual thread. It stops when the breaker is no
 * longer open, when the clients are closed, when discovery no longer lists the instance (it starts again when a call or the instance choice
 * finds the instance listed with its breaker open), or when the endpoint answers 404 (not a Flotilla service: the
 * breaker waits out its delay). Thread-safe.
 */
final class RecoveryProbe {
    /** Time between two readiness requests to an instance that is not ready. */
    static final Duration INTERVAL = Duration.ofMillis(100);
    /** The readiness endpoint of a Flotilla service. */
    static final String PATH = "/health/ready";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(ServiceClients.class);

    private final String target;
    private final WebClient webClient;
    private final ServiceDiscovery discovery;
    /** Whether the clients were closed: then probes stop. */
    private final BooleanSupplier closed;

    RecoveryProbe(String target, WebClient webClient, ServiceDiscovery discovery, BooleanSupplier closed) {
        this.target = target;
        this.webClient = webClient;
        this.discovery = discovery;
        this.closed = closed;
    }

    /**
     * Starts watching the instance if it could not be reached, its breaker is open and no probe runs for it yet.
     * Cheap when there is nothing to do: a few volatile reads.
     */
    void watch(CallPolicies.Instance instance) {
        if (!instance.unreachable || !instance.open() || !instance.probing.compareAndSet(false, true)) {
            return;
        }
        CircuitBreaker<Object> breaker = instance.set.circuitBreaker().orElse(null);
        if (breaker == null) {
            instance.probing.set(false);
            return;
        }
        Thread.ofVirtual().name("flotilla-recovery-" + target).start(() -> {
            try {
                probe(instance, breaker);
            } finally {
                instance.probing.set(false);
            }
        });
    }

    private void probe(CallPolicies.Instance instance, CircuitBreaker<Object> breaker) {
        while (breaker.isOpen() && !closed.getAsBoolean() && discovery.instances(target).contains(instance.uri)) {
            int status = readiness(instance);
            if (status == 200) {
                if (breaker.isOpen()) {
                    LOG.info("{} at {} is ready again: its breaker is half-open", target,
                             instance.uri.getAuthority());
                    breaker.halfOpen();
                }
                return;
            }
            if (status == 404) {
                LOG.debug("{} at {} has no {}: its breaker waits out its delay", target, instance.uri.getAuthority(),
                          PATH);
                return;
            }
            try {
                Thread.sleep(INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The readiness endpoint's status, or -1 when the instance cannot be reached. */
    private int readiness(CallPolicies.Instance instance) {
        try (HttpClientResponse response = webClient.get().uri(instance.base()).path(PATH)
                .readTimeout(READ_TIMEOUT).request()) {
            return response.status().code();
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
