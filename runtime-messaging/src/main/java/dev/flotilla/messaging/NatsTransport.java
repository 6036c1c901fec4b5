package dev.flotilla.messaging;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.nats.client.AuthHandler;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamStatusException;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.service.Endpoint;
import io.nats.service.Service;
import io.nats.service.ServiceEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NATS transport: a jnats connection, one dispatcher per subscription, JetStream pull consumers for durable
 * subscriptions, and a NATS micro service ({@code $SRV.*}) whose endpoints are the responders.
 */
final class NatsTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(NatsTransport.class);
    private static final int STREAM_NAME_IN_USE = 10058;
    private static final String HTTP_URL_METADATA = "http.url";
    private static final Duration STOP_POLL = Duration.ofMillis(100);
    private static final Duration POLL = Duration.ofMillis(200);

    private final NatsSettings settings;
    private final ServiceIdentity identity;
    private final Events events;
    private final Connection connection;
    /**
     * Held while this transport flushes its connection, or drains a subscription (which flushes): one flush at a
     * time. Each flush sends a PING and waits for the server's PONG, and jnats takes more than two unanswered PINGs
     * (its {@code maxPingsOut}) for a dead connection and reconnects; closing many subscriptions at once, or
     * subscribing from several threads, did exactly that, and a drain caught in the reconnect waited for its timeout.
     */
    private final ReentrantLock flushes = new ReentrantLock();
    private final JetStreamOptions jetStreamOptions;
    private final ReentrantLock serviceLock = new ReentrantLock();
    private final List<ServiceEndpoint> endpoints = new ArrayList<>();
    /** The dispatcher of each endpoint in {@link #endpoints}. */
    private final Map<ServiceEndpoint, NatsEndpointDispatcher> dispatchers = new java.util.HashMap<>();
    private final Map<String, String> extraMetadata = new LinkedHashMap<>();
    private Service service;
    private boolean serviceStopped;
    private volatile JetStream jetStream;
    private volatile JetStreamManagement jetStreamManagement;

    NatsTransport(NatsSettings settings, ServiceIdentity identity, Events events) {
        this.settings = settings;
        this.identity = identity;
        this.events = events;
        this.jetStreamOptions = JetStreamOptions.builder().requestTimeout(settings.requestTimeout()).build();
        try {
            this.connection = Nats.connect(options());
        } catch (IOException e) {
            throw new MessagingException("Cannot connect to NATS at " + settings.servers() + " as '"
                    + identity.name() + "': " + e.getMessage() + "; " + connectHint(e, settings), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("Interrupted while connecting to NATS at " + settings.servers(), e);
        }
        try {
            this.service = newService(List.of());
            this.service.startService();
        } catch (RuntimeException e) {
            try {
                connection.close();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    Connection connection() {
        return connection;
    }

    private Options options() {
        Options.Builder b = settings.toOptions(identity.name())
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
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
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

    /**
     * jnats' handler for a credentials file, after checking that the file can be read and holds an NKey seed: jnats
     * reads it only during the handshake and then reports no more than "Unable to connect". Messages name the path,
     * never the file's content.
     */
    static AuthHandler credentialsAuth(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new MessagingException("messaging.nats.credentials-file " + file.toAbsolutePath()
                    + " does not exist or cannot be read");
        }
        AuthHandler handler = Nats.credentials(file.toString());
        try {
            handler.getID();
        } catch (IllegalStateException e) {
            Throwable reason = e.getCause() == null ? e : e.getCause();
            throw new MessagingException("messaging.nats.credentials-file " + file.toAbsolutePath()
                    + " is not a NATS credentials file (a user JWT and an NKey seed, as nsc writes them): "
                    + reason.getMessage(), e);
        }
        return handler;
    }

    static AuthHandler nkeyAuth(char[] seed) {
        NKey nkey;
        try {
            nkey = NKey.fromSeed(seed);
            nkey.getPublicKey();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new MessagingException("messaging.nats.nkey-seed is not a valid NKey seed: " + e.getMessage(), e);
        }
        return new AuthHandler() {
            @Override
            public byte[] sign(byte[] nonce) {
                try {
                    return nkey.sign(nonce);
                } catch (IOException | GeneralSecurityException e) {
                    throw new MessagingException("Cannot sign the NATS nonce with the NKey: " + e, e);
                }
            }

            @Override
            public char[] getID() {
                try {
                    return nkey.getPublicKey();
                } catch (IOException | GeneralSecurityException e) {
                    throw new MessagingException("Cannot derive the NKey's public key: " + e, e);
                }
            }

            @Override
            public char[] getJWT() {
                return null;
            }
        };
    }

    private void logConnectionEvent(ConnectionListener.Events type) {
        switch (type) {
            case DISCONNECTED -> LOG.warn("NATS connection of '{}' {}", identity.name(), type);
            default -> LOG.info("NATS connection of '{}' {} ({})", identity.name(), type,
                    connection == null ? "" : connection.getConnectedUrl());
        }
    }

    private final class Listener implements ErrorListener {
        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            String what = consumer instanceof io.nats.client.Subscription s ? s.getSubject() : consumer.toString();
            LOG.warn("Slow consumer on NATS connection of '{}': {} ({} messages dropped so far)", identity.name(),
                    what, consumer.getDroppedCount());
            events.slowConsumer(what);
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            LOG.warn("NATS error on connection of '{}': {}", identity.name(), error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            LOG.debug("NATS exception on connection of '{}'", identity.name(), exp);
        }
    }

    @Override
    public String name() {
        return "nats";
    }

    // ---- core

    @Override
    public void publish(String subject, Map<String, String> headers, byte[] body) {
        refuseOversized(subject, body);
        try {
            connection.publish(subject, toHeaders(headers), body);
        } catch (IllegalStateException e) {
            throw new MessagingException("Cannot publish to '" + subject + "': " + e.getMessage(), e);
        }
    }

    /** A payload over the server's {@code max_payload} would be refused by jnats with an IllegalArgumentException. */
    private void refuseOversized(String subject, byte[] body) {
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
    @Override
    public Handle subscribe(String subject, String queueGroupOrNull, Consumer<RawMessage> sink) {
        io.nats.client.Subscription subscription = queueGroupOrNull == null ? connection.subscribe(subject)
                : connection.subscribe(subject, queueGroupOrNull);
        settle(); // a message published right after this returns, from any connection, is received
        Thread reader = Thread.ofVirtual().name("flotilla-nats-" + subject).start(() -> readUntilInactive(
                subscription, m -> sink.accept(RawMessage.core(m.getSubject(), fromHeaders(m.getHeaders()),
                                                               m.getData()))));
        return new Handle() {
            @Override
            public boolean stopIntake(Duration timeout) {
                long deadline = System.nanoTime() + timeout.toNanos();
                boolean drained;
                try {
                    drained = !subscription.isActive() || drain(subscription, timeout)
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
    static void readUntilInactive(io.nats.client.Subscription subscription,
                                  Consumer<io.nats.client.Message> each) {
        while (true) {
            io.nats.client.Message m;
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

    static boolean join(Thread thread, long deadline) {
        try {
            return thread.join(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public CompletableFuture<RawMessage> request(String subject, Map<String, String> headers, byte[] body,
                                                 Duration timeout) {
        CompletableFuture<io.nats.client.Message> reply;
        try {
            reply = connection.requestWithTimeout(subject, toHeaders(headers), body, timeout);
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(
                    new MessagingException("Cannot send request to '" + subject + "': " + e.getMessage(), e));
        }
        // jnats expires requests on its cleanup timer (every few seconds); hold the caller to its own timeout
        return reply.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).handle((m, e) -> {
            if (e != null) {
                throw requestFailure(subject, timeout, e);
            }
            return RawMessage.core(m.getSubject(), fromHeaders(m.getHeaders()), m.getData());
        });
    }

    /**
     * The blocking request waits on the calling thread with its own timeout: no timer is scheduled (and cancelled)
     * per request, and the reply is converted on the caller's thread rather than on jnats' thread.
     */
    @Override
    public RawMessage requestAndWait(String subject, Map<String, String> headers, byte[] body, Duration timeout) {
        CompletableFuture<io.nats.client.Message> reply;
        try {
            reply = connection.requestWithTimeout(subject, toHeaders(headers), body, timeout);
        } catch (IllegalStateException e) {
            throw new MessagingException("Cannot send request to '" + subject + "': " + e.getMessage(), e);
        }
        io.nats.client.Message m;
        try {
            m = reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            reply.cancel(false); // frees jnats' pending request now rather than at its next cleanup
            throw new RequestTimeoutException(subject, timeout);
        } catch (java.util.concurrent.ExecutionException e) {
            throw requestFailure(subject, timeout, e.getCause() != null ? e.getCause() : e);
        } catch (java.util.concurrent.CancellationException e) {
            throw new RequestTimeoutException(subject, timeout);
        } catch (InterruptedException e) {
            reply.cancel(false);
            Thread.currentThread().interrupt();
            throw new MessagingException("Interrupted while waiting for the reply from '" + subject + "'", e);
        }
        return RawMessage.core(m.getSubject(), fromHeaders(m.getHeaders()), m.getData());
    }

    private static RuntimeException requestFailure(String subject, Duration timeout, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof JetStreamStatusException s && s.getStatus().getCode() == 503) {
            return new NoRespondersException(subject);
        }
        if (cause instanceof TimeoutException || cause instanceof java.util.concurrent.CancellationException) {
            return new RequestTimeoutException(subject, timeout);
        }
        return new MessagingException("Request to '" + subject + "' failed: " + cause, cause);
    }

    // ---- responders as NATS micro service endpoints

    /**
     * Unregisters the NATS service: {@code $SRV} discovery no longer lists it. The responders' endpoints keep their
     * subscriptions until a responder's handle stops intake (which drains them all: requests already received are
     * answered, requests not yet received time out at the requester) or the connection closes.
     */
    private void stopService() {
        serviceLock.lock();
        try {
            serviceStopped = true;
            service.stop(false);
        } finally {
            serviceLock.unlock();
        }
    }

    @Override
    public Handle respond(String subject, String queueGroupOrNull, Consumer<RawMessage> sink) {
        Endpoint.Builder endpoint = Endpoint.builder().subject(subject);
        if (queueGroupOrNull == null) {
            endpoint.noQueueGroup();
        } else {
            endpoint.queueGroup(queueGroupOrNull);
        }
        // the endpoint's own virtual thread runs the responder: no hand-off from a shared dispatcher thread
        NatsEndpointDispatcher dispatcher = new NatsEndpointDispatcher(connection, this::drain);
        ServiceEndpoint serviceEndpoint;
        serviceLock.lock();
        try {
            if (serviceStopped) {
                throw new MessagingException("Cannot respond on '" + subject + "': messaging is draining");
            }
            String name = uniqueEndpointName(Subjects.toName(subject));
            serviceEndpoint = ServiceEndpoint.builder()
                    .endpoint(endpoint.name(name).build())
                    .dispatcher(dispatcher)
                    .handler(smsg -> sink.accept(new RawMessage(smsg.getSubject(), fromHeaders(smsg.getHeaders()),
                            smsg.getData(), RawMessage.ONCE, RawMessage.Acks.NONE,
                            (h, b) -> smsg.respond(connection, b, toHeaders(h)))))
                    .build();
            endpoints.add(serviceEndpoint);
            dispatchers.put(serviceEndpoint, dispatcher);
            try {
                service.addServiceEndpoints(serviceEndpoint);
            } catch (RuntimeException e) {
                endpoints.remove(serviceEndpoint);
                dispatchers.remove(serviceEndpoint);
                dispatcher.close();
                throw e;
            }
        } finally {
            serviceLock.unlock();
        }
        settle(); // a request sent right after this returns, from any connection, is answered
        return new Handle() {
            @Override
            public boolean stopIntake(Duration timeout) {
                stopService();
                // service-wide, as the service stops: every endpoint answers the requests it already received
                // and takes no more (later ones time out at the requester)
                endpointDispatchers().forEach(d -> d.startDrain(timeout));
                return dispatcher.stopIntake(timeout);
            }

            @Override
            public void close() {
                removeEndpoint(serviceEndpoint);
                dispatcher.close();
            }
        };
    }

    private List<NatsEndpointDispatcher> endpointDispatchers() {
        serviceLock.lock();
        try {
            return List.copyOf(dispatchers.values());
        } finally {
            serviceLock.unlock();
        }
    }

    private String uniqueEndpointName(String base) {
        String name = base;
        int n = 2;
        while (true) {
            String candidate = name;
            if (endpoints.stream().noneMatch(e -> e.getName().equals(candidate))) {
                return candidate;
            }
            name = base + "_" + n++;
        }
    }

    /**
     * A NATS micro service cannot drop one endpoint, so start a replacement with the remaining endpoints (same
     * queue groups, so each request still goes to one of them) and then stop the old one.
     */
    private void removeEndpoint(ServiceEndpoint serviceEndpoint) {
        serviceLock.lock();
        try {
            dispatchers.remove(serviceEndpoint);
            if (!endpoints.remove(serviceEndpoint) || serviceStopped
                    || connection.getStatus() == Connection.Status.CLOSED) {
                return;
            }
            Service old = service;
            service = newService(endpoints);
            service.startService();
            // the replacement already answers; draining the old one would wait for its drain timeout
            old.stop(false);
            settle();
        } finally {
            serviceLock.unlock();
        }
    }

    /** A NATS micro service's metadata is fixed: start a replacement with the new metadata, then stop the old one. */
    @Override
    public void describe(Map<String, String> metadata) {
        serviceLock.lock();
        try {
            extraMetadata.putAll(metadata);
            if (serviceStopped || connection.getStatus() == Connection.Status.CLOSED) {
                return;
            }
            Service old = service;
            service = newService(endpoints);
            service.startService();
            old.stop(false);
            settle();
        } finally {
            serviceLock.unlock();
        }
    }

    /**
     * Waits until the server has processed what this connection sent so far (a ping answered): new subscriptions
     * are then in effect for messages from any connection, and after a swap of the NATS service the old one's
     * subscriptions are gone, so a request is never routed to the stopped service (where it would be lost).
     */
    private void settle() {
        flushes.lock();
        try {
            connection.flush(settings.requestTimeout());
        } catch (TimeoutException | IllegalStateException e) {
            LOG.debug("NATS did not confirm the subscriptions of '{}' in time: {}", identity.name(), e.toString());
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
    CompletableFuture<Boolean> drain(io.nats.client.Subscription subscription, Duration timeout)
            throws InterruptedException {
        flushes.lock();
        try {
            return subscription.drain(timeout);
        } finally {
            flushes.unlock();
        }
    }

    private Service newService(List<ServiceEndpoint> serviceEndpoints) {
        Map<String, String> metadata = new LinkedHashMap<>(extraMetadata);
        identity.httpUri().ifPresent(u -> metadata.put(HTTP_URL_METADATA, u.toString()));
        metadata.put("flotilla.service", identity.name());
        metadata.put("flotilla.version", identity.version());
        var builder = Service.builder()
                .connection(connection)
                .name(ServiceIdentity.natsServiceName(identity.name()))
                .version(ServiceIdentity.semver(identity.version()))
                .description("Flotilla service " + identity.name())
                .metadata(metadata);
        serviceEndpoints.forEach(builder::addServiceEndpoint);
        return builder.build();
    }

    // ---- JetStream

    private JetStream jetStream() {
        JetStream js = jetStream;
        if (js == null) {
            js = jetStreamContext(() -> connection.jetStream(jetStreamOptions));
            jetStream = js;
        }
        return js;
    }

    private JetStreamManagement management() {
        JetStreamManagement jsm = jetStreamManagement;
        if (jsm == null) {
            jsm = jetStreamContext(() -> connection.jetStreamManagement(jetStreamOptions));
            jetStreamManagement = jsm;
        }
        return jsm;
    }

    @FunctionalInterface
    private interface JetStreamFactory<T> {
        T create() throws IOException;
    }

    private static <T> T jetStreamContext(JetStreamFactory<T> factory) {
        try {
            return factory.create();
        } catch (IOException e) {
            throw new MessagingException("JetStream is not available: " + e.getMessage()
                    + "; start nats-server with -js", e);
        }
    }

    @Override
    public void declareStream(StreamDefinition stream) {
        StreamConfiguration config = StreamConfiguration.builder()
                .name(stream.name())
                .subjects(stream.subjects())
                .storageType(stream.storage() == StreamDefinition.Storage.FILE ? StorageType.File
                        : StorageType.Memory)
                .maxAge(stream.maxAge())
                .duplicateWindow(stream.duplicateWindow())
                .replicas(stream.replicas())
                .build();
        JetStreamManagement jsm = management();
        try {
            try {
                jsm.addStream(config);
                LOG.info("Created stream {}", stream);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NAME_IN_USE) {
                    throw e;
                }
                jsm.updateStream(config);
                LOG.info("Updated stream {}", stream);
            }
        } catch (IOException | JetStreamApiException e) {
            throw new MessagingException("Cannot declare " + stream + ": " + e.getMessage(), e);
        }
    }

    @Override
    public PublishAck publishDurable(String subject, Map<String, String> headers, byte[] body, String messageId) {
        refuseOversized(subject, body);
        PublishOptions options = PublishOptions.builder().messageId(messageId).build();
        Headers natsHeaders = toHeaders(headers);
        long deadline = System.nanoTime() + settings.publishRetryTimeout().toNanos();
        long pause = 50;
        while (true) {
            try {
                io.nats.client.api.PublishAck ack = jetStream().publish(subject, natsHeaders, body, options);
                return new PublishAck(ack.getStream(), ack.getSeqno(), ack.isDuplicate(), messageId);
            } catch (JetStreamApiException e) {
                throw new MessagingException("Stream refused the message on '" + subject + "': " + e.getMessage(),
                        e);
            } catch (IOException | IllegalStateException e) {
                if (connection.getStatus() == Connection.Status.CLOSED) {
                    throw new MessagingException("Cannot publish to '" + subject + "': connection closed", e);
                }
                if (connection.getStatus() == Connection.Status.CONNECTED && noStreamFor(subject)) {
                    throw new MessagingException("No stream captures subject '" + subject
                            + "': declare one with Messaging.Builder.addStream or messaging.streams.<name>.subjects",
                            e);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new MessagingException("Durable publish to '" + subject + "' (message id " + messageId
                            + ") not acknowledged within " + settings.publishRetryTimeout() + ": " + e.getMessage(),
                            e);
                }
                LOG.debug("Durable publish to {} failed, retrying with the same message id {}", subject, messageId, e);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new MessagingException("Interrupted while publishing to '" + subject + "'", ie);
                }
                pause = Math.min(pause * 2, 1000);
            }
        }
    }

    @Override
    public void publishDeadLetter(String subject, Map<String, String> headers, byte[] body) {
        boolean durable;
        try {
            durable = !management().getStreamNames(subject).isEmpty();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            durable = false; // not reachable now: a core publish is buffered until the reconnect
        }
        if (!durable) {
            publish(subject, headers, body);
            return;
        }
        // a dead letter repeated after a crash between its publish and the original's term is stored once
        String original = headers.get(MessagingHeaders.MESSAGE_ID);
        Map<String, String> copy = new LinkedHashMap<>(headers);
        if (original != null) {
            copy.remove(MessagingHeaders.MESSAGE_ID);
            copy.put(MessagingHeaders.ORIGINAL_MESSAGE_ID, original);
        }
        publishDurable(subject, copy, body, original != null ? "dead-letter-" + original
                : java.util.UUID.randomUUID().toString());
    }

    private boolean noStreamFor(String subject) {
        try {
            return management().getStreamNames(subject).isEmpty();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public Handle subscribeDurable(String subject, String durableName, SubscriptionOptions options,
                                   Consumer<RawMessage> sink) {
        List<String> streams;
        try {
            streams = management().getStreamNames(subject);
        } catch (IOException | JetStreamApiException e) {
            throw new MessagingException("Cannot look up the stream for '" + subject + "': " + e.getMessage(), e);
        }
        if (streams.size() != 1) {
            throw new MessagingException(streams.isEmpty()
                    ? "No stream captures subject '" + subject + "': declare one with messaging.streams.<name>"
                    : "Subject '" + subject + "' is captured by several streams " + streams + ": subscribe to a "
                    + "narrower subject");
        }
        ConsumerConfiguration config = ConsumerConfiguration.builder()
                .durable(durableName)
                .filterSubject(subject)
                .ackPolicy(AckPolicy.Explicit)
                .deliverPolicy(DeliverPolicy.All)
                .ackWait(options.ackWait())
                // Flotilla counts deliveries itself and dead-letters on the last failure, so the server must
                // not silently stop redelivering first.
                .maxDeliver(-1)
                .build();
        IterableConsumer consumer;
        try {
            ConsumerContext context = connection.getStreamContext(streams.get(0), jetStreamOptions)
                    .createOrUpdateConsumer(config);
            consumer = context.iterate(ConsumeOptions.builder().batchSize(options.prefetch())
                    .expiresIn(settings.pullExpiry().toMillis()).build());
        } catch (IOException | JetStreamApiException e) {
            throw new MessagingException("Cannot create durable consumer '" + durableName + "' on '" + subject
                    + "': " + e.getMessage(), e);
        }
        DurableReader reader = new DurableReader(subject, consumer, sink);
        reader.thread = Thread.ofVirtual().name("flotilla-nats-durable-" + subject).start(reader::run);
        return reader;
    }

    /** Reads a pull consumer on a virtual thread of our own and hands each message to the sink. */
    private static final class DurableReader implements Handle {
        private final String subject;
        private final IterableConsumer consumer;
        private final Consumer<RawMessage> sink;
        private volatile boolean abandon;
        private volatile boolean stopping;
        private Thread thread;

        DurableReader(String subject, IterableConsumer consumer, Consumer<RawMessage> sink) {
            this.subject = subject;
            this.consumer = consumer;
            this.sink = sink;
        }

        void run() {
            while (!abandon) {
                io.nats.client.Message m;
                try {
                    // once stopping, messages already pulled are still handled; a short quiet spell ends the loop
                    m = consumer.nextMessage(stopping ? STOP_POLL : POLL);
                } catch (InterruptedException e) {
                    return;
                } catch (JetStreamStatusCheckedException | IllegalStateException e) {
                    LOG.warn("Durable consumer on {} reported {}", subject, e.getMessage());
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                if (m == null) {
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                if (abandon) {
                    // Handed back now, so another instance gets it at once rather than after the ack wait.
                    try {
                        m.nak();
                    } catch (RuntimeException e) {
                        LOG.debug("Could not hand back a message on {} while stopping: {}", subject, e.toString());
                    }
                    return;
                }
                JetStreamAcks acks = new JetStreamAcks(m);
                sink.accept(new RawMessage(m.getSubject(), fromHeaders(m.getHeaders()), m.getData(), acks, acks,
                        RawMessage.Replier.NONE));
            }
        }

        @Override
        public boolean stopIntake(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            stopping = true;
            consumer.stop();
            if (join(thread, deadline)) {
                return true;
            }
            abandon = true;
            return false;
        }

        @Override
        public void close() {
            abandon = true;
            stopping = true;
            consumer.stop();
        }
    }

    /** Settles a JetStream message, and tells its delivery count (jnats parses it from the reply subject once). */
    private record JetStreamAcks(io.nats.client.Message message) implements RawMessage.Acks, LongSupplier {
        @Override
        public long getAsLong() {
            return message.metaData().deliveredCount();
        }

        @Override
        public void ack() {
            message.ack();
        }

        @Override
        public void nak(Duration delay) {
            message.nakWithDelay(delay);
        }

        @Override
        public void term() {
            message.term();
        }
    }

    // ---- status and lifecycle

    @Override
    public boolean isConnected() {
        return connection.getStatus() == Connection.Status.CONNECTED;
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("transport", name());
        status.put("status", connection.getStatus().name());
        String url = connection.getConnectedUrl();
        if (url != null) {
            status.put("server", url);
        }
        return status;
    }

    @Override
    public void close() {
        stopService();
        flushes.lock();
        try {
            if (connection.getStatus() == Connection.Status.CONNECTED) {
                connection.flush(Duration.ofSeconds(2));
            }
        } catch (TimeoutException | RuntimeException e) {
            LOG.warn("Could not flush the NATS connection of '{}' before closing: {}", identity.name(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            flushes.unlock();
        }
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Headers toHeaders(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return null;
        }
        Headers h = new Headers();
        headers.forEach(h::put);
        return h;
    }

    static Map<String, String> fromHeaders(Headers headers) {
        if (headers == null || headers.isEmpty()) {
            return Map.of();
        }
        if (headers.size() == 1) {
            String key = headers.keySet().iterator().next();
            String value = headers.getFirst(key);
            return value == null ? Map.of() : Map.of(key, value);
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

    /** The identity the transport presents: connection name, $SRV name, version and HTTP URL. */
    record ServiceIdentity(String name, String version, java.util.Optional<URI> httpUri) {

        /** NATS service names allow only letters, digits, '-' and '_'. */
        static String natsServiceName(String name) {
            return name.replaceAll("[^A-Za-z0-9_-]", "_");
        }

        /** NATS services need a semantic version: "1.2" becomes "1.2.0", anything else "0.0.0". */
        static String semver(String version) {
            if (version.matches("\\d+\\.\\d+\\.\\d+([-+].*)?")) {
                return version;
            }
            if (version.matches("\\d+\\.\\d+")) {
                return version + ".0";
            }
            if (version.matches("\\d+")) {
                return version + ".0.0";
            }
            return "0.0.0";
        }
    }
}
