package dev.flotilla.messaging.saga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * An immutable saga definition: a name, the data type and the steps in order, each with an action (or a command
 * sent and its reply awaited) and an optional compensation. Register it with {@link Sagas#register}.
 *
 * @param <D> the saga's data type: a JSON-mappable (immutable) record, stored with the saga's state
 */
public final class SagaDefinition<D> {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Class<D> dataType;
    private final List<Step<D>> steps;
    private final Duration timeout;

    private SagaDefinition(Builder<D> builder) {
        this.name = builder.name;
        this.dataType = builder.dataType;
        this.steps = List.copyOf(builder.steps);
        this.timeout = builder.timeout;
    }

    /**
     * A builder.
     *
     * @param name     the saga's name, {@code [A-Za-z0-9_-]{1,64}}, unique within the service
     * @param dataType the data type
     * @param <D>      the data type
     * @return a new builder
     * @throws IllegalArgumentException if the name is invalid
     * @throws NullPointerException     if an argument is {@code null}
     */
    public static <D> Builder<D> builder(String name, Class<D> dataType) {
        return new Builder<>(name, dataType);
    }

    /**
     * The saga's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The data type.
     *
     * @return the data class
     */
    public Class<D> dataType() {
        return dataType;
    }

    /**
     * The step names in order.
     *
     * @return the step names
     */
    public List<String> stepNames() {
        return steps.stream().map(Step::name).toList();
    }

    /**
     * The whole saga's timeout.
     *
     * @return the timeout; empty when the saga has none
     */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    List<Step<D>> steps() {
        return steps;
    }

    /** One step as defined. */
    record Step<D>(String name, StepAction<D> action, StepSend<D> send, Class<?> replyType, Duration replyTimeout,
                   ReplyHandler<D, Object> replyHandler, Compensation<D> compensation, Duration timeout) {
        boolean waits() {
            return send != null;
        }
    }

    /**
     * Builds a {@link SagaDefinition}.
     *
     * @param <D> the data type
     */
    public static final class Builder<D> {
        private final String name;
        private final Class<D> dataType;
        private final List<Step<D>> steps = new ArrayList<>();
        private final Set<String> names = new HashSet<>();
        private Duration timeout;

        private Builder(String name, Class<D> dataType) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dataType, "dataType");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("Saga name '" + name + "' must match " + NAME);
            }
            this.name = name;
            this.dataType = dataType;
        }

        /**
         * Adds a step after the ones added so far.
         *
         * @param stepName the step's name, {@code [A-Za-z0-9_-]{1,64}}, unique in the saga
         * @param setup    sets the action (or send and awaitReply) and optionally compensation and timeout
         * @return this builder
         * @throws IllegalArgumentException if the name is invalid or taken, or the setup sets neither an action nor
         *                                  a send with awaitReply, or both
         * @throws NullPointerException     if an argument is {@code null}
         */
        public Builder<D> step(String stepName, Consumer<StepBuilder<D>> setup) {
            Objects.requireNonNull(stepName, "stepName");
            Objects.requireNonNull(setup, "setup");
            if (!NAME.matcher(stepName).matches()) {
                throw new IllegalArgumentException("Step name '" + stepName + "' must match " + NAME);
            }
            if (!names.add(stepName)) {
                throw new IllegalArgumentException("Saga '" + name + "' already has a step '" + stepName + "'");
            }
            StepBuilder<D> step = new StepBuilder<>(stepName);
            setup.accept(step);
            steps.add(step.build());
            return this;
        }

        /**
         * Sets a timeout for the whole saga: when it passes while the saga is running or waiting, the saga fails
         * with "saga timed out" and compensates.
         *
         * @param timeout the timeout, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if {@code timeout} is {@code null}
         */
        public Builder<D> timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /**
         * Builds the definition.
         *
         * @return the definition
         * @throws IllegalStateException if no step was added
         */
        public SagaDefinition<D> build() {
            if (steps.isEmpty()) {
                throw new IllegalStateException("Saga '" + name + "' has no steps");
            }
            return new SagaDefinition<>(this);
        }
    }

    /**
     * Sets up one step: either {@link #action} or {@link #send} with {@link #awaitReply}.
     *
     * @param <D> the data type
     */
    public static final class StepBuilder<D> {
        private final String name;
        private StepAction<D> action;
        private StepSend<D> send;
        private Class<?> replyType;
        private Duration replyTimeout;
        private ReplyHandler<D, Object> replyHandler;
        private Compensation<D> compensation;
        private Duration timeout = DEFAULT_STEP_TIMEOUT;

        private StepBuilder(String name) {
            this.name = name;
        }

        /**
         * The step's action, returning the new data. A {@link SagaFailure} fails the saga; any other exception is
         * retried with backoff until the step's {@link #timeout}.
         *
         * @param action the action
         * @return this builder
         * @throws NullPointerException if {@code action} is {@code null}
         */
        public StepBuilder<D> action(StepAction<D> action) {
            this.action = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * Sends the step's command; with {@link #awaitReply} the saga then waits for the reply.
         *
         * @param send sends the command (retried like an action)
         * @return this builder
         * @throws NullPointerException if {@code send} is {@code null}
         */
        public StepBuilder<D> send(StepSend<D> send) {
            this.send = Objects.requireNonNull(send, "send");
            return this;
        }

        /**
         * Waits for the reply to the command sent: {@link Saga#reply} delivers it (converted to {@code replyType}
         * through JSON if it is not one already). When none came within {@code timeout} (a durable timer), the saga
         * fails with "no reply from &lt;step&gt; within &lt;timeout&gt;" and compensates, this step included.
         *
         * @param replyType the reply type
         * @param timeout   how long to wait, positive
         * @param handler   turns the reply into the new data, or throws {@link SagaFailure}
         * @param <R>       the reply type
         * @return this builder
         * @throws IllegalArgumentException if the timeout is not positive
         * @throws NullPointerException     if an argument is {@code null}
         */
        @SuppressWarnings("unchecked")
        public <R> StepBuilder<D> awaitReply(Class<R> replyType, Duration timeout, ReplyHandler<D, R> handler) {
            this.replyType = Objects.requireNonNull(replyType, "replyType");
            this.replyTimeout = positive(timeout, "timeout");
            this.replyHandler = (ReplyHandler<D, Object>) Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * The step's compensation, run (retried until it succeeds) when a later step, or this one after a send,
         * fails.
         *
         * @param compensation the compensation
         * @return this builder
         * @throws NullPointerException if {@code compensation} is {@code null}
         */
        public StepBuilder<D> compensate(Compensation<D> compensation) {
            this.compensation = Objects.requireNonNull(compensation, "compensation");
            return this;
        }

        /**
         * How long transient failures of the action (or send, or reply handler) are retried, counted from its
         * first attempt; then the step fails with "&lt;step&gt; timed out: &lt;last error&gt;". Default 30 s.
         *
         * @param timeout the timeout, positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if {@code timeout} is {@code null}
         */
        public StepBuilder<D> timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        private Step<D> build() {
            boolean waits = send != null || replyHandler != null;
            if (action != null && waits) {
                throw new IllegalArgumentException("Step '" + name + "' has both an action and a send/awaitReply");
            }
            if (action == null && (send == null || replyHandler == null)) {
                throw new IllegalArgumentException("Step '" + name + "' needs an action, or a send and an awaitReply");
            }
            return new Step<>(name, action, send, replyType, replyTimeout, replyHandler, compensation, timeout);
        }
    }

    static Duration positive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
        return value;
    }
}
