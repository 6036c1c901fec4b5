package dev.flotilla.messaging;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.flotilla.core.observability.Tracing;
import dev.flotilla.core.security.internal.ServiceTokens;
import dev.flotilla.messaging.internal.DeliveryInterceptor;
import io.helidon.config.Config;
import io.helidon.metrics.api.MeterRegistry;

/**
 * Messaging for one service: typed publish/subscribe and request-reply (core NATS, at-most-once) and durable
 * streams (JetStream, at-least-once), over NATS or the in-JVM transport.
 *
 * <p>Inside a Flotilla service, get it with {@code context.extension(Messaging.class)}; it is configured under
 * {@code messaging} and started and drained with the service. Standalone, build one with {@link #builder()} and
 * {@link #close()} it. Payloads are JSON (Jackson; records and java.time supported; unknown properties ignored);
 * a {@code byte[]} payload is sent as is.
 *
 * <p>Subscriptions are competing consumers: they join the queue group named after the service, so N instances
 * of a service share the work; {@link SubscriptionOptions.Builder#broadcast(boolean)} delivers to every instance.
 * Handlers run on virtual threads, in a {@link dev.flotilla.core.observability.CallContext} with the publisher's
 * correlation id and trace context (and so in the MDC) and, for a request, its requester's deadline: a request made
 * within a deadline carries what is left of it ({@link MessagingHeaders#DEADLINE}), an event does not (see
 * {@code docs/messaging.md}, "Deadlines"). A message
 * that cannot be decoded, or whose core handler throws, goes to the {@linkplain #deadLetterSubject() dead-letter
 * subject} with the reason; it is never dropped silently.
 *
 * <p>A service with a key ({@code security.identity.key}) signs every message it sends
 * ({@link MessagingHeaders#PUBLISHER}); a subscription that verifies publishers ({@code messaging.verify-publishers},
 * or {@link SubscriptionOptions.Builder#publishers(String...)}) handles only messages whose signature verifies, and
 * dead-letters the others with the reason (see {@code docs/security.md}, "Signed messages on NATS").
 *
 * <p>Implementations are thread-safe.
 */
public interface Messaging extends AutoCloseable {

    /** Default prefix of the dead-letter subject; the service name follows. */
    String DEFAULT_DEAD_LETTER_PREFIX = "deadletter.";

    /**
     * A builder for standalone messaging.
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Standalone messaging from a {@code messaging} config node (see {@link Builder#config(Config)}).
     *
     * @param serviceName the service name
     * @param config      the {@code messaging} node
     * @return started messaging; close it when done
     * @throws IllegalArgumentException if the config or name is invalid
     * @throws MessagingException       if NATS cannot be reached or a stream cannot be declared
     * @throws NullPointerException     if an argument is {@code null}
     */
    static Messaging create(String serviceName, Config config) {
        return builder().serviceName(serviceName).config(config).build();
    }

    /**
     * Standalone messaging set up by a consumer of the builder.
     *
     * @param setup sets at least the service name
     * @return started messaging; close it when done
     * @throws IllegalStateException if the setup did not set a service name
     * @throws MessagingException    if NATS cannot be reached or a stream cannot be declared
     * @throws NullPointerException  if {@code setup} is {@code null}
     */
    static Messaging create(java.util.function.Consumer<Builder> setup) {
        Builder builder = builder();
        setup.accept(builder);
        return builder.build();
    }

    /**
     * Publishes an event (core NATS: at-most-once; buffered briefly while reconnecting).
     *
     * @param subject a concrete subject such as {@code orders.order-created.v1}
     * @param event   the event, encoded as JSON
     * @throws IllegalArgumentException if the subject is invalid or has wildcards
     * @throws MessagingException       if the event cannot be encoded or the connection is closed
     * @throws NullPointerException     if an argument is {@code null}
     */
    default void publish(String subject, Object event) {
        publish(subject, event, Map.of());
    }

    /**
     * Publishes an event with extra headers.
     *
     * @param subject a concrete subject
     * @param event   the event, encoded as JSON
     * @param headers headers to send; the correlation id and trace context are added from the current
     *                {@link dev.flotilla.core.observability.CallContext}, its deadline is not (an event is not a
     *                call); a {@link MessagingHeaders#DEADLINE} given here is the event's own budget, after which
     *                a core subscription drops it unhandled
     * @throws IllegalArgumentException if the subject is invalid or has wildcards
     * @throws MessagingException       if the event cannot be encoded or the connection is closed
     * @throws NullPointerException     if an argument is {@code null}
     */
    void publish(String subject, Object event, Map<String, String> headers);

