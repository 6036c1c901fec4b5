package dev.flotilla.messaging;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a subscription receives messages: shared by a queue group or broadcast, how many handlers run at once,
 * and, for durable subscriptions, the consumer's name, redelivery limit and backoff. Immutable and thread-safe.
 *
 * <p>Defaults: competing consumers in the queue group named after the service, concurrency
 * {@value #DEFAULT_CONCURRENCY} (messages handled one at a time, in order), prefetch {@value #DEFAULT_PREFETCH},
 * max deliveries {@value #DEFAULT_MAX_DELIVER}, nak backoff {@link #DEFAULT_BACKOFF}, ack wait
 * {@link #DEFAULT_ACK_WAIT}, any publisher (unless {@code messaging.verify-publishers} is set, any verified one).
 */
public final class SubscriptionOptions {

    /** Default handlers running at once per subscription: one, so messages are handled in order. */
    public static final int DEFAULT_CONCURRENCY = 1;
    /** Default messages buffered per subscription ahead of the handlers (and pulled per JetStream batch). */
    public static final int DEFAULT_PREFETCH = 256;
    /** Default deliveries of a durable message before it goes to the dead-letter subject. */
    public static final int DEFAULT_MAX_DELIVER = 5;
    /** Default delays before redelivery after a handler failure: the n-th failure waits the n-th entry. */
    public static final List<Duration> DEFAULT_BACKOFF =
            List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30));
    /** Default time the server waits for an ack before redelivering a durable message. */
    public static final Duration DEFAULT_ACK_WAIT = Duration.ofSeconds(30);

    private static final SubscriptionOptions DEFAULTS = builder().build();

    private final boolean broadcast;
    private final String queueGroup;
    private final int concurrency;
    private final int prefetch;
    private final String durableName;
    private final int maxDeliver;
    private final List<Duration> backoff;
    private final Duration ackWait;
    private final Set<String> publishers;

    private SubscriptionOptions(Builder b) {
        this.broadcast = b.broadcast;
        this.queueGroup = b.queueGroup;
        this.concurrency = b.concurrency;
        this.prefetch = b.prefetch;
        this.durableName = b.durableName;
        this.maxDeliver = b.maxDeliver;
        this.backoff = List.copyOf(b.backoff);
        this.ackWait = b.ackWait;
        this.publishers = Set.copyOf(b.publishers);
    }

    /**
     * The default options.
     *
     * @return the defaults
     */
    public static SubscriptionOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether every instance receives every message (no queue group).
     *
     * @return {@code true} for broadcast
     */
    public boolean broadcast() {
        return broadcast;
    }

    /**
     * The queue group overriding the service name.
     *
     * @return the queue group, or empty for the service name
     */
    public Optional<String> queueGroup() {
        return Optional.ofNullable(queueGroup);
    }

    /**
     * Handlers that run at once for this subscription.
     *
     * @return at least 1
     */
    public int concurrency() {
        return concurrency;
    }

    /**
     * Messages buffered ahead of the handlers.
     *
     * @return at least 1
     */
    public int prefetch() {
        return prefetch;
    }

    /**
     * The durable consumer's name for a durable subscription.
     *
     * @return the name, or empty for {@code <service>-<subject>} with unsupported characters replaced
     */
    public Optional<String> durableName() {
        return Optional.ofNullable(durableName);
    }

    /**
     * Deliveries of a durable message before it is dead-lettered.
     *
     * @return at least 1
     */
    public int maxDeliver() {
        return maxDeliver;
    }

    /**
     * Delays before redelivery after failures; the last entry repeats.
     *
     * @return a non-empty unmodifiable list
     */
    public List<Duration> backoff() {
        return backoff;
    }

    /**
     * Time the server waits for an ack before redelivering.
     *
     * @return a positive duration
     */
    public Duration ackWait() {
        return ackWait;
    }

    /**
     * The services allowed to publish on this subscription (or send requests to this responder): when not empty,
     * only messages whose signature verifies and names one of them are handled, whatever
     * {@code messaging.verify-publishers} says; the others are dead-lettered (a request is refused).
     *
     * @return an unmodifiable set of service names; empty for any publisher
     */
    public Set<String> publishers() {
        return publishers;
    }

    /**
     * The delay before the next delivery after the given failed delivery.
     *
     * @param deliveryCount the delivery that failed, from 1
     * @return the delay
     */
    Duration backoffAfter(long deliveryCount) {
        int index = (int) Math.min(Math.max(deliveryCount - 1, 0), backoff.size() - 1);
        return backoff.get(index);
    }

    /**
     * Builds {@link SubscriptionOptions}. Not thread-safe.
     */
    public static final class Builder {

        private boolean broadcast;
        private String queueGroup;
        private int concurrency = DEFAULT_CONCURRENCY;
        private int prefetch = DEFAULT_PREFETCH;
        private String durableName;
        private int maxDeliver = DEFAULT_MAX_DELIVER;
        private List<Duration> backoff = DEFAULT_BACKOFF;
        private Duration ackWait = DEFAULT_ACK_WAIT;
        private final Set<String> publishers = new LinkedHashSet<>();

        private Builder() {
        }

        /**
         * Delivers every message to every instance instead of sharing them in a queue group.
         *
         * @param broadcast {@code true} for broadcast
         * @return this builder
         */
        public Builder broadcast(boolean broadcast) {
            this.broadcast = broadcast;
            return this;
        }

        /**
         * Shares messages in this queue group instead of the one named after the service.
         *
         * @param queueGroup the group name
         * @return this builder
         * @throws IllegalArgumentException if {@code queueGroup} is blank or contains whitespace
         * @throws NullPointerException     if {@code queueGroup} is {@code null}
         */
        public Builder queueGroup(String queueGroup) {
            Objects.requireNonNull(queueGroup, "queueGroup");
            if (queueGroup.isBlank() || queueGroup.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("queueGroup must be a non-blank name without whitespace, was '"
                        + queueGroup + "'");
            }
            this.queueGroup = queueGroup;
            return this;
        }

        /**
         * Sets how many handlers run at once; above 1, messages of this subscription may be handled out of order.
         *
         * @param concurrency from 1 to 10,000
         * @return this builder
         * @throws IllegalArgumentException if {@code concurrency} is outside 1..10,000
         */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1 || concurrency > 10_000) {
                throw new IllegalArgumentException("concurrency must be within 1..10000, was " + concurrency);
            }
            this.concurrency = concurrency;
            return this;
        }

        /**
         * Sets how many messages are buffered ahead of the handlers.
         *
         * @param prefetch from 1 to 100,000
         * @return this builder
         * @throws IllegalArgumentException if {@code prefetch} is outside 1..100,000
         */
        public Builder prefetch(int prefetch) {
            if (prefetch < 1 || prefetch > 100_000) {
                throw new IllegalArgumentException("prefetch must be within 1..100000, was " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        /**
         * Names the durable consumer; instances using the same name share its messages.
         *
         * @param durableName letters, digits, {@code -} and {@code _}
         * @return this builder
         * @throws IllegalArgumentException if the name has other characters or is empty
         * @throws NullPointerException     if {@code durableName} is {@code null}
         */
        public Builder durableName(String durableName) {
            Objects.requireNonNull(durableName, "durableName");
            if (!durableName.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("durableName may contain only letters, digits, '-' and '_', was '"
                        + durableName + "'");
            }
            this.durableName = durableName;
            return this;
        }

        /**
         * Sets the deliveries of a durable message before it is dead-lettered.
         *
         * @param maxDeliver at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxDeliver < 1}
         */
        public Builder maxDeliver(int maxDeliver) {
            if (maxDeliver < 1) {
                throw new IllegalArgumentException("maxDeliver must be at least 1, was " + maxDeliver);
            }
            this.maxDeliver = maxDeliver;
            return this;
        }

        /**
         * Sets the delays before redelivery after failures; the n-th failure waits the n-th entry and the last
         * entry repeats.
         *
         * @param backoff a non-empty list of non-negative durations
         * @return this builder
         * @throws IllegalArgumentException if the list is empty or has a negative entry
         * @throws NullPointerException     if the list or an entry is {@code null}
         */
        public Builder backoff(List<Duration> backoff) {
            List<Duration> copy = List.copyOf(backoff);
            if (copy.isEmpty() || copy.stream().anyMatch(Duration::isNegative)) {
                throw new IllegalArgumentException("backoff must be a non-empty list of non-negative durations, was "
                        + copy);
            }
            this.backoff = copy;
            return this;
        }

        /**
         * Sets the time the server waits for an ack before redelivering.
         *
         * @param ackWait a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code ackWait} is not positive
         * @throws NullPointerException     if {@code ackWait} is {@code null}
         */
        public Builder ackWait(Duration ackWait) {
            if (ackWait.isNegative() || ackWait.isZero()) {
                throw new IllegalArgumentException("ackWait must be positive, was " + ackWait);
            }
            this.ackWait = ackWait;
            return this;
        }

        /**
         * Restricts who may publish on this subscription (or send requests to this responder): only messages signed
         * by one of these services, with a signature that verifies for the message, are handled; any other is
         * dead-lettered with its reason (a request gets an error reply). Each service's public key must be among
         * the trusted keys ({@code security.identity.trusted}), or subscribing fails. Calls add up.
         *
         * @param services the allowed services' names
         * @return this builder
         * @throws IllegalArgumentException if a name is blank or contains whitespace
         * @throws NullPointerException     if the array or a name is {@code null}
         */
        public Builder publishers(String... services) {
            for (String service : Objects.requireNonNull(services, "services")) {
                Objects.requireNonNull(service, "service");
                if (service.isBlank() || service.chars().anyMatch(Character::isWhitespace)) {
                    throw new IllegalArgumentException("A publisher must be a service name without whitespace, was '"
                            + service + "'");
                }
                publishers.add(service);
            }
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException if both broadcast and a queue group are set
         */
        public SubscriptionOptions build() {
            if (broadcast && queueGroup != null) {
                throw new IllegalArgumentException("SubscriptionOptions can't be broadcast and have queue group '"
                        + queueGroup + "'");
            }
            return new SubscriptionOptions(this);
        }
    }
}
