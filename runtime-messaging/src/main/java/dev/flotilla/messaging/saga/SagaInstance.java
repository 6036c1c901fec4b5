package dev.flotilla.messaging.saga;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A saga instance as stored at one moment (immutable; read it again with {@link Saga#find}).
 *
 * @param <D> the data type
 */
public final class SagaInstance<D> {
    private final String id;
    private final String name;
    private final SagaState state;
    private final String step;
    private final D data;
    private final String failure;
    private final List<SagaEvent> history;
    private final Instant startedAt;
    private final Instant updatedAt;

    SagaInstance(String id, String name, SagaState state, String step, D data, String failure,
                 List<SagaEvent> history, Instant startedAt, Instant updatedAt) {
        this.id = id;
        this.name = name;
        this.state = state;
        this.step = step;
        this.data = data;
        this.failure = failure;
        this.history = List.copyOf(history);
        this.startedAt = startedAt;
        this.updatedAt = updatedAt;
    }

    /**
     * The instance's id.
     *
     * @return the id
     */
    public String id() {
        return id;
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
     * The state.
     *
     * @return the state
     */
    public SagaState state() {
        return state;
    }

    /**
     * The step running, waited on or being compensated.
     *
     * @return the current step; empty once finished
     */
    public Optional<String> step() {
        return Optional.ofNullable(step);
    }

    /**
     * The step whose reply the saga waits for.
     *
     * @return the step when {@link #state()} is {@link SagaState#WAITING}; else empty
     */
    public Optional<String> waitingOn() {
        return state == SagaState.WAITING ? Optional.ofNullable(step) : Optional.empty();
    }

    /**
     * The data as the last completed step left it.
     *
     * @return the data
     */
    public D data() {
        return data;
    }

    /**
     * Why the saga failed or compensates.
     *
     * @return the reason; empty unless compensating or failed
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * What happened so far, oldest first.
     *
     * @return the history
     */
    public List<SagaEvent> history() {
        return history;
    }

    /**
     * When the saga started.
     *
     * @return the start time
     */
    public Instant startedAt() {
        return startedAt;
    }

    /**
     * When the state last changed.
     *
     * @return the time of the last change
     */
    public Instant updatedAt() {
        return updatedAt;
    }

    /**
     * Whether the saga is over.
     *
     * @return {@code true} when {@link SagaState#COMPLETED} or {@link SagaState#FAILED}
     */
    public boolean finished() {
        return state.finished();
    }

    @Override
    public String toString() {
        return "SagaInstance[" + name + "." + id + " " + state + (step == null ? "" : " at " + step)
                + (failure == null ? "" : " failure=" + failure) + "]";
    }
}
