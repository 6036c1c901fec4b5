package dev.flotilla.messaging.saga;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.internal.SagaSupport;
import io.helidon.config.Config;
import io.helidon.metrics.api.MeterRegistry;

/**
 * The saga engine of one service instance: stores saga state in the JetStream key-value bucket
 * {@code sagas-<service>} (in memory, not durable, on the in-JVM transport), drives the sagas it starts, and takes
 * over, by compare-and-set, the sagas whose timers are due or whose owner's lease expired. Every instance of the
 * service may run one; together they drive each saga instance once at a time. Thread-safe.
 *
 * <p>Settings (config node {@code sagas} for {@link #of(ServiceContext)}): {@code lease} (PT10S),
 * {@code sweep-interval} (PT0.25S), {@code retention} (P7D), {@code replicas} (1), {@code retry.min-delay}
 * (PT0.1S), {@code retry.max-delay} (PT5S).
 */
public final class Sagas implements AutoCloseable {

    private final SagaEngine engine;

    private Sagas(SagaEngine engine) {
        this.engine = engine;
    }

    /**
     * The engine of a running service: bound to its {@link Messaging}, configured under {@code sagas}, with the
     * service's tracing and metrics, and closed when the service stops. Its clock is the system UTC clock, or the
     * testkit's {@code TestClock} in a {@code TestSystem} built with one.
     *
     * @param context the service's context, from {@code Service.start} or later
     * @return a started engine
     * @throws IllegalStateException                     if the service has no messaging
     * @throws IllegalArgumentException                  if a {@code sagas.*} setting is invalid
     * @throws dev.flotilla.messaging.MessagingException if the bucket cannot be created or watched
     * @throws NullPointerException                      if {@code context} is {@code null}
     */
    public static Sagas of(ServiceContext context) {
        Objects.requireNonNull(context, "context");
        Builder builder = builder(context.extension(Messaging.class))
                .config(context.config().get("sagas"))
                .tracing(context.tracing())
                .metrics(context.metrics());
        Optional<SagaSupport> support = context.findExtension(SagaSupport.class);
        support.flatMap(SagaSupport::clock).ifPresent(builder::clock);
        Sagas sagas = builder.build();
        support.ifPresent(s -> {
            sagas.engine.onClose(() -> s.closed(sagas));
            s.opened(sagas);
        });
        return context.closeOnStop(sagas);
    }

    /**
     * A builder for a standalone engine.
     *
     * @param messaging the messaging whose NATS connection stores the state
     * @return a new builder
     * @throws NullPointerException if {@code messaging} is {@code null}
     */
    public static Builder builder(Messaging messaging) {
        return new Builder(messaging);
    }

    /**
     * Registers a saga definition: this engine can then start its instances and drive or take over the ones any
     * instance started. May be called before or after sagas of this name exist.
     *
     * @param definition the definition
     * @param <D>        the data type
     * @return the saga
     * @throws IllegalStateException if a definition of that name is registered already, or the engine is closed
     * @throws NullPointerException  if {@code definition} is {@code null}
     */
    public <D> Saga<D> register(SagaDefinition<D> definition) {
        return engine.register(Objects.requireNonNull(definition, "definition"));
    }

    /**
     * The saga registered under a name.
     *
     * @param name the saga's name
     * @return the saga; empty if no definition of that name is registered
     * @throws NullPointerException if {@code name} is {@code null}
     */
    public Optional<Saga<?>> saga(String name) {
        return engine.saga(Objects.requireNonNull(name, "name"));
    }

    /**
     * The instance id this engine writes as a saga's owner.
     *
     * @return the owner id
     */
    public String instanceId() {
        return engine.instanceId();
    }

    /**
     * Stops sweeping and driving: steps running now may finish (for up to 2 s; then their threads are interrupted
     * and their outcome is not stored), the sagas this engine drove are handed back so another instance goes on at
     * once, and no new step starts here. A saga whose hand-back could not be stored is taken over when its lease
     * expires. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** Builds a {@link Sagas} engine. */
    public static final class Builder {
        private final Messaging messaging;
        private Clock clock = Clock.systemUTC();
        private Duration lease = Duration.ofSeconds(10);
        private Duration sweepInterval = Duration.ofMillis(250);
        private Duration retention = Duration.ofDays(7);
        private int replicas = 1;
        private Duration retryMinDelay = Duration.ofMillis(100);
        private Duration retryMaxDelay = Duration.ofSeconds(5);
        private Tracing tracing;
        private MeterRegistry metrics;