    /**
     * Subscribes with the default options: competing consumers in the service's queue group, one message at a
     * time.
     *
     * @param subject the subject; {@code *} and {@code >} wildcards allowed
     * @param type    the payload type to decode to
     * @param handler the handler
     * @param <T>     the payload type
     * @return the subscription
     * @throws IllegalArgumentException if the subject is invalid
     * @throws MessagingException       if the subscription cannot be made
     * @throws NullPointerException     if an argument is {@code null}
     */
    default <T> Subscription subscribe(String subject, Class<T> type, MessageHandler<T> handler) {
        return subscribe(subject, type, SubscriptionOptions.defaults(), handler);
    }

    /**
     * Subscribes (core NATS: at-most-once; a handler failure dead-letters the message, it is not redelivered).
     * The subscription is in effect when this returns: on NATS the server has confirmed it, so a message published
     * afterwards, from any connection, is received.
     *
     * @param subject the subject; wildcards allowed
     * @param type    the payload type
     * @param options queue group or broadcast, concurrency, prefetch, allowed publishers
     * @param handler the handler
     * @param <T>     the payload type
     * @return the subscription
     * @throws IllegalArgumentException if the subject is invalid, or {@code options} allows a publisher whose key is
     *                                  not trusted
     * @throws MessagingException       if the subscription cannot be made
     * @throws NullPointerException     if an argument is {@code null}
     */
    <T> Subscription subscribe(String subject, Class<T> type, SubscriptionOptions options,
                               MessageHandler<T> handler);

