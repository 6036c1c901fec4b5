package dev.flotilla.messaging;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.nats.client.Connection;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Core NATS on the transport's connection (at-most-once): publish, subscribe, request-reply. Also the reading of a
 * synchronous subscription on a virtual thread, which responders' endpoints and durable consumers share.
 */
final class NatsPubSub {

    private static final Logger LOG = LoggerFactory.getLogger(NatsPubSub.class);
    /** How long a reading thread waits for the next message before it checks whether to stop. */
    static final Duration POLL = Duration.ofMillis(200);

    private final NatsConnector connector;
    private final Connection connection;

    NatsPubSub(NatsConnector connector) {
        this.connector = connector;
        this.connection = connector.connection();
    }

    void publish(String subject, Map<String, String> headers, byte[] body) {
        refuseOversized(connection, subject, body);
        try {
            connection.publish(subject, NatsHeaders.toNats(headers), body);
        } catch (IllegalStateException e) {
            throw new MessagingException("Cannot publish to '" + subject + "': " + e.getMessage(), e);
        }
    }

    /** A payload over the server's {@code max_payload} would be refused by jnats with an IllegalArgumentException. */
    static void refuseOversized(Connection connection, String subject, byte[] body) {
        long max = connection.getMaxPayload();
        if (max > 0 && body.length > max) {
            throw new MessagingException("Cannot publish " + body.length + " bytes to '" + subject + "': the "
                    + "server's max_payload is " + max + " bytes; send a reference to the data instead");
        }
    }

    /**
     * A synchronous jnats subscription read by a virtual thread of our own, so handlers run on virtual threads
     * (inline at concurrency 1) while jnats keeps its own threads, including the one completing request replies.
     */
    Transport.Handle subscribe(String subject, String queueGroupOrNull, Consumer<RawMessage> sink) {
        Subscription subscription = queueGroupOrNull == null ? connection.subscribe(subject)
                : connection.subscribe(subject, queueGroupOrNull);
        connector.settle(); // a message published right after this returns, from any connection, is received
        Thread reader = Thread.ofVirtual().name("flotilla-nats-" + subject).start(() -> readUntilInactive(
                subscription, m -> sink.accept(RawMessage.received(m.getSubject(),
                        NatsHeaders.fromNats(m.getHeaders()), m.getData(), RawMessage.Replier.NONE))));
        return new Transport.Handle() {
            @Override
            public boolean stopIntake(Duration timeout) {
                long deadline = System.nanoTime() + timeout.toNanos();
                boolean drained;
                try {
                    drained = !subscription.isActive() || connector.drain(subscription, timeout)
                            .get(timeout.toMillis() + 100, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    LOG.debug("Drain of {} did not finish", subject, e);
                    close();
                    drained = false;
                }
                return join(reader, deadline) && drained;
            }

            @Override
            public void close() {
                try {
                    subscription.unsubscribe();
                } catch (IllegalStateException e) {
                    LOG.debug("Subscription on {} already closed", subject, e);
                }
            }
        };
    }

    /**
     * Reads a synchronous subscription on the calling thread, one message at a time, until it is unsubscribed,
     * drained (after its last message) or its connection closed.
     */
    static void readUntilInactive(Subscription subscription, Consumer<Message> each) {
        while (true) {
            Message m;
            try {
                m = subscription.nextMessage(POLL);
            } catch (IllegalStateException | InterruptedException e) {
                return;
            }
            if (m == null) {
                if (!subscription.isActive()) {
                    return;
                }
                continue;
            }
            each.accept(m);
        }
    }

    /** Waits for a reading thread to end until the deadline ({@link System#nanoTime()}); false if it did not. */
    static boolean join(Thread thread, long deadline) {
        try {
            return thread.join(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    CompletableFuture<RawMessage> request(String subject, Map<String, String> headers, byte[] body,
                                          Duration timeout) {
        CompletableFuture<Message> reply;
        try {
            reply = connection.requestWithTimeout(subject, NatsHeaders.toNats(headers), body, timeout);
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(
                    new MessagingException("Cannot send request to '" + subject + "': " + e.getMessage(), e));
        }
        // jnats expires requests on its cleanup timer (every few seconds); hold the caller to its own timeout
        return reply.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).handle((m, e) -> {
            if (e != null) {
                throw requestFailure(subject, timeout, e);
            }
            return RawMessage.core(m.getSubject(), NatsHeaders.fromNats(m.getHeaders()), m.getData());
        });
    }

    /**
     * The blocking request waits on the calling thread with its own timeout: no timer is scheduled (and cancelled)
     * per request, and the reply is converted on the caller's thread rather than on jnats' thread.
     */
    RawMessage requestAndWait(String subject, Map<String, String> headers, byte[] body, Duration timeout) {
        CompletableFuture<Message> reply;
        try {
            reply = connection.requestWithTimeout(subject, NatsHeaders.toNats(headers), body, timeout);
        } catch (IllegalStateException e) {
            throw new MessagingException("Cannot send request to '" + subject + "': " + e.getMessage(), e);
        }
        Message m;
        try {
            m = reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            reply.cancel(false); // frees jnats' pending request now rather than at its next cleanup
            throw new RequestTimeoutException(subject, timeout);
        } catch (ExecutionException e) {
            throw requestFailure(subject, timeout, e.getCause() != null ? e.getCause() : e);
        } catch (CancellationException e) {
            throw new RequestTimeoutException(subject, timeout);
        } catch (InterruptedException e) {
            reply.cancel(false);
            Thread.currentThread().interrupt();
            throw new MessagingException("Interrupted while waiting for the reply from '" + subject + "'", e);
        }
        return RawMessage.core(m.getSubject(), NatsHeaders.fromNats(m.getHeaders()), m.getData());
    }

    private static RuntimeException requestFailure(String subject, Duration timeout, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof JetStreamStatusException s && s.getStatus().getCode() == 503) {
            return new NoRespondersException(subject);
        }
        if (cause instanceof TimeoutException || cause instanceof CancellationException) {
            return new RequestTimeoutException(subject, timeout);
        }
        return new MessagingException("Request to '" + subject + "' failed: " + cause, cause);
    }
}
