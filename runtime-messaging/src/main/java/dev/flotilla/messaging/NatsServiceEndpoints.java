package dev.flotilla.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.nats.client.Connection;
import io.nats.service.Endpoint;
import io.nats.service.Service;
import io.nats.service.ServiceEndpoint;

/**
 * The service's NATS micro service ({@code $SRV.*}): its name, version and metadata (the HTTP URL, the event
 * catalog) for discovery, and one endpoint per responder. Each endpoint has a dispatcher of its own
 * ({@link NatsEndpointDispatcher}), whose virtual thread runs the responder.
 */
final class NatsServiceEndpoints {

    private static final String HTTP_URL_METADATA = "http.url";

    private final NatsConnector connector;
    private final Connection connection;
    private final ServiceIdentity identity;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<ServiceEndpoint> endpoints = new ArrayList<>();
    /** The dispatcher of each endpoint in {@link #endpoints}. */
    private final Map<ServiceEndpoint, NatsEndpointDispatcher> dispatchers = new HashMap<>();
    private final Map<String, String> extraMetadata = new LinkedHashMap<>();
    private Service service;
    private boolean stopped;

    /** Registers the service, without endpoints yet. */
    NatsServiceEndpoints(NatsConnector connector, ServiceIdentity identity) {
        this.connector = connector;
        this.connection = connector.connection();
        this.identity = identity;
        this.service = newService(List.of());
        this.service.startService();
    }

    /**
     * Unregisters the NATS service: {@code $SRV} discovery no longer lists it. The responders' endpoints keep their
     * subscriptions until a responder's handle stops intake (which drains them all: requests already received are
     * answered, requests not yet received time out at the requester) or the connection closes.
     */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            service.stop(false);
        } finally {
            lock.unlock();
        }
    }

    Transport.Handle respond(String subject, String queueGroupOrNull, Consumer<RawMessage> sink) {
        Endpoint.Builder endpoint = Endpoint.builder().subject(subject);
        if (queueGroupOrNull == null) {
            endpoint.noQueueGroup();
        } else {
            endpoint.queueGroup(queueGroupOrNull);
        }
        // the endpoint's own virtual thread runs the responder: no hand-off from a shared dispatcher thread
        NatsEndpointDispatcher dispatcher = new NatsEndpointDispatcher(connection, connector::drain);
        ServiceEndpoint serviceEndpoint;
        lock.lock();
        try {
            if (stopped) {
                throw new MessagingException("Cannot respond on '" + subject + "': messaging is draining");
            }
            String name = uniqueEndpointName(Subjects.toName(subject));
            serviceEndpoint = ServiceEndpoint.builder()
                    .endpoint(endpoint.name(name).build())
                    .dispatcher(dispatcher)
                    .handler(smsg -> sink.accept(RawMessage.received(smsg.getSubject(),
                            NatsHeaders.fromNats(smsg.getHeaders()), smsg.getData(),
                            (h, b) -> smsg.respond(connection, b, NatsHeaders.toNats(h)))))
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
            lock.unlock();
        }
        connector.settle(); // a request sent right after this returns, from any connection, is answered
        return new Transport.Handle() {
            @Override
            public boolean stopIntake(Duration timeout) {
                stop();
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
        lock.lock();
        try {
            return List.copyOf(dispatchers.values());
        } finally {
            lock.unlock();
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
        lock.lock();
        try {
            dispatchers.remove(serviceEndpoint);
            if (!endpoints.remove(serviceEndpoint) || stopped || connector.isClosed()) {
                return;
            }
            replaceService();
        } finally {
            lock.unlock();
        }
    }

    /** A NATS micro service's metadata is fixed: start a replacement with the new metadata, then stop the old one. */
    void describe(Map<String, String> metadata) {
        lock.lock();
        try {
            extraMetadata.putAll(metadata);
            if (stopped || connector.isClosed()) {
                return;
            }
            replaceService();
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held. */
    private void replaceService() {
        Service old = service;
        service = newService(endpoints);
        service.startService();
        // the replacement already answers; draining the old one would wait for its drain timeout
        old.stop(false);
        connector.settle();
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
}
