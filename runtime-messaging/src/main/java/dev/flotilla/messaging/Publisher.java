package dev.flotilla.messaging;

import java.util.Objects;
import java.util.Optional;

/**
 * Who published a received message, as its verified signature says (the {@value MessagingHeaders#PUBLISHER} header):
 * the service whose key signed it and, when it published on a user's behalf, that user. A handler sees it with
 * {@link Envelope#publisher()} on subscriptions that verify publishers (see {@code docs/security.md}, "Signed
 * messages on NATS"), and it is in the MDC while the handler runs ({@value #MDC_SERVICE}, {@value #MDC_USER}).
 * Immutable and thread-safe.
 */
public final class Publisher {

    /** MDC key with the verified publishing service while a handler runs: {@value}. */
    public static final String MDC_SERVICE = "publisher";
    /** MDC key with the user on whose behalf the message was published, when there is one: {@value}. */
    public static final String MDC_USER = "publisherUser";

    private final String service;
    private final String user;

    Publisher(String service, String user) {
        this.service = Objects.requireNonNull(service, "service");
        this.user = user;
    }

    /**
     * The service that signed the message.
     *
     * @return its name, the {@code kid} of a key this service trusts
     */
    public String service() {
        return service;
    }

    /**
     * The user on whose behalf the service published it, as the publishing service vouched in its signature.
     *
     * @return the user's subject, or empty when the service published on its own account
     */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Publisher p && service.equals(p.service) && Objects.equals(user, p.user);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, user);
    }

    @Override
    public String toString() {
        return "Publisher[" + service + (user == null ? "" : ", on behalf of " + user) + "]";
    }
}
