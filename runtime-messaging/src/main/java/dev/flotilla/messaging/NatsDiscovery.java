package dev.flotilla.messaging;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import dev.flotilla.core.discovery.ServiceDiscovery;

import io.nats.client.Connection;
import io.nats.service.Discovery;
import io.nats.service.InfoResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the HTTP instances of a service through the NATS service protocol: sends {@code $SRV.INFO.<name>},
 * collects the answers for a short time and returns each instance's {@code http.url} metadata. Every Flotilla
 * service on NATS registers this way, so the answer is the set of live instances. Thread-safe.
 *
 * <p>It implements {@code runtime-core}'s {@link ServiceDiscovery}: answers are cached for {@link #DEFAULT_TTL}; a
 * stale answer is returned at once and refreshed in the background, so only the first lookup of a name waits
 * (up to the max wait).
 */
public final class NatsDiscovery implements ServiceDiscovery {

    /** Default time to collect answers. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(500);
    /** How long an answer is reused before it is refreshed. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);

    private record Cached(List<URI> uris, long at) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

    private static final Logger LOG = LoggerFactory.getLogger(NatsDiscovery.class);

    private final Connection connection;
    private final Duration maxWait;
    /** Told each NATS service name looked up; records the service's usage when it is a service's own discovery. */
    private final Consumer<String> lookups;

    private NatsDiscovery(Connection connection, Duration maxWait, Consumer<String> lookups) {
        this.connection = connection;
        this.maxWait = maxWait;
        this.lookups = lookups;
    }

    /**
     * Discovery over the connection of a NATS-backed {@link Messaging}.
     *
     * @param messaging messaging built on the NATS transport
     * @param maxWait   how long to collect answers per lookup
     * @return the discovery
     * @throws UnsupportedByTransportException if {@code messaging} uses the in-JVM transport
     * @throws IllegalArgumentException        if {@code maxWait} is not positive
     * @throws NullPointerException            if an argument is {@code null}
     */
    public static NatsDiscovery create(Messaging messaging, Duration maxWait) {
        Objects.requireNonNull(messaging, "messaging");
        Messaging target = messaging instanceof MessagingExtension ext ? ext.delegate() : messaging;
        if (target instanceof DefaultMessaging dm && dm.transportImpl() instanceof NatsTransport nats) {
            return create(nats, maxWait);
        }
        throw new UnsupportedByTransportException(messaging.transport(), "discovery through NATS");
    }

    /** Discovery over a NATS transport's connection, recording the names it looks up in the service's usage. */
    static NatsDiscovery create(NatsTransport transport, Duration maxWait) {
        return create(transport.connection(), maxWait, transport.usage()::discovers);
    }

    /** Discovery over a jnats connection; throws as {@link #create(Messaging, Duration)} does. */
    static NatsDiscovery create(Connection connection, Duration maxWait) {
        return create(connection, maxWait, name -> { });
    }

    private static NatsDiscovery create(Connection connection, Duration maxWait, Consumer<String> lookups) {
        Objects.requireNonNull(connection, "connection");
        if (Objects.requireNonNull(maxWait, "maxWait").isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait must be positive, was " + maxWait);
        }
        return new NatsDiscovery(connection, maxWait, lookups);
    }

    /**
     * The HTTP base URLs of the live instances of a service.
     *
     * @param serviceName the Flotilla service name (sanitised like the registration: characters other than
     *                    letters, digits, {@code -} and {@code _} become {@code _})
     * @return the URLs, one per instance that published one; empty when none answered
     * @throws NullPointerException if {@code serviceName} is {@code null}
     */
    @Override
    public List<URI> instances(String serviceName) {
        Objects.requireNonNull(serviceName, "serviceName");
        Cached cached = cache.get(serviceName);
        if (cached == null) {
            return lookup(serviceName);
        }
        if (System.nanoTime() - cached.at() > DEFAULT_TTL.toNanos() && refreshing.add(serviceName)) {
            Thread.ofVirtual().name("flotilla-nats-discovery").start(() -> {
                try {
                    lookup(serviceName);
                } finally {
                    refreshing.remove(serviceName);
                }
            });
        }
        return cached.uris();
    }

    /**
     * Asks NATS now, bypassing the cache, and caches the answer.
     *
     * @param serviceName the Flotilla service name
     * @return the URLs; empty when none answered or the connection is down
     * @throws NullPointerException if {@code serviceName} is {@code null}
     */
    public List<URI> lookup(String serviceName) {
        String name = ServiceIdentity.natsServiceName(Objects.requireNonNull(serviceName,
                "serviceName"));
        lookups.accept(name);
        List<URI> uris = new ArrayList<>();
        List<InfoResponse> infos;
        try {
            infos = new Discovery(connection, maxWait.toMillis(), 1000).info(name);
        } catch (RuntimeException e) {
            LOG.warn("Discovery of {} through NATS failed: {}", name, e.toString());
            return cache.getOrDefault(serviceName, new Cached(List.of(), 0)).uris();
        }
        for (InfoResponse info : infos) {
            String url = info.getMetadata() == null ? null : info.getMetadata().get("http.url");
            if (url != null) {
                try {
                    uris.add(URI.create(url));
                } catch (IllegalArgumentException e) {
                    LOG.warn("Instance {} of {} published an invalid http.url '{}'", info.getId(), name, url);
                }
            }
        }
        uris.sort(null);
        List<URI> answer = List.copyOf(uris);
        cache.put(serviceName, new Cached(answer, System.nanoTime()));
        return answer;
    }
}
