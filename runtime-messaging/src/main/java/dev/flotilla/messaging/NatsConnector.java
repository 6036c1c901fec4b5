package dev.flotilla.messaging;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NATS transport's connection: connects with the settings' credentials and TLS, logs connection events, reports
 * slow consumers, and serialises flushes. Closing flushes what was published, then closes.
 */
final class NatsConnector {

    private static final Logger LOG = LoggerFactory.getLogger(NatsConnector.class);
    private static final Duration CLOSE_FLUSH_TIMEOUT = Duration.ofSeconds(2);

    private final NatsSettings settings;
    private final String name;
    private final Transport.Events events;
    private final Connection connection;
    /**
     * Held while this transport flushes its connection, or drains a subscription (which flushes): one flush at a
     * time. Each flush sends a PING and waits for the server's PONG, and jnats takes more than two unanswered PINGs
     * (its {@code maxPingsOut}) for a dead connection and reconnects; closing many subscriptions at once, or
     * subscribing from several threads, did exactly that, and a drain caught in the reconnect waited for its timeout.
     */
    private final ReentrantLock flushes = new ReentrantLock();

    /**
     * Connects as {@code name}.
     *
     * @throws MessagingException if the settings are invalid or NATS cannot be reached; the message says what to check
     */
    NatsConnector(NatsSettings settings, String name, Transport.Events events) {
        this.settings = settings;
        this.name = name;
        this.events = events;
        try {
            this.connection = Nats.connect(options());
        } catch (IOException e) {
            throw new MessagingException("Cannot connect to NATS at " + settings.servers() + " as '" + name + "': "
                    + e.getMessage() + "; " + connectHint(e, settings), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("Interrupted while connecting to NATS at " + settings.servers(), e);
        }
    }

    Connection connection() {
        return connection;
    }

    NatsSettings settings() {
        return settings;
    }

    boolean isConnected() {
        return connection.getStatus() == Connection.Status.CONNECTED;
    }

    boolean isClosed() {
        return connection.getStatus() == Connection.Status.CLOSED;
    }

    private Options options() {
        Options.Builder b = settings.toOptions(name)
                .useTimeoutException()
                .errorListener(new Listener())
                .connectionListener((conn, type) -> logConnectionEvent(type));
        try {
            return b.build();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new MessagingException("Invalid NATS settings " + settings + ": " + e.getMessage(), e);
        }
    }

    /** What to check after a failed connect: the credentials when the server refused them, else the address. */
    static String connectHint(IOException e, NatsSettings settings) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("authorization") || message.contains("authentication")) {
            return "the server refused the credentials: check messaging.nats.user/password, token, nkey-seed or "
                    + "credentials-file";
        }
        if (settings.tls()) {
            // jnats reports a failed TLS handshake as a plain "Unable to connect"
            return "check messaging.nats.servers, that nats-server runs, and that messaging.nats.tls.* (trust store, "
                    + "key store) matches the server's TLS";
        }
        return "check messaging.nats.servers and that nats-server runs";
    }

    private void logConnectionEvent(ConnectionListener.Events type) {
        switch (type) {
            case DISCONNECTED -> LOG.warn("NATS connection of '{}' {}", name, type);
            default -> LOG.info("NATS connection of '{}' {} ({})", name, type,
                    connection == null ? "" : connection.getConnectedUrl());
        }
    }

    private final class Listener implements ErrorListener {
        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            String what = consumer instanceof Subscription s ? s.getSubject() : consumer.toString();
            LOG.warn("Slow consumer on NATS connection of '{}': {} ({} messages dropped so far)", name, what,
                    consumer.getDroppedCount());
            events.slowConsumer(what);
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            // on jnats' thread, outside any call: the service is put in the MDC so the line is the service's (a
            // test system shows a "Permissions Violation" under the service that was refused)
            String key = dev.flotilla.core.observability.CallContext.MDC_SERVICE;
            String previous = org.slf4j.MDC.get(key);
            org.slf4j.MDC.put(key, name);
            try {
                LOG.warn("NATS error on connection of '{}': {}", name, error);
            } finally {
                if (previous == null) {
                    org.slf4j.MDC.remove(key);
                } else {
                    org.slf4j.MDC.put(key, previous);
                }
            }
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            LOG.debug("NATS exception on connection of '{}'", name, exp);
        }
    }

    /**
     * Waits until the server has processed what this connection sent so far (a ping answered): new subscriptions
     * are then in effect for messages from any connection, and after a swap of the NATS service the old one's
     * subscriptions are gone, so a request is never routed to the stopped service (where it would be lost).
     */
    void settle() {
        flushes.lock();
        try {
            connection.flush(settings.requestTimeout());
        } catch (TimeoutException | IllegalStateException e) {
            LOG.debug("NATS did not confirm the subscriptions of '{}' in time: {}", name, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            flushes.unlock();
        }
    }

    /**
     * Starts draining a subscription: unsubscribes and flushes (one flush at a time, see {@link #flushes}); the
     * returned stage completes when what it had received is handed over.
     */
    CompletableFuture<Boolean> drain(Subscription subscription, Duration timeout) throws InterruptedException {
        flushes.lock();
        try {
            return subscription.drain(timeout);
        } finally {
            flushes.unlock();
        }
    }

    /** Flushes what was published (for at most two seconds), then closes the connection. */
    void close() {
        flushes.lock();
        try {
            if (isConnected()) {
                connection.flush(CLOSE_FLUSH_TIMEOUT);
            }
        } catch (TimeoutException | RuntimeException e) {
            LOG.warn("Could not flush the NATS connection of '{}' before closing: {}", name, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            flushes.unlock();
        }
        closeNow();
    }

    /** Closes the connection without flushing. */
    void closeNow() {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
