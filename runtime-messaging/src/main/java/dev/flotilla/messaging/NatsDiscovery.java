package dev.flotilla.messaging;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import dev.flotilla.core.discovery.ServiceDiscovery;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
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
 *
 * <p><b>Instances that go and come back.</b> While instances of a name are missing (the answer is empty, a typed
 * client reported an instance {@linkplain #unreachable unreachable}, or an answer lost an instance the previous one
 * had) the answer is refreshed every {@link #RETRY_INTERVAL} instead of every {@link #DEFAULT_TTL}, for up to
 * {@link #RECOVERY_WINDOW} after the last such sign (for as long as it stays empty). Such a refresh repeats its
 * request every {@link #RETRY_INTERVAL} until a first instance answers, then waits {@link #STALL} for more, so an
 * instance that registers again (with a new {@code $SRV} id, perhaps at the same URL) is in the answer within about
 * {@link #RETRY_INTERVAL} of its registration.
 */
public final class NatsDiscovery implements ServiceDiscovery {

    /** Default time to collect answers. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(500);
    /** How long an answer is reused before it is refreshed. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);
    /** How often the answer is refreshed, and a refresh repeats its request, while instances are missing. */
    public static final Duration RETRY_INTERVAL = Duration.ofMillis(100);
    /** While instances are missing, how long a refresh waits for more answers after the last one. */
    public static final Duration STALL = Duration.ofMillis(50);
    /** How long after the last sign of a missing instance the answer is refreshed every {@link #RETRY_INTERVAL}. */
    public static final Duration RECOVERY_WINDOW = Duration.ofMinutes(2);

    /**
     * One answer: the URLs, when it was taken, and until when instances count as missing (fast refreshes).
     */
    private record Cached(List<URI> uris, long at, long missingUntil) {
        boolean missing(long now) {
            return uris.isEmpty() || now - missingUntil < 0;
        }

        boolean stale(long now) {
            return now - at > (missing(now) ? RETRY_INTERVAL : DEFAULT_TTL).toNanos();
        }
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
        if (cached.stale(System.nanoTime())) {
            refreshInBackground(serviceName);
        }
        return cached.uris();
    }

    /**
     * Takes the report of a typed client that an instance could not be reached: the answer for the service is
     * refreshed now, in the background, and then every {@link #RETRY_INTERVAL} for up to {@link #RECOVERY_WINDOW}.
     * Returns at once.
     *
     * @param serviceName the Flotilla service name
     * @param instance    the URL that could not be reached
     * @throws NullPointerException if an argument is {@code null}
     */
    @Override
    public void unreachable(String serviceName, URI instance) {
        Objects.requireNonNull(serviceName, "serviceName");
        Objects.requireNonNull(instance, "instance");
        Cached cached = cache.get(serviceName);
        if (cached == null || !cached.uris().contains(instance)) {
            return;
        }
        long now = System.nanoTime();
        cache.computeIfPresent(serviceName, (n, c) -> c.at() != cached.at() ? c
                : new Cached(c.uris(), c.at(), now + RECOVERY_WINDOW.toNanos()));
        refreshInBackground(serviceName);
    }

    private void refreshInBackground(String serviceName) {
        if (refreshing.add(serviceName)) {
            Thread.ofVirtual().name("flotilla-nats-discovery").start(() -> {
                try {
                    lookup(serviceName);
                } finally {
                    refreshing.remove(serviceName);
                }
            });
        }
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
        Cached previous = cache.get(serviceName);
        boolean missing = previous != null && previous.missing(System.nanoTime());
        Map<String, URI> byId;
        try {
            byId = ask(name, missing);
        } catch (RuntimeException e) {
            LOG.warn("Discovery of {} through NATS failed: {}", name, e.toString());
            return previous == null ? List.of() : previous.uris();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return previous == null ? List.of() : previous.uris();
        }
        List<URI> uris = new ArrayList<>(new java.util.TreeSet<>(byId.values()));
        List<URI> answer = List.copyOf(uris);
        long now = System.nanoTime();
        long missingUntil = previous == null ? now : previous.missingUntil();
        if (previous != null && !answer.containsAll(previous.uris())) {
            // an instance left: it may come back soon, so look again soon
            missingUntil = now + RECOVERY_WINDOW.toNanos();
        }
        if (previous != null && !previous.uris().isEmpty() && !answer.isEmpty()
                && !previous.uris().containsAll(answer)) {
            LOG.debug("Discovery of {}: instances now {}", name, answer);
        }
        cache.put(serviceName, new Cached(answer, now, missingUntil));
        return answer;
    }

    /**
     * Sends {@code $SRV.INFO.<name>} and collects the answers, by instance id, for up to the max wait. While
     * instances are missing ({@code eager}), the request is repeated every {@link #RETRY_INTERVAL} until a first
     * answer comes (an instance that registers meanwhile answers the next one), and collecting ends {@link #STALL}
     * after the last answer.
     */
    private Map<String, URI> ask(String name, boolean eager) throws InterruptedException {
        String subject = "$SRV.INFO." + name;
        String inbox = connection.createInbox();
        Subscription answers = connection.subscribe(inbox);
        Map<String, URI> byId = new LinkedHashMap<>();
        try {
            long now = System.nanoTime();
            long deadline = now + maxWait.toNanos();
            connection.publish(subject, inbox, null);
            long nextRequest = now + RETRY_INTERVAL.toNanos();
            long lastAnswer = 0;
            while (true) {
                now = System.nanoTime();
                if (eager && lastAnswer == 0 && now - nextRequest >= 0 && now - deadline < 0) {
                    connection.publish(subject, inbox, null);
                    nextRequest += RETRY_INTERVAL.toNanos();
                }
                long until = deadline;
                if (eager) {
                    long next = lastAnswer == 0 ? nextRequest : lastAnswer + STALL.toNanos();
                    until = next - deadline < 0 ? next : deadline;
                }
                long wait = until - now;
                if (wait <= 0) {
                    if (!eager || lastAnswer != 0 || now - deadline >= 0) {
                        break;
                    }
                    continue; // time for the next request
                }
                // at least a millisecond: jnats waits for ever on a zero timeout
                Message message = answers.nextMessage(Duration.ofNanos(Math.max(wait, 1_000_000)));
                if (message != null && add(name, message.getData(), byId)) {
                    lastAnswer = System.nanoTime();
                }
            }
        } finally {
            answers.unsubscribe();
        }
        return byId;
    }

    /** Adds one INFO answer's instance; whether it was a new instance with a URL. */
    private static boolean add(String name, byte[] data, Map<String, URI> byId) {
        JsonValue info;
        try {
            info = JsonParser.parse(data);
        } catch (Exception e) {
            LOG.warn("An answer to $SRV.INFO.{} is not JSON: {}", name, e.toString());
            return false;
        }
        if (info.map == null) {
            return false;
        }
        String id = string(info, "id");
        JsonValue metadata = info.map.get("metadata");
        String url = metadata == null || metadata.map == null ? null : string(metadata, "http.url");
        if (id == null || url == null || byId.containsKey(id)) {
            return false;
        }
        try {
            byId.put(id, URI.create(url));
            return true;
        } catch (IllegalArgumentException e) {
            LOG.warn("Instance {} of {} published an invalid http.url '{}'", id, name, url);
            return false;
        }
    }

    private static String string(JsonValue object, String key) {
        JsonValue value = object.map.get(key);
        return value == null ? null : value.string;
    }
}
