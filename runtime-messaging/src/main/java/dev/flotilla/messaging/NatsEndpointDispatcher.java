package dev.flotilla.messaging;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.MessageHandler;
import io.nats.client.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher of one responder's {@code $SRV} endpoint: a synchronous subscription read by a virtual thread of
 * its own, which runs the endpoint's handler (jnats' request statistics, then the responder) inline, as
 * {@link NatsPubSub#subscribe} does for subscriptions. A jnats dispatcher would run handlers on its platform
 * thread, shared by every endpoint and the {@code $SRV} discovery requests, so each request had to be handed over
 * to a virtual thread: one more thread wake-up per request.
 *
 * <p>A NATS micro service cannot change its endpoints or metadata, so {@link NatsServiceEndpoints} replaces the
 * service, and the replacement subscribes its endpoints again: subscribing again to the same subject and queue group
 * keeps the subscription (no request is lost or routed to the old service) and only swaps the handler, so the
 * replacement counts the requests from then on. The old service does not stop a dispatcher given to it;
 * {@link #stopIntake} and {@link #close} do. Only what a micro-service endpoint uses is supported.
 */
final class NatsEndpointDispatcher implements Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(NatsEndpointDispatcher.class);

    private final Connection connection;
    /** Starts a subscription's drain the way its transport does: one flush at a time on the connection. */
    private final Drainer drainer;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile MessageHandler handler;
    private Subscription subscription;
    private String subject;
    private String queueGroup;
    private Thread reader;
    private boolean closed;
    private CompletableFuture<Boolean> draining;

    /** How a subscription's drain is started: see {@link NatsConnector#drain}. */
    @FunctionalInterface
    interface Drainer {
        CompletableFuture<Boolean> drain(Subscription subscription, Duration timeout) throws InterruptedException;
    }

    NatsEndpointDispatcher(Connection connection, Drainer drainer) {
        this.connection = connection;
        this.drainer = drainer;
    }

    @Override
    public Subscription subscribe(String subject, MessageHandler handler) {
        return subscribe(subject, null, handler);
    }

    @Override
    public Subscription subscribe(String subject, String queueGroup, MessageHandler handler) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(handler, "handler");
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("The dispatcher of endpoint '" + subject + "' is closed");
            }
            if (subscription != null) {
                if (!subject.equals(this.subject) || !Objects.equals(queueGroup, this.queueGroup)) {
                    throw new IllegalStateException("The dispatcher of endpoint '" + this.subject
                            + "' cannot also subscribe to '" + subject + "'");
                }
                this.handler = handler; // a replacement service takes the endpoint over
                return subscription;
            }
            this.handler = handler;
            this.subject = subject;
            this.queueGroup = queueGroup;
            Subscription s = queueGroup == null ? connection.subscribe(subject)
                    : connection.subscribe(subject, queueGroup);
            subscription = s;
            reader = Thread.ofVirtual().name("flotilla-nats-respond-" + subject).start(() -> read(s));
            return s;
        } finally {
            lock.unlock();
        }
    }

    private void read(Subscription s) {
        NatsPubSub.readUntilInactive(s, m -> {
            try {
                handler.onMessage(m);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // jnats' endpoint handler answers failures itself; whatever escapes must not end the reading
                LOG.error("Unexpected failure answering a request on {}", m.getSubject(), e);
            }
        });
    }

    /**
     * Starts a drain, unless one was started: unsubscribes, and the requests already received are still answered
     * (for at most {@code timeout}). Returns when the server has the unsubscription.
     */
    CompletableFuture<Boolean> startDrain(Duration timeout) {
        lock.lock();
        try {
            closed = true;
            if (draining == null) {
                if (subscription == null || !subscription.isActive()) {
                    draining = CompletableFuture.completedFuture(true);
                } else {
                    try {
                        draining = drainer.drain(subscription, timeout);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return CompletableFuture.completedFuture(false);
                    } catch (IllegalStateException e) {
                        draining = CompletableFuture.completedFuture(true); // closed meanwhile
                    }
                }
            }
            return draining;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drains (see {@link #startDrain}) and waits at most {@code timeout} for the requests already received to be
     * answered and the reading thread to end. Returns false when that took longer.
     */
    boolean stopIntake(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean drained;
        try {
            drained = startDrain(timeout).get(timeout.toMillis() + 100, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.debug("Drain of endpoint {} did not finish", subject, e);
            close();
            drained = false;
        }
        Thread t;
        lock.lock();
        try {
            t = reader;
        } finally {
            lock.unlock();
        }
        return (t == null || NatsPubSub.join(t, deadline)) && drained;
    }

    /** Unsubscribes at once; requests received but not yet read are dropped. */
    void close() {
        Subscription s;
        lock.lock();
        try {
            closed = true;
            s = subscription;
        } finally {
            lock.unlock();
        }
        if (s != null) {
            try {
                s.unsubscribe();
            } catch (IllegalStateException e) {
                LOG.debug("Endpoint subscription on {} already closed", subject, e);
            }
        }
    }

    // ---- the rest of jnats' Dispatcher, which a micro-service endpoint does not use

    @Override
    public void start(String id) {
        // reading starts with the subscription
    }

    @Override
    public Dispatcher subscribe(String subject) {
        throw unsupported();
    }

    @Override
    public Dispatcher subscribe(String subject, String queue) {
        throw unsupported();
    }

    @Override
    public Dispatcher unsubscribe(String subject) {
        throw unsupported();
    }

    @Override
    public Dispatcher unsubscribe(Subscription subscription) {
        throw unsupported();
    }

    @Override
    public Dispatcher unsubscribe(String subject, int after) {
        throw unsupported();
    }

    @Override
    public Dispatcher unsubscribe(Subscription subscription, int after) {
        throw unsupported();
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("a responder's endpoint dispatcher serves one endpoint only");
    }

    private Subscription current() {
        lock.lock();
        try {
            return subscription;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setPendingLimits(long maxMessages, long maxBytes) {
        Subscription s = current();
        if (s != null) {
            s.setPendingLimits(maxMessages, maxBytes);
        }
    }

    @Override
    public long getPendingMessageLimit() {
        Subscription s = current();
        return s == null ? DEFAULT_MAX_MESSAGES : s.getPendingMessageLimit();
    }

    @Override
    public long getPendingByteLimit() {
        Subscription s = current();
        return s == null ? DEFAULT_MAX_BYTES : s.getPendingByteLimit();
    }

    @Override
    public long getPendingMessageCount() {
        Subscription s = current();
        return s == null ? 0 : s.getPendingMessageCount();
    }

    @Override
    public long getPendingByteCount() {
        Subscription s = current();
        return s == null ? 0 : s.getPendingByteCount();
    }

    @Override
    public long getDeliveredCount() {
        Subscription s = current();
        return s == null ? 0 : s.getDeliveredCount();
    }

    @Override
    public long getDroppedCount() {
        Subscription s = current();
        return s == null ? 0 : s.getDroppedCount();
    }

    @Override
    public void clearDroppedCount() {
        Subscription s = current();
        if (s != null) {
            s.clearDroppedCount();
        }
    }

    @Override
    public boolean isActive() {
        Subscription s = current();
        return s != null && s.isActive();
    }

    @Override
    public CompletableFuture<Boolean> drain(Duration timeout) throws InterruptedException {
        Subscription s = current();
        return s == null || !s.isActive() ? CompletableFuture.completedFuture(true) : drainer.drain(s, timeout);
    }

    @Override
    public String toString() {
        return "NatsEndpointDispatcher[" + subject + (queueGroup == null ? "" : " group " + queueGroup) + "]";
    }
}