        private Builder(Messaging messaging) {
            this.messaging = Objects.requireNonNull(messaging, "messaging");
        }

        /**
         * Reads the settings of a {@code sagas} config node; missing keys keep their values.
         *
         * @param config the node
         * @return this builder
         * @throws IllegalArgumentException if a value is invalid
         * @throws NullPointerException     if {@code config} is {@code null}
         */
        public Builder config(Config config) {
            Objects.requireNonNull(config, "config");
            config.get("lease").as(Duration.class).ifPresent(this::lease);
            config.get("sweep-interval").as(Duration.class).ifPresent(this::sweepInterval);
            config.get("retention").as(Duration.class).ifPresent(this::retention);
            config.get("replicas").asInt().ifPresent(this::replicas);
            config.get("retry.min-delay").as(Duration.class).ifPresent(this::retryMinDelay);
            config.get("retry.max-delay").as(Duration.class).ifPresent(this::retryMaxDelay);
            return this;
        }

        /**
         * The clock deadlines, leases and retries are measured on. Default: the system UTC clock.
         *
         * @param clock the clock
         * @return this builder
         * @throws NullPointerException if {@code clock} is {@code null}
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long an owner's claim on a saga lasts without renewal; a crashed owner's sagas are taken over after
         * it. Default 10 s.
         *
         * @param lease the lease, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if {@code lease} is {@code null}
         */
        public Builder lease(Duration lease) {
            this.lease = SagaDefinition.positive(lease, "lease");
            return this;
        }

        /**
         * How often due timers, expired leases and due retries are checked. Default 250 ms.
         *
         * @param sweepInterval the interval, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if {@code sweepInterval} is {@code null}
         */
        public Builder sweepInterval(Duration sweepInterval) {
            this.sweepInterval = SagaDefinition.positive(sweepInterval, "sweepInterval");
            return this;
        }

        /**
         * How long a saga's state is kept after its last change (the bucket's max age). Default 7 days.
         *
         * @param retention the retention, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if {@code retention} is {@code null}
         */
        public Builder retention(Duration retention) {
            this.retention = SagaDefinition.positive(retention, "retention");
            return this;
        }

        /**
         * The bucket's replicas when this engine creates it. Default 1.
         *
         * @param replicas 1 to 5
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder replicas(int replicas) {
            if (replicas < 1 || replicas > 5) {
                throw new IllegalArgumentException("replicas must be 1 to 5: " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /**
         * The first retry's delay; each next one doubles, up to {@link #retryMaxDelay}. Default 100 ms.
         *
         * @param delay the delay, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if {@code delay} is {@code null}
         */
        public Builder retryMinDelay(Duration delay) {
            this.retryMinDelay = SagaDefinition.positive(delay, "retryMinDelay");
            return this;
        }

        /**
         * The longest delay between retries. Default 5 s.
         *
         * @param delay the delay, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if {@code delay} is {@code null}
         */
        public Builder retryMaxDelay(Duration delay) {
            this.retryMaxDelay = SagaDefinition.positive(delay, "retryMaxDelay");
            return this;
        }

        /**
         * The tracing that makes each saga's spans. Default: propagation only.
         *
         * @param tracing the tracing
         * @return this builder
         * @throws NullPointerException if {@code tracing} is {@code null}
         */
        public Builder tracing(Tracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        /**
         * The registry for the {@code flotilla.saga.*} metrics. Default: none.
         *
         * @param metrics the registry
         * @return this builder
         * @throws NullPointerException if {@code metrics} is {@code null}
         */
        public Builder metrics(MeterRegistry metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Opens (creating if needed) the bucket, starts watching it and starts the sweep timer.
         *
         * @return the engine; close it when done
         * @throws IllegalArgumentException                  if the retry delays are out of order
         * @throws dev.flotilla.messaging.MessagingException if the bucket cannot be created or watched
         */
        public Sagas build() {
            if (retryMinDelay.compareTo(retryMaxDelay) > 0) {
                throw new IllegalArgumentException("retryMinDelay " + retryMinDelay + " exceeds retryMaxDelay "
                        + retryMaxDelay);
            }
            Tracing t = tracing != null ? tracing : Tracing.propagationOnly(messaging.serviceName());
            return new Sagas(SagaEngine.start(new SagaEngine.Settings(messaging, clock, lease, sweepInterval,
                    retention, replicas, retryMinDelay, retryMaxDelay, t, metrics)));
        }
    }
}
