package dev.flotilla.messaging;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A received message: its decoded payload, the subject it came on, its headers, how often it was delivered and, on
 * subscriptions that verify publishers, its verified {@link Publisher}. Immutable and thread-safe when the payload is.
 *
 * @param <T> the payload type
 */
public final class Envelope<T> {

    private final T payload;
    private final String subject;
    private final Map<String, String> headers;
    private final LongSupplier deliveryCount;
    private final Publisher publisher;

    /**
     * {@code headers} must be unmodifiable already (transports hand over unmodifiable maps); {@code publisher} is
     * {@code null} when it was not verified.
     */
    Envelope(T payload, String subject, Map<String, String> headers, LongSupplier deliveryCount,
             Publisher publisher) {
        this.payload = Objects.requireNonNull(payload, "payload");
        this.subject = subject;
        this.headers = headers;
        this.deliveryCount = deliveryCount;
        this.publisher = publisher;
    }

    /**
     * The decoded payload.
     *
     * @return the payload; never {@code null}
     */
    public T payload() {
        return payload;
    }

    /**
     * The concrete subject the message was published to (never a wildcard).
     *
     * @return the subject
     */
    public String subject() {
        return subject;
    }

    /**
     * The message's headers, first value of each (NATS headers may repeat; Flotilla writes one value per name).
     *
     * @return an unmodifiable map; empty when the message had no headers
     */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * One header's value.
     *
     * @param name the header name, case-sensitive as NATS headers are
     * @return the value, or empty when absent
     * @throws NullPointerException if {@code name} is {@code null}
     */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(Objects.requireNonNull(name, "name")));
    }

    /**
     * How many times this message was delivered: always 1 on core subscriptions, 1 or more on durable ones.
     *
     * @return the delivery count, at least 1
     */
    public long deliveryCount() {
        return deliveryCount.getAsLong();
    }

    /**
     * The correlation id of the publisher's call context, from the {@value MessagingHeaders#CORRELATION_ID} header.
     *
     * @return the correlation id, or empty
     */
    public Optional<String> correlationId() {
        return header(MessagingHeaders.CORRELATION_ID);
    }

    /**
     * Who published the message, verified from its signature ({@value MessagingHeaders#PUBLISHER}): present on
     * subscriptions and responders that verify publishers ({@code messaging.verify-publishers}, or
     * {@link SubscriptionOptions.Builder#publishers(String...)}), where a message that does not verify never reaches
     * the handler. Empty on the others, even when the message is signed: a header alone proves nothing.
     *
     * @return the verified publisher, or empty when this subscription does not verify publishers
     */
    public Optional<Publisher> publisher() {
        return Optional.ofNullable(publisher);
    }

    @Override
    public String toString() {
        // the signature header is left out: a token belongs in no log line
        Map<String, String> shown = headers.containsKey(MessagingHeaders.PUBLISHER)
                ? headers.entrySet().stream().filter(e -> !e.getKey().equals(MessagingHeaders.PUBLISHER))
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))
                : headers;
        return "Envelope[subject=" + subject + ", deliveryCount=" + deliveryCount() + ", headers=" + shown
                + (publisher == null ? "" : ", publisher=" + publisher) + "]";
    }
}
