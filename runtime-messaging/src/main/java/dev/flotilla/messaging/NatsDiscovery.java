package dev.flotilla.messaging;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
 * <p>This is the NATS implementation that {@code runtime-core}'s discovery SPI will use once core defines it.
 */
public final class NatsDiscovery {

    /** Default time to collect answers. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(500);

    private static final Logger LOG = LoggerFactory.getLogger(NatsDiscovery.class);

    private final Connection connection;
    private final Duration maxWait;

    private NatsDiscovery(Connection connection, Duration maxWait) {
        this.connection = connection;
        this.maxWait = maxWait;
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
        if (target instanceof DefaultMessaging dm && dm.transportForTests() instanceof NatsTransport nats) {
            return create(nats.connection(), maxWait);
        }
        throw new UnsupportedByTransportException(messaging.transport(), "discovery through NATS");
    }

    /**
     * Discovery over a jnats connection.
     *
     * @param connection the connection
     * @param maxWait    how long to collect answers per lookup
     * @return the discovery
     * @throws IllegalArgumentException if {@code maxWait} is not positive
     * @throws NullPointerException     if an argument is {@code null}
     */
    public static NatsDiscovery create(Connection connection, Duration maxWait) {
        Objects.requireNonNull(connection, "connection");
        if (Objects.requireNonNull(maxWait, "maxWait").isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait must be positive, was " + maxWait);
        }
        return new NatsDiscovery(connection, maxWait);
    }

    /**
     * The HTTP base URLs of the live instances of a service.
     *
     * @param serviceName the Flotilla service name (sanitised like the registration: characters other than
     *                    letters, digits, {@code -} and {@code _} become {@code _})
     * @return the URLs, one per instance that published one; empty when none answered
     * @throws NullPointerException if {@code serviceName} is {@code null}
     */
    public List<URI> instances(String serviceName) {
        String name = NatsTransport.ServiceIdentity.natsServiceName(Objects.requireNonNull(serviceName,
                "serviceName"));
        List<URI> uris = new ArrayList<>();
        for (InfoResponse info : new Discovery(connection, maxWait.toMillis(), 1000).info(name)) {
            String url = info.getMetadata() == null ? null : info.getMetadata().get("http.url");
            if (url != null) {
                try {
                    uris.add(URI.create(url));
                } catch (IllegalArgumentException e) {
                    LOG.warn("Instance {} of {} published an invalid http.url '{}'", info.getId(), name, url);
                }
            }
        }
        return uris;
    }
}