    /**
     * Sends a request and waits for the reply. Within a deadline (that of the current
     * {@link dev.flotilla.core.observability.CallContext}, such as an HTTP caller's), it waits at most what is left of
     * it, and the request carries that budget to the responder ({@link MessagingHeaders#DEADLINE}).
     *
     * @param subject   a concrete subject
     * @param request   the request, encoded as JSON
     * @param replyType the type to decode the reply to
     * @param timeout   how long to wait at most
     * @param <R>       the reply type
     * @return the reply; never {@code null}
     * @throws NoRespondersException   if nobody listens on the subject
     * @throws RequestTimeoutException if no reply came in time, if the caller's deadline left less than a
     *                                 millisecond (the request is then not sent), or if the responder got the
     *                                 request after its deadline had run out (and did not run it)
     * @throws RemoteHandlerException  if the responder threw
     * @throws MessagingException      if the reply could not be decoded or the request not sent
     * @throws NullPointerException    if an argument is {@code null}
     */
    default <R> R request(String subject, Object request, Class<R> replyType, Duration timeout) {
        try {
            return requestAsync(subject, request, replyType, timeout).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new MessagingException("Request to '" + subject + "' failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Sends a request; the future completes with the reply or with the exceptions listed on
     * {@link #request(String, Object, Class, Duration)}, deadlines included (a request with no time left completes
     * exceptionally at once).
     *
     * @param subject   a concrete subject
     * @param request   the request
     * @param replyType the reply type
     * @param timeout   how long to wait
     * @param <R>       the reply type
     * @return the future reply
     * @throws IllegalArgumentException if the subject is invalid
     * @throws NullPointerException     if an argument is {@code null}
     */
    <R> CompletableFuture<R> requestAsync(String subject, Object request, Class<R> replyType, Duration timeout);

    /**
     * Answers requests on a subject, sharing them with the service's other instances. On NATS the responder is
     * an endpoint of the service's NATS micro service, listed by {@code $SRV.INFO}. It is in effect when this
     * returns: a request sent afterwards, from any connection, is answered. The responder runs with the request's
     * deadline; a request whose deadline has run out before the responder can start is not run, and its requester
     * gets a {@link RequestTimeoutException}.
     *
     * @param subject   the subject
     * @param type      the request type
     * @param responder the responder
     * @param <Q>       the request type
     * @param <R>       the reply type
     * @return the registration; close it to stop answering
     * @throws IllegalArgumentException if the subject is invalid
     * @throws NullPointerException     if an argument is {@code null}
     */
    default <Q, R> Subscription respond(String subject, Class<Q> type, Responder<Q, R> responder) {
        return respond(subject, type, SubscriptionOptions.defaults(), responder);
    }

    /**
     * Answers requests on a subject with options (queue group, concurrency).
     *
     * @param subject   the subject
     * @param type      the request type
     * @param options   the options (allowed publishers included); durable settings are ignored
     * @param responder the responder
     * @param <Q>       the request type
     * @param <R>       the reply type
     * @return the registration
     * @throws IllegalArgumentException if the subject is invalid, or {@code options} allows a publisher whose key is
     *                                  not trusted
     * @throws NullPointerException     if an argument is {@code null}
     */
    <Q, R> Subscription respond(String subject, Class<Q> type, SubscriptionOptions options,
                                Responder<Q, R> responder);

    /**
     * Publishes to a JetStream stream and waits for the stream's ack (at-least-once), with a new message id.
     *
     * @param subject a subject some stream captures
     * @param event   the event
     * @return the ack
     * @throws UnsupportedByTransportException on the in-JVM transport
     * @throws MessagingException              if no stream captures the subject, the payload is over the server's
     *                                         max_payload, or no ack came in time
     * @throws NullPointerException            if an argument is {@code null}
     */
    default PublishAck publishDurable(String subject, Object event) {
        return publishDurable(subject, event, java.util.UUID.randomUUID().toString());
    }

    /**
     * Publishes to a JetStream stream with the given message id ({@code Nats-Msg-Id}): a publish repeated with
     * the same id within the stream's duplicate window is stored once. Retries while the server is away, with
     * the same id, for {@link NatsSettings#publishRetryTimeout()}.
     *
     * @param subject   a subject some stream captures
     * @param event     the event
     * @param messageId the de-duplication id, such as the event's own id
     * @return the ack; {@link PublishAck#duplicate()} tells whether the stream already had it
     * @throws UnsupportedByTransportException on the in-JVM transport
     * @throws MessagingException              if no stream captures the subject, the payload is over the server's
     *                                         max_payload, or no ack came in time
     * @throws NullPointerException            if an argument is {@code null}
     */
    PublishAck publishDurable(String subject, Object event, String messageId);

    /**
     * Publishes to a JetStream stream without waiting for the ack, for a caller that keeps several publishes in
     * flight (and bounds how many itself): one attempt, not retried; on failure the future completes exceptionally
     * and the caller publishes again with the same message id, which the stream stores once within its duplicate
     * window. The message is signed and traced like any other; a {@link MessagingHeaders#TRACEPARENT} given in
     * {@code headers} (such as one recorded when the event was written) is the parent of the publish span, else the
     * current call context's is.
     *
     * @param subject   a subject some stream captures
     * @param event     the event, encoded as JSON ({@code byte[]}, such as JSON encoded earlier, is sent as is)
     * @param messageId the de-duplication id ({@code Nats-Msg-Id})
     * @param headers   headers to send; the current call context's correlation id and trace context are added
     *                  unless given here
     * @return completes with the ack, or exceptionally with a {@link MessagingException} (no stream captures the
     *         subject, the stream refused the message, no ack came within the connection's request cleanup interval
     *         or the connection is closed) or an {@link UnsupportedByTransportException} on the in-JVM transport
     * @throws IllegalArgumentException if the subject is invalid or has wildcards
     * @throws MessagingException       if the event cannot be encoded or messaging is closed
     * @throws NullPointerException     if an argument is {@code null}
     */
    CompletableFuture<PublishAck> publishDurableAsync(String subject, Object event, String messageId,
                                                      Map<String, String> headers);

    /**
     * Consumes a stream through the service's durable consumer with default options.
     *
     * @param subject the subject (filter) to consume; a stream must capture it
     * @param type    the payload type
     * @param handler the handler
     * @param <T>     the payload type
     * @return the subscription
     * @throws UnsupportedByTransportException on the in-JVM transport
     * @throws MessagingException              if no stream captures the subject
     * @throws NullPointerException            if an argument is {@code null}
     */
    default <T> Subscription subscribeDurable(String subject, Class<T> type, MessageHandler<T> handler) {
        return subscribeDurable(subject, type, SubscriptionOptions.defaults(), handler);
    }

    /**
     * Consumes a stream through a durable consumer, at-least-once: a message is acked after the handler
     * returns; when the handler throws it is nak'ed and redelivered after the backoff; after
     * {@link SubscriptionOptions#maxDeliver()} deliveries, and at once when it cannot be decoded, it goes to the
     * dead-letter subject and is terminated. Instances with the same durable name share the messages. Deadlines do
     * not apply: a stored message may be delivered, or redelivered, long after it was published, so the handler runs
     * without one.
     *
     * @param subject the subject (filter) to consume
     * @param type    the payload type
     * @param options durable name, max deliveries, backoff, ack wait, concurrency, prefetch, allowed publishers
     * @param handler the handler
     * @param <T>     the payload type
     * @return the subscription
     * @throws IllegalArgumentException        if {@code options} asks for broadcast, or allows a publisher whose key
     *                                         is not trusted
     * @throws UnsupportedByTransportException on the in-JVM transport
     * @throws MessagingException              if no stream captures the subject
     * @throws NullPointerException            if an argument is {@code null}
     */
    <T> Subscription subscribeDurable(String subject, Class<T> type, SubscriptionOptions options,
                                      MessageHandler<T> handler);

    /**
     * Creates or updates a JetStream stream.
     *
     * @param stream the definition
     * @throws UnsupportedByTransportException on the in-JVM transport
     * @throws MessagingException              if the server refuses the definition
     * @throws NullPointerException            if {@code stream} is {@code null}
     */
    void declareStream(StreamDefinition stream);

    /**
     * The events this service publishes and consumes, with their schemas: listed in {@code $SRV.INFO} and at
     * {@code /asyncapi}, and part of the service's contract snapshot (see {@code docs/versioning.md}).
     *
     * @return the catalog; subscriptions to concrete versioned subjects are already in it
     */
    EventCatalog events();

    /**
     * The service name, used as queue group, connection name and NATS service name.
     *
     * @return the name
     */
    String serviceName();

    /**
     * The transport's name: {@code nats} or {@code in-jvm}.
     *
     * @return the name
     */
    String transport();

    /**
     * The subject dead letters go to.
     *
     * @return the subject, by default {@code deadletter.<service>}
     */
    String deadLetterSubject();

    /**
     * Whether the transport is connected now.
     *
     * @return {@code true} when connected
     */
    boolean isConnected();

    /**
     * Counters since this instance was built.
     *
     * @return a snapshot
     */
    Stats stats();

    /**
     * Stops every subscription taking new messages and waits for handlers in flight to finish and ack.
     *
     * @param timeout the longest time to wait
     * @return {@code true} when everything finished in time
     * @throws NullPointerException if {@code timeout} is {@code null}
     */
    boolean drainSubscriptions(Duration timeout);

    /**
     * Drains briefly (five seconds at most), then closes the connection. Idempotent.
     */
    @Override
    void close();

    /**
     * Builds standalone {@link Messaging}. Not thread-safe.
     */
    final class Builder {

        private String serviceName;
        private String serviceVersion = "0.0.0";
        private URI httpUri;
        private NatsSettings nats;
        private InJvmBroker broker;
        private String deadLetterSubject;
        private final List<StreamDefinition> streams = new ArrayList<>();
        private DeliveryInterceptor interceptor = DeliveryInterceptor.NONE;
        private Tracing tracing;
        private MeterRegistry metrics;
        private Config identity;
        private ServiceTokens serviceTokens;
        private boolean verifyPublishers;
        private Supplier<Optional<String>> onBehalfOf = Optional::empty;

        private Builder() {
        }

        /**
         * Reads the service's identity from its configuration (the root node, not {@code messaging}):
         * {@code security.identity.key}, its private EC P-256 key (a JWK whose {@code kid} is the service name), with
         * which it signs every message it sends; and {@code security.identity.trusted}, the public keys (a JWK set)
         * of the services whose messages it can verify. Without it the service neither signs nor verifies. Inside a
         * Flotilla service this is done for you.
         *
         * @param config the service's root configuration node
         * @return this builder
         * @throws NullPointerException if {@code config} is {@code null}
         */
        public Builder identity(Config config) {
            this.identity = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Uses these keys instead of those read by {@link #identity(Config)}. */
        Builder serviceTokens(ServiceTokens tokens) {
            this.serviceTokens = Objects.requireNonNull(tokens, "tokens");
            return this;
        }

        /**
         * Makes every subscription and responder verify its publishers: only messages whose signature
         * ({@link MessagingHeaders#PUBLISHER}) verifies against a trusted key, for the subject they came on and the
         * payload they carry, are handled; the others are dead-lettered with the reason (a request gets an error
         * reply). Config key {@code messaging.verify-publishers}; default {@code false}, where only subscriptions
         * with {@link SubscriptionOptions.Builder#publishers(String...)} verify.
         *
         * @param verify whether to verify everywhere
         * @return this builder
         */
        public Builder verifyPublishers(boolean verify) {
            this.verifyPublishers = verify;
            return this;
        }

        /**
         * Where the user on whose behalf the current thread sends comes from: called for each message sent, and a
         * present value goes into the signature (claim {@code usr}), so that the receiver's
         * {@link Publisher#user()} names it. It should be a user the service has itself verified (such as its
         * HTTP caller's). Default: none, the service sends on its own account.
         *
         * @param currentUser the current thread's user, or empty
         * @return this builder
         * @throws NullPointerException if {@code currentUser} is {@code null}
         */
        public Builder onBehalfOf(Supplier<Optional<String>> currentUser) {
            this.onBehalfOf = Objects.requireNonNull(currentUser, "currentUser");
            return this;
        }

        /**
         * Where messaging spans go: {@code publish <subject>} (producer), {@code process <subject>} (consumer, a
         * child of and linked to the publishing span whose context came in the {@code traceparent} header),
         * {@code request <subject>} (client) and {@code respond <subject>} (server). Default: propagation only.
         *
         * @param tracing the service's tracing
         * @return this builder
         * @throws NullPointerException if {@code tracing} is {@code null}
         */
        public Builder tracing(Tracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        /**
         * Where to count each subscription's messages: {@code flotilla.messaging.subscription.handled},
         * {@code .failed}, {@code .redelivered}, {@code .dead-lettered}, {@code .expired}, {@code .unverified} and
         * the timer {@code .processing}, tagged
         * {@code service} and {@code subject} (as subscribed). Default: not counted.
         *
         * @param registry the meter registry
         * @return this builder
         * @throws NullPointerException if {@code registry} is {@code null}
         */
        public Builder metrics(MeterRegistry registry) {
            this.metrics = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Sets the service name (queue group, NATS connection and service name). Required.
         *
         * @param name the name
         * @return this builder
         * @throws IllegalArgumentException if blank
         * @throws NullPointerException     if {@code name} is {@code null}
         */
        public Builder serviceName(String name) {
            if (Objects.requireNonNull(name, "name").isBlank() || name.contains(" ")) {
                throw new IllegalArgumentException("serviceName must be non-blank without spaces, was '" + name + "'");
            }
            this.serviceName = name;
            return this;
        }

        /**
         * Sets the service version shown by {@code $SRV.INFO}; default {@code 0.0.0}.
         *
         * @param version the version, semantic versioning preferred
         * @return this builder
         * @throws NullPointerException if {@code version} is {@code null}
         */
        public Builder serviceVersion(String version) {
            this.serviceVersion = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * Sets the HTTP base URL published in the {@code $SRV.INFO} metadata as {@code http.url}.
         *
         * @param uri the URL
         * @return this builder
         * @throws NullPointerException if {@code uri} is {@code null}
         */
        public Builder httpUri(URI uri) {
            this.httpUri = Objects.requireNonNull(uri, "uri");
            return this;
        }

        /**
         * Uses NATS with these settings.
         *
         * @param settings the settings
         * @return this builder
         * @throws NullPointerException if {@code settings} is {@code null}
         */
        public Builder nats(NatsSettings settings) {
            this.nats = Objects.requireNonNull(settings, "settings");
            this.broker = null;
            return this;
        }

        /**
         * Uses the in-JVM transport over this broker (the default, with a private broker, when neither NATS nor
         * a broker is set).
         *
         * @param broker the broker shared by the services that should talk to each other
         * @return this builder
         * @throws NullPointerException if {@code broker} is {@code null}
         */
        public Builder inJvm(InJvmBroker broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
            this.nats = null;
            return this;
        }

        /**
         * Sets the dead-letter subject; default {@code deadletter.<service name>}.
         *
         * @param subject a concrete subject
         * @return this builder
         * @throws IllegalArgumentException if invalid
         * @throws NullPointerException     if {@code subject} is {@code null}
         */
        public Builder deadLetterSubject(String subject) {
            this.deadLetterSubject = Subjects.checkConcrete(subject);
            return this;
        }

        /**
         * Adds a stream to declare when messaging is built.
         *
         * @param stream the stream
         * @return this builder
         * @throws NullPointerException if {@code stream} is {@code null}
         */
        public Builder addStream(StreamDefinition stream) {
            streams.add(Objects.requireNonNull(stream, "stream"));
            return this;
        }

        /**
         * Reads the {@code messaging} config node: {@code transport} ({@code nats} or {@code in-jvm}; default
         * {@code nats} when {@code nats} is configured, else {@code in-jvm}), {@code nats.*}
         * ({@link NatsSettings#create(Config)}), {@code dead-letter-subject}, {@code streams.<name>.*}
         * ({@link StreamDefinition#create(Config)}), {@code verify-publishers} ({@link #verifyPublishers(boolean)}).
         *
         * @param config the {@code messaging} node
         * @return this builder
         * @throws IllegalArgumentException if a value is invalid
         * @throws NullPointerException     if {@code config} is {@code null}
         */
        public Builder config(Config config) {
            String transport = config.get("transport").asString()
                    .orElse(config.get("nats").exists() ? "nats" : "in-jvm");
            switch (transport) {
                case "nats" -> nats(NatsSettings.create(config.get("nats")));
                case "in-jvm" -> {
                    if (broker == null) {
                        nats = null;
                    }
                }
                default -> throw new IllegalArgumentException("messaging.transport must be nats or in-jvm, was '"
                        + transport + "'");
            }
            config.get("dead-letter-subject").asString().ifPresent(this::deadLetterSubject);
            config.get("verify-publishers").asBoolean().ifPresent(this::verifyPublishers);
            config.get("streams").asNodeList().ifPresent(nodes -> nodes.forEach(
                    n -> addStream(StreamDefinition.create(n))));
            return this;
        }

        /** Sees every message before its handler runs (see {@link MessagingExtension#start()}). */
        Builder deliveryInterceptor(DeliveryInterceptor interceptor) {
            this.interceptor = Objects.requireNonNull(interceptor, "interceptor");
            return this;
        }

        Optional<InJvmBroker> broker() {
            return Optional.ofNullable(broker);
        }

        /**
         * Connects, declares the streams and registers the NATS service.
         *
         * @return the messaging
         * @throws IllegalStateException    if no service name was set
         * @throws IllegalArgumentException if a key of the identity is invalid, or publishers are to be verified but
         *                                  no key is trusted
         * @throws MessagingException       if NATS cannot be reached or a stream cannot be declared
         */
        public Messaging build() {
            if (serviceName == null) {
                throw new IllegalStateException("Messaging.Builder needs serviceName(...)");
            }
            ServiceTokens tokens = serviceTokens != null ? serviceTokens
                    : identity != null ? ServiceTokens.from(identity, serviceName, Clock.systemUTC())
                    : ServiceTokens.of(serviceName, null, null, Clock.systemUTC());
            PublisherSignatures signatures = new PublisherSignatures(tokens, onBehalfOf, verifyPublishers);
            String dlq = deadLetterSubject != null ? deadLetterSubject
                    : DEFAULT_DEAD_LETTER_PREFIX + Subjects.toName(serviceName);
            return DefaultMessaging.create(serviceName, serviceVersion, Optional.ofNullable(httpUri), nats,
                    broker != null ? broker : new InJvmBroker(), dlq, List.copyOf(streams), interceptor,
                    tracing != null ? tracing : Tracing.propagationOnly(serviceName), metrics, signatures);
        }
    }

    /**
     * Counters of one {@link Messaging} instance since it was built.
     *
     * @param published      messages published (core and durable)
     * @param handled        messages whose handler returned normally
     * @param failed         handler invocations that threw
     * @param deadLettered   messages sent to the dead-letter subject
     * @param slowConsumers  times the transport reported a slow consumer (messages dropped for a subscriber that
     *                       could not keep up)
     * @param expired        requests and messages whose handler did not run because their deadline
     *                       ({@link MessagingHeaders#DEADLINE}) had run out before it could start
     * @param unverified     messages (dead-lettered) and requests (refused) whose handler did not run because their
     *                       publisher could not be verified or is not allowed
     */
    record Stats(long published, long handled, long failed, long deadLettered, long slowConsumers,
                 long expired, long unverified) {
    }
}
