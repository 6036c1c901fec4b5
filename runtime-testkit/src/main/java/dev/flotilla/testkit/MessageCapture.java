package dev.flotilla.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import dev.flotilla.messaging.InJvmBroker;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.messaging.SubscriptionOptions;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;

/**
 * Records every message on the system's subjects into {@link Messages}, from subscribed until closed.
 *
 * <p>On NATS it is a plain connection of its own subscribed to {@code >}: the test's {@link Messaging} client, with
 * its service endpoint and tracing, is made only when a test asks for it, so a system's start does not wait for it.
 * On the in-JVM transport it is a {@link Messaging} client on the broker, which the test then uses as its own.
 */
abstract sealed class MessageCapture implements AutoCloseable {
    private static final String NAME = "flotilla-testkit";
    private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Connects to the NATS server and subscribes; returns once the server has confirmed the subscription, so a message
     * published afterwards from any connection is recorded.
     *
     * @throws IllegalStateException if it cannot connect or the subscription is not confirmed in time
     */
    static MessageCapture nats(String url, String seedOrNull, Messages messages) {
        io.nats.client.Options options = settings(url, seedOrNull)
                .reconnectInitialWait(Duration.ofMillis(50))
                .reconnectMaxWait(Duration.ofMillis(500))
                .build()
                .toOptions(NAME + "-capture")
                .build();
        Connection connection;
        try {
            connection = Nats.connect(options);
        } catch (IOException e) {
            throw new IllegalStateException("The test system's message capture cannot connect to " + url + ": "
                                                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the message capture connected to " + url, e);
        }
        try {
            Dispatcher dispatcher = connection.createDispatcher(m -> messages.record(captured(m)));
            dispatcher.subscribe(">");
            connection.flush(SUBSCRIBE_TIMEOUT);
        } catch (TimeoutException | RuntimeException e) {
            closeQuietly(connection);
            throw new IllegalStateException("The test system's message capture could not subscribe on " + url + ": "
                                                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            closeQuietly(connection);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the message capture subscribed on " + url, e);
        }
        return new OnNats(connection, url, seedOrNull);
    }

    /** The testkit's connection settings: the server, and the testkit's NKey under least-privilege NATS. */
    static NatsSettings.Builder settings(String url, String seedOrNull) {
        NatsSettings.Builder builder = NatsSettings.builder().server(url);
        if (seedOrNull != null) {
            builder.nkeySeed(seedOrNull);
        }
        return builder;
    }

    /**
     * A {@link Messaging} client on the broker, subscribed to every subject.
     *
     * @throws dev.flotilla.messaging.MessagingException if it cannot subscribe
     */
    static MessageCapture inJvm(InJvmBroker broker, Messages messages) {
        Messaging client = Messaging.builder().serviceName(NAME).inJvm(broker).build();
        try {
            client.subscribe(">", byte[].class, SubscriptionOptions.builder().broadcast(true).build(),
                             envelope -> messages.record(new CapturedMessage(envelope.subject(), envelope.headers(),
                                                                             envelope.payload(),
                                                                             System.currentTimeMillis())));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return new InJvm(client, broker);
    }

    /**
     * The client the test publishes and requests with, made at the first call (on the in-JVM transport the capture's
     * own); closed with the capture.
     *
     * @throws dev.flotilla.messaging.MessagingException if it cannot connect
     */
    abstract Messaging testClient();

    /**
     * A client of the test that signs what it sends as {@code service} (with that service's key from
     * {@code identity}); made at the first call for each service and closed with the capture.
     *
     * @throws dev.flotilla.messaging.MessagingException if it cannot connect
     */
    abstract Messaging clientAs(String service, io.helidon.config.Config identity);

    /** Stops recording and closes the test's client. */
    @Override
    public abstract void close();

    private static CapturedMessage captured(Message message) {
        return new CapturedMessage(message.getSubject(), headers(message.getHeaders()), message.getData(),
                                   System.currentTimeMillis());
    }

    /** The first value of each header, as messaging hands headers to handlers. */
    private static Map<String, String> headers(Headers headers) {
        if (headers == null || headers.isEmpty()) {
            return Map.of();
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String key : headers.keySet()) {
            String value = headers.getFirst(key);
            if (value != null) {
                map.put(key, value);
            }
        }
        return Collections.unmodifiableMap(map);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class OnNats extends MessageCapture {
        private final Connection connection;
        private final String url;
        /** Null unless the system runs least-privilege NATS. */
        private final String seed;
        /** Guarded by this; null until the test asks for it. */
        private Messaging client;
        /** Guarded by this: the clients that sign as a service, by service name. */
        private final Map<String, Messaging> signing = new LinkedHashMap<>();
        private boolean closed;

        OnNats(Connection connection, String url, String seed) {
            this.connection = connection;
            this.url = url;
            this.seed = seed;
        }

        @Override
        synchronized Messaging testClient() {
            if (closed) {
                throw new IllegalStateException("The test system is not running");
            }
            if (client == null) {
                client = Messaging.builder().serviceName(NAME)
                        .nats(settings(url, seed).build()).build();
            }
            return client;
        }

        @Override
        synchronized Messaging clientAs(String service, io.helidon.config.Config identity) {
            if (closed) {
                throw new IllegalStateException("The test system is not running");
            }
            return signing.computeIfAbsent(service, name -> Messaging.builder().serviceName(name)
                    .nats(settings(url, seed).build()).identity(identity).build());
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (client != null) {
                client.close();
                client = null;
            }
            signing.values().forEach(Messaging::close);
            signing.clear();
            closeQuietly(connection);
        }
    }

    private static final class InJvm extends MessageCapture {
        private final Messaging client;
        private final InJvmBroker broker;
        /** Guarded by this. */
        private final Map<String, Messaging> signing = new LinkedHashMap<>();

        InJvm(Messaging client, InJvmBroker broker) {
            this.client = client;
            this.broker = broker;
        }

        @Override
        Messaging testClient() {
            return client;
        }

        @Override
        synchronized Messaging clientAs(String service, io.helidon.config.Config identity) {
            return signing.computeIfAbsent(service, name -> Messaging.builder().serviceName(name).inJvm(broker)
                    .identity(identity).build());
        }

        @Override
        public synchronized void close() {
            signing.values().forEach(Messaging::close);
            signing.clear();
            client.close();
        }
    }
}
