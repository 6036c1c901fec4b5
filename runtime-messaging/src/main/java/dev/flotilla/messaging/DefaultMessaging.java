package dev.flotilla.messaging;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.flotilla.core.observability.Tracing;
import dev.flotilla.messaging.internal.DeliveryInterceptor;
import dev.flotilla.resilience.Deadline;
import io.helidon.metrics.api.MeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-independent half of messaging: JSON, outgoing headers and spans, subscriptions with their handler
 * threads, request-reply, counters, drain and close. Each received message is run through its handler by
 * {@link HandlerDelivery} (acks, redeliveries, dead letters, error replies). What the service sends is signed, and
 * what its subscriptions receive verified, by {@link PublisherSignatures}.
 */
final class DefaultMessaging implements Messaging, dev.flotilla.messaging.internal.TransportAccess {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultMessaging.class);
    private static final Duration CLOSE_DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private final String serviceName;
    private final String deadLetterSubject;
    private final Transport transport;
    private final JsonCodec codec = new JsonCodec();
    private final Set<ManagedSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder published = new LongAdder();
    private final LongAdder slowConsumers = new LongAdder();

    private final HandlerDelivery delivery;
    private final EventCatalog events;
    private final Tracing tracing;
    private final PublisherSignatures signatures;
    /** Null when nothing is counted. */
    private final MeterRegistry metrics;

    private DefaultMessaging(String serviceName, String deadLetterSubject, DeliveryInterceptor interceptor,
                             java.util.function.Function<Transport.Events, Transport> transportFactory,
                             Tracing tracing, MeterRegistry metrics, PublisherSignatures signatures) {
        this.serviceName = serviceName;
        this.signatures = signatures;
        this.tracing = tracing;
        this.metrics = metrics;
        this.deadLetterSubject = deadLetterSubject;
        this.transport = transportFactory.apply(subject -> slowConsumers.increment());
        this.delivery = new HandlerDelivery(serviceName, deadLetterSubject, transport, codec, tracing, interceptor);
        this.events = new EventCatalog(list -> transport.describe(Map.of(EventCatalog.METADATA_KEY,
                                                                         EventCatalog.metadata(list))));
    }

    @Override
    public EventCatalog events() {
        return events;
    }

    /** Subscriptions to a concrete, versioned subject declare what they consume. */
    private void consumes(String subject, Class<?> type) {
        if (Subjects.isVersioned(subject) && type != byte[].class) {
            events.consumes(subject, type);
        }
    }

    static DefaultMessaging create(String serviceName, String version, Optional<URI> httpUri, NatsSettings nats,
                                   InJvmBroker broker, String deadLetterSubject, List<StreamDefinition> streams,
                                   DeliveryInterceptor interceptor, Tracing tracing, MeterRegistry metrics,
                                   PublisherSignatures signatures) {
        ServiceIdentity identity = new ServiceIdentity(serviceName, version, httpUri);
        DefaultMessaging messaging = new DefaultMessaging(serviceName, deadLetterSubject, interceptor,
                events -> nats != null ? new NatsTransport(nats, identity, events) : new InJvmTransport(broker, events),
                tracing, metrics, signatures);
        if (messaging.transport instanceof NatsTransport natsTransport) {
            // dead letters are rare: permissions must allow them before the first one
            natsTransport.usage().published(deadLetterSubject);
        }
        try {
            streams.forEach(messaging::declareStream);
        } catch (RuntimeException e) {
            messaging.transport.close();
            throw e;
        }
        return messaging;
    }

    Transport transportImpl() {
        return transport;
    }

    @Override
    public Optional<io.nats.client.Connection> natsConnection() {
        return transport instanceof NatsTransport nats ? Optional.of(nats.connection()) : Optional.empty();
    }

    @Override
    public <T> Optional<T> inJvmShared(String key, Class<T> type, java.util.function.Supplier<T> factory) {
        return transport instanceof InJvmTransport inJvm ? Optional.of(inJvm.broker().shared(key, type, factory))
                : Optional.empty();
    }

    // ---- publish

    @Override
    public void publish(String subject, Object event, Map<String, String> headers) {
        Subjects.checkConcrete(subject);
        Objects.requireNonNull(event, "event");
        checkOpen();
        Objects.requireNonNull(headers, "headers");
        byte[] body = codec.encode(event);
        Tracing.Span span = producerSpan("publish", subject);
        try {
            transport.publish(subject, signatures.sign(subject, outgoing(headers, span, null), body), body);
        } catch (RuntimeException e) {
            failed(span, e);
            throw e;
        } finally {
            end(span);
        }
        published.increment();
    }

    /** A span around sending, only when spans are recorded: propagation alone needs none. */
    private Tracing.Span producerSpan(String operation, String subject) {
        if (!tracing.exporting()) {
            return null;
        }
        Tracing.Span span = tracing.startChild(operation + " " + subject,
                                               operation.equals("request") ? SpanKind.CLIENT : SpanKind.PRODUCER);
        return span.attribute("messaging.system", transport.name())
                .attribute("messaging.destination.name", subject)
                .attribute("messaging.operation.type", operation.equals("request") ? "send" : operation);
    }

    private static void failed(Tracing.Span span, Throwable e) {
        if (span != null) {
            span.failed(e);
        }
    }

    private static void end(Tracing.Span span) {
        if (span != null) {
            span.end();
        }
    }

    /**
     * The headers a message goes out with: the given ones, the caller's correlation id and trace context, and the
     * request's budget ({@code null} for events: an event is not a call, so the caller's deadline stays behind).
     */
    private static Map<String, String> outgoing(Map<String, String> headers, Tracing.Span span, Budget budget) {
        if (span == null && headers.isEmpty() && budget == null && !CallContextHeaders.present()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>(headers);
        CallContextHeaders.addTo(out);
        if (span != null) {
            CallContextHeaders.addSpan(out, span);
        }
        if (budget != null) {
            out.put(MessagingHeaders.DEADLINE, Long.toString(budget.limit.toMillis()));
        }
        return out;
    }

    /**
     * How long a request made in a context with a deadline waits: the smaller of its timeout and what is left of
     * the deadline, which is also the budget it carries to the responder (whole milliseconds, rounded down, so the
     * responder gives up no later than the requester).
     *
     * @param limit         how long to wait for the reply
     * @param deadlineBound whether the deadline, not the timeout, set it
     */
    private record Budget(Duration limit, boolean deadlineBound) {

        /** The budget of a request; {@code null} outside a deadline. Throws when less than a millisecond is left. */
        static Budget of(String subject, Duration timeout) {
            Deadline deadline = CallContextHeaders.deadline();
            if (deadline == null) {
                return null;
            }
            Duration remaining = deadline.remaining();
            if (remaining.toMillis() == 0) {
                // what the responder would get is 0 ms: it would refuse the request, so it is not sent at all
                throw RequestTimeoutException.deadlineRanOut(subject);
            }
            return remaining.compareTo(timeout) < 0 ? new Budget(remaining, true) : new Budget(timeout, false);
        }

        /** The timeout a caller sees when no reply came: says so when it was the caller's deadline that ran out. */
        RequestTimeoutException timedOut(String subject, RequestTimeoutException e) {
            return deadlineBound ? RequestTimeoutException.deadlineReached(subject, limit) : e;
        }
    }

    @Override
    public PublishAck publishDurable(String subject, Object event, String messageId) {
        Subjects.checkConcrete(subject);
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(messageId, "messageId");
        checkOpen();
        byte[] body = codec.encode(event);
        Tracing.Span span = producerSpan("publish", subject);
        PublishAck ack;
        try {
            if (span != null) {
                span.attribute("messaging.message.id", messageId);
            }
            ack = transport.publishDurable(subject, signatures.sign(subject, outgoing(Map.of(), span, null), body),
                                           body, messageId);
        } catch (RuntimeException e) {
            failed(span, e);
            throw e;
        } finally {
            end(span);
        }
        published.increment();
        return ack;
    }

    @Override
    public CompletableFuture<PublishAck> publishDurableAsync(String subject, Object event, String messageId,
                                                             Map<String, String> headers) {
        Subjects.checkConcrete(subject);
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(headers, "headers");
        checkOpen();
        byte[] body = codec.encode(event);
        Tracing.Span span = null;
        if (tracing.exporting()) {
            // a trace context recorded with the event (an outbox row) is the parent; else the caller's
            String parent = headers.get(MessagingHeaders.TRACEPARENT);
            span = parent != null ? tracing.start("publish " + subject, SpanKind.PRODUCER, parent,
                                                  headers.get(MessagingHeaders.TRACESTATE))
                    : tracing.startChild("publish " + subject, SpanKind.PRODUCER);
            span.attribute("messaging.system", transport.name())
                    .attribute("messaging.destination.name", subject)
                    .attribute("messaging.operation.type", "publish")
                    .attribute("messaging.message.id", messageId);
        }
        CompletableFuture<PublishAck> ack;
        try {
            ack = transport.publishDurableAsync(subject, signatures.sign(subject, outgoing(headers, span, null), body),
                                                body, messageId);
        } catch (RuntimeException e) {
            failed(span, e);
            end(span);
            throw e;
        }
        Tracing.Span publishSpan = span;
        return ack.whenComplete((value, error) -> {
            if (error == null) {
                published.increment();
            } else {
                failed(publishSpan, error);
            }
            end(publishSpan);
        });
    }

    @Override
    public void declareStream(StreamDefinition stream) {
        Objects.requireNonNull(stream, "stream");
        checkOpen();
        transport.declareStream(stream);
    }

    // ---- subscribe

    @Override
    public <T> Subscription subscribe(String subject, Class<T> type, SubscriptionOptions options,
                                      MessageHandler<T> handler) {
        Subjects.checkPattern(subject);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        checkOpen();
        String queueGroup = queueGroup(options);
        PublisherSignatures.Check check = signatures.check(subject, options, false);
        consumes(subject, type);
        SubscriptionMetrics meters = SubscriptionMetrics.create(metrics, serviceName, subject);
        return start(subject, queueGroup, options,
                     raw -> delivery.handle(subject, raw, type, handler, null, check, meters),
                     sink -> transport.subscribe(subject, queueGroup, sink));
    }

    @Override
    public <T> Subscription subscribeDurable(String subject, Class<T> type, SubscriptionOptions options,
                                             MessageHandler<T> handler) {
        Subjects.checkPattern(subject);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (options.broadcast()) {
            throw new IllegalArgumentException("A durable subscription on '" + subject + "' can't be broadcast: "
                    + "give each instance its own durableName instead");
        }
        checkOpen();
        PublisherSignatures.Check check = signatures.check(subject, options, true);
        consumes(subject, type);
        String durable = options.durableName().orElse(Subjects.toName(serviceName) + "-" + Subjects.toName(subject));
        SubscriptionMetrics meters = SubscriptionMetrics.create(metrics, serviceName, subject);
        return start(subject, durable, options,
                     raw -> delivery.handle(subject, raw, type, handler, options, check, meters),
                     sink -> transport.subscribeDurable(subject, durable, options, sink));
    }

    /**
     * Starts a subscription: its handler workers, then the transport's intake feeding them. When the transport
     * refuses, the workers are stopped and the failure is thrown.
     */
    private Subscription start(String subject, String group, SubscriptionOptions options,
                               Consumer<RawMessage> handling, Function<Consumer<RawMessage>, Transport.Handle> intake) {
        HandlerWorkers workers = new HandlerWorkers(subject, serviceName, options.concurrency(), options.prefetch(),
                true, handling);
        Transport.Handle handle;
        try {
            handle = intake.apply(workers::submit);
        } catch (RuntimeException e) {
            workers.stopNow();
            throw e;
        }
        return register(new ManagedSubscription(subject, group, handle, workers));
    }

    private String queueGroup(SubscriptionOptions options) {
        return options.broadcast() ? null : options.queueGroup().orElse(serviceName);
    }

    // ---- request-reply

    @Override
    public <R> CompletableFuture<R> requestAsync(String subject, Object request, Class<R> replyType,
                                                 Duration timeout) {
        Subjects.checkConcrete(subject);
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(replyType, "replyType");
        Objects.requireNonNull(timeout, "timeout");
        checkOpen();
        byte[] body = codec.encode(request);
        Budget budget;
        try {
            budget = Budget.of(subject, timeout);
        } catch (RequestTimeoutException e) {
            return CompletableFuture.failedFuture(e);
        }
        Tracing.Span span = producerSpan("request", subject);
        CompletableFuture<R> reply;
        try {
            CompletableFuture<RawMessage> raw = transport.request(
                    subject, signatures.sign(subject, outgoing(Map.of(), span, budget), body), body,
                    budget == null ? timeout : budget.limit);
            if (budget != null && budget.deadlineBound) {
                raw = raw.exceptionally(error -> {
                    Throwable cause = error instanceof CompletionException c && c.getCause() != null
                            ? c.getCause() : error;
                    if (cause instanceof RequestTimeoutException e) {
                        throw budget.timedOut(subject, e);
                    }
                    throw error instanceof CompletionException c ? c : new CompletionException(error);
                });
            }
            reply = raw.thenApply(message -> decodeReply(subject, message, replyType));
        } catch (RuntimeException e) {
            failed(span, e);
            end(span);
            throw e;
        }
        if (span == null) {
            return reply;
        }
        return reply.whenComplete((value, error) -> {
            if (error != null) {
                span.failed(error instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                        ? c.getCause() : error);
            }
            span.end();
        });
    }

    /** The same as {@code requestAsync(...).join()}, waiting and decoding on the caller's thread. */
    @Override
    public <R> R request(String subject, Object request, Class<R> replyType, Duration timeout) {
        Subjects.checkConcrete(subject);
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(replyType, "replyType");
        Objects.requireNonNull(timeout, "timeout");
        checkOpen();
        byte[] body = codec.encode(request);
        Budget budget = Budget.of(subject, timeout);
        Tracing.Span span = producerSpan("request", subject);
        try {
            RawMessage reply;
            try {
                reply = transport.requestAndWait(subject,
                                                 signatures.sign(subject, outgoing(Map.of(), span, budget), body),
                                                 body, budget == null ? timeout : budget.limit);
            } catch (RequestTimeoutException e) {
                throw budget == null ? e : budget.timedOut(subject, e);
            }
            return decodeReply(subject, reply, replyType);
        } catch (RuntimeException e) {
            failed(span, e);
            throw e;
        } finally {
            end(span);
        }
    }

    private <R> R decodeReply(String subject, RawMessage reply, Class<R> replyType) {
        String error = reply.headers().get(MessagingHeaders.SERVICE_ERROR);
        if (error != null) {
            int code;
            try {
                code = Integer.parseInt(reply.headers().getOrDefault(MessagingHeaders.SERVICE_ERROR_CODE, "500"));
            } catch (NumberFormatException e) {
                code = 500;
            }
            if (code == HandlerDelivery.EXPIRED_CODE) {
                throw RequestTimeoutException.expiredAtResponder(subject);
            }
            throw new RemoteHandlerException(subject,
                    reply.headers().getOrDefault(MessagingHeaders.ERROR_TYPE, "unknown"), error, code);
        }
        try {
            return codec.decode(reply.body(), replyType);
        } catch (IOException e) {
            throw new MessagingException("Cannot decode the reply from '" + subject + "' as " + replyType.getName()
                    + ": " + HandlerDelivery.firstLine(e), e);
        }
    }

    @Override
    public <Q, R> Subscription respond(String subject, Class<Q> type, SubscriptionOptions options,
                                       Responder<Q, R> responder) {
        Subjects.checkPattern(subject);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(responder, "responder");
        checkOpen();
        String queueGroup = queueGroup(options);
        PublisherSignatures.Check check = signatures.check(subject, options, false);
        SubscriptionMetrics meters = SubscriptionMetrics.create(metrics, serviceName, subject);
        // both transports deliver requests on a virtual thread of the responder's own: inline at concurrency 1
        return start(subject, queueGroup, options,
                     raw -> delivery.answer(subject, raw, type, responder, check, meters),
                     sink -> transport.respond(subject, queueGroup, sink));
    }

    // ---- lifecycle

    private ManagedSubscription register(ManagedSubscription subscription) {
        subscriptions.add(subscription);
        return subscription;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new MessagingException("Messaging of service '" + serviceName + "' is closed");
        }
    }

    @Override
    public String serviceName() {
        return serviceName;
    }

    @Override
    public String transport() {
        return transport.name();
    }

    @Override
    public String deadLetterSubject() {
        return deadLetterSubject;
    }

    @Override
    public boolean isConnected() {
        return !closed.get() && transport.isConnected();
    }

    Map<String, Object> status() {
        return transport.status();
    }

    @Override
    public Messaging.Stats stats() {
        return new Messaging.Stats(published.sum(), delivery.handled(), delivery.failed(), delivery.deadLettered(),
                slowConsumers.sum(), delivery.expired(), delivery.unverified());
    }

    @Override
    public boolean drainSubscriptions(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        // stop all intake first, so no subscription waits behind another's handlers
        List<ManagedSubscription> all = List.copyOf(subscriptions);
        all.parallelStream().forEach(s -> s.handle.stopIntake(remaining(deadline)));
        boolean done = true;
        for (ManagedSubscription s : all) {
            done &= s.workers.finish(remaining(deadline));
            subscriptions.remove(s);
        }
        return done;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0));
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (!drainSubscriptions(CLOSE_DRAIN_TIMEOUT)) {
                LOG.warn("Messaging of '{}' closed before all handlers finished", serviceName);
            }
            subscriptions.forEach(ManagedSubscription::close);
            transport.close();
        }
    }

    private final class ManagedSubscription implements Subscription {
        private final String subject;
        private final String queueGroup;
        private final Transport.Handle handle;
        private final HandlerWorkers workers;

        ManagedSubscription(String subject, String queueGroup, Transport.Handle handle, HandlerWorkers workers) {
            this.subject = subject;
            this.queueGroup = queueGroup;
            this.handle = handle;
            this.workers = workers;
        }

        @Override
        public String subject() {
            return subject;
        }

        @Override
        public Optional<String> queueGroup() {
            return Optional.ofNullable(queueGroup);
        }

        @Override
        public boolean drain(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean intake = handle.stopIntake(timeout);
            boolean finished = workers.finish(remaining(deadline));
            subscriptions.remove(this);
            return intake && finished;
        }

        @Override
        public void close() {
            handle.close();
            workers.stopNow();
            subscriptions.remove(this);
        }

        @Override
        public String toString() {
            return "Subscription[" + subject + (queueGroup == null ? "" : " group " + queueGroup) + "]";
        }
    }
}
