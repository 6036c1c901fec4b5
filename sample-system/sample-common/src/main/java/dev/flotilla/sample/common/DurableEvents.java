package dev.flotilla.sample.common;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.messaging.MessageHandler;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.MessagingHeaders;
import dev.flotilla.messaging.StreamDefinition;
import dev.flotilla.messaging.Subscription;
import dev.flotilla.messaging.SubscriptionOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's domain events: durable on NATS, best effort on the in-JVM transport, chosen once from the transport.
 *
 * <ul>
 *     <li>On {@code nats}: JetStream. {@link #publish} is {@code publishDurable} with a stable {@code Nats-Msg-Id}
 *     (a retried publish is stored once) and {@link #subscribe} is a durable pull consumer, so events published while
 *     a consumer is stopped reach it when it starts again (at-least-once). The stream of a subject is named after its
 *     first token ({@code orders.order-placed.v1} is in {@code ORDERS}, capturing {@code orders.>}) and declared by
 *     whoever uses it first; {@value #DEAD_LETTER_STREAM} keeps the dead letters ({@code deadletter.>}).</li>
 *     <li>On {@code in-jvm}: plain publish and subscribe, <b>at-most-once</b>: an event published while its
 *     consumer is stopped is lost, and a handler that fails sends the event to the dead-letter subject without a
 *     retry. Good for a demo in one JVM, not for anything that must not be lost.</li>
 * </ul>
 * Handlers must be idempotent either way. Thread-safe.
 */
public final class DurableEvents {
    /** The stream that keeps every service's dead letters: {@value}. */
    public static final String DEAD_LETTER_STREAM = "DEADLETTER";

    /** The configuration key of the ack wait of durable consumers: {@value}. */
    public static final String ACK_WAIT_KEY = "events.ack-wait";

    /**
     * The configuration key of the replicas of the streams this service declares: {@value}. Default 1 (a single
     * development server); 3 on a production cluster (see docs/reliability.md).
     */
    public static final String STREAM_REPLICAS_KEY = "events.stream-replicas";

    /**
     * The configuration key of how many messages of one subscription are handled at once: {@value}. Default
     * {@value #DEFAULT_CONCURRENCY}: the sample's handlers are idempotent and independent of each other's order, so
     * the messages of many orders are handled side by side.
     */
    public static final String CONCURRENCY_KEY = "events.concurrency";
    /** The default of {@value #CONCURRENCY_KEY}: {@value}. */
    public static final int DEFAULT_CONCURRENCY = 8;

    private final Supplier<Messaging> source;
    private final Logger log;
    private final SubscriptionOptions options;
    private final int replicas;
    private final Set<String> declared = ConcurrentHashMap.newKeySet();
    private volatile Messaging messaging;
    private volatile boolean durable;

    private DurableEvents(Supplier<Messaging> source, Logger log, Duration ackWait, int replicas, int concurrency) {
        this.source = source;
        this.log = log;
        this.replicas = replicas;
        this.options = SubscriptionOptions.builder().ackWait(ackWait).concurrency(concurrency).build();
    }

    /**
     * The events of a service, on its messaging extension (its config needs a {@code messaging} section). May be
     * called in {@code routes(...)}: the transport is looked at on first use, once messaging has started. {@value
     * #ACK_WAIT_KEY} sets how long a delivered event may stay unacknowledged before the server delivers it again (30
     * seconds by default); it also bounds how late events pulled by a stopped instance arrive at the next one.
     * {@value #STREAM_REPLICAS_KEY} sets the replicas of the streams it declares (1 by default, 3 on a production
     * cluster). {@value #CONCURRENCY_KEY} sets how many messages of one subscription are handled at once
     * ({@value #DEFAULT_CONCURRENCY} by default).
     *
     * @param context the service's context
     * @return the events
     */
    public static DurableEvents of(ServiceContext context) {
        Objects.requireNonNull(context, "context");
        Duration ackWait = context.config().get(ACK_WAIT_KEY).as(Duration.class)
                .orElse(SubscriptionOptions.DEFAULT_ACK_WAIT);
        int replicas = context.config().get(STREAM_REPLICAS_KEY).asInt().orElse(StreamDefinition.DEFAULT_REPLICAS);
        int concurrency = context.config().get(CONCURRENCY_KEY).asInt().orElse(DEFAULT_CONCURRENCY);
        return new DurableEvents(() -> context.extension(Messaging.class), context.logger(), ackWait, replicas,
                                 concurrency);
    }

    /**
     * The events of a standalone {@link Messaging} (tests, tools).
     *
     * @param messaging the messaging
     * @return the events
     */
    public static DurableEvents of(Messaging messaging) {
        Objects.requireNonNull(messaging, "messaging");
        return new DurableEvents(() -> messaging, LoggerFactory.getLogger(DurableEvents.class),
                                 SubscriptionOptions.DEFAULT_ACK_WAIT, StreamDefinition.DEFAULT_REPLICAS,
                                 DEFAULT_CONCURRENCY);
    }

    private Messaging messaging() {
        Messaging current = messaging;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (messaging == null) {
                Messaging found = source.get();
                durable = "nats".equals(found.transport());
                if (durable) {
                    found.declareStream(StreamDefinition.builder(DEAD_LETTER_STREAM).addSubject("deadletter.>")
                                                .replicas(replicas).build());
                    log.info("Events on NATS JetStream: durable consumers, at-least-once");
                } else {
                    log.warn("Events on the {} transport: no JetStream, so at-most-once (events published while a "
                                     + "consumer is stopped are lost)", found.transport());
                }
                messaging = found;
            }
            return messaging;
        }
    }

    /**
     * Whether events are durable (JetStream).
     *
     * @return {@code true} on NATS
     */
    public boolean durable() {
        messaging();
        return durable;
    }

    /**
     * Publishes an event; on NATS, returns once the stream stored it.
     *
     * @param subject   the subject, {@code <context>.<event>.v<N>}
     * @param event     the event (JSON)
     * @param messageId a stable id: the same event published again carries the same id, e.g. {@code
     *                  order-42-placed}
     */
    public void publish(String subject, Object event, String messageId) {
        Objects.requireNonNull(messageId, "messageId");
        Messaging messaging = messaging();
        if (durable) {
            declareStreamOf(messaging, subject);
            messaging.publishDurable(subject, event, messageId);
        } else {
            messaging.publish(subject, event, Map.of(MessagingHeaders.MESSAGE_ID, messageId));
        }
    }

    /**
     * Declares an event this service publishes, when it starts: it is listed in the service's event catalog (its
     * {@code $SRV.INFO} and {@code /asyncapi}), so least-privilege NATS permissions allow it before the first publish,
     * and on NATS its stream is declared now rather than at the first publish.
     *
     * @param subject the subject, {@code <context>.<event>.v<N>}
     * @param type    the event's record type
     * @return this
     */
    public DurableEvents publishes(String subject, Class<?> type) {
        Messaging messaging = messaging();
        messaging.events().publishes(subject, type);
        if (durable) {
            declareStreamOf(messaging, subject);
        }
        return this;
    }

    /**
     * Subscribes to an event; on NATS with a durable consumer named after the service and subject, shared by the
     * service's instances.
     *
     * @param subject the subject
     * @param type    the payload type
     * @param handler the handler: acked when it returns, redelivered (NATS) when it throws
     * @param <T>     the payload type
     * @return the subscription
     */
    public <T> Subscription subscribe(String subject, Class<T> type, MessageHandler<T> handler) {
        Messaging messaging = messaging();
        if (durable) {
            declareStreamOf(messaging, subject);
            return messaging.subscribeDurable(subject, type, options, handler);
        }
        return messaging.subscribe(subject, type, options, handler);
    }

    /**
     * Subscribes to an event that only one service may publish: a message whose signature does not verify as that
     * service's (unsigned, forged, tampered with, or signed by another service) is never handled but dead-lettered
     * with the reason. The service needs the publisher's public key in {@code security.identity.trusted}.
     *
     * @param publisher the only service whose messages are handled
     * @param subject   the subject
     * @param type      the payload type
     * @param handler   the handler: acked when it returns, redelivered (NATS) when it throws
     * @param <T>       the payload type
     * @return the subscription
     * @throws IllegalArgumentException if this service does not trust {@code publisher}'s key
     */
    public <T> Subscription subscribe(String publisher, String subject, Class<T> type, MessageHandler<T> handler) {
        Messaging messaging = messaging();
        SubscriptionOptions from = SubscriptionOptions.builder().ackWait(options.ackWait())
                .concurrency(options.concurrency()).publishers(publisher).build();
        if (durable) {
            declareStreamOf(messaging, subject);
            return messaging.subscribeDurable(subject, type, from, handler);
        }
        return messaging.subscribe(subject, type, from, handler);
    }

    /**
     * The subject this service's dead letters go to.
     *
     * @return the subject, {@code deadletter.<service>} by default
     */
    public String deadLetterSubject() {
        return messaging().deadLetterSubject();
    }

    private void declareStreamOf(Messaging messaging, String subject) {
        String context = subject.substring(0, subject.indexOf('.'));
        if (declared.add(context)) {
            messaging.declareStream(StreamDefinition.builder(context.toUpperCase(Locale.ROOT))
                                            .addSubject(context + ".>").replicas(replicas).build());
        }
    }
}
