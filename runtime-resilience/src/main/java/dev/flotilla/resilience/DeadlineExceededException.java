package dev.flotilla.resilience;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown when a call made with a {@link Deadline} runs out of time: the deadline had already passed when the call
 * started, or it passed while an attempt or a retry delay was in progress.
 *
 * <p>When the deadline leaves too little time for another attempt after a failure, Flotilla does not throw this
 * exception: it stops retrying and the caller gets the last failure instead.
 */
public final class DeadlineExceededException extends ResilienceException {
    private static final long serialVersionUID = 1L;

    /** The name of the policy set whose deadline ran out. */
    private final String policySet;
    /** The time the call had. */
    private final Duration budget;

    DeadlineExceededException(String policySet, Duration budget, Throwable cause) {
        super("Call through policy set '" + policySet + "' exceeded its deadline (" + budget
                      + " were left when it started)", cause);
        this.policySet = Objects.requireNonNull(policySet, "policySet");
        this.budget = Objects.requireNonNull(budget, "budget");
    }

    /**
     * Returns the name of the policy set the call went through.
     *
     * @return the policy set name, never {@code null}
     */
    public String policySet() {
        return policySet;
    }

    /**
     * Returns the time that was left before the deadline when the call started.
     *
     * @return the remaining time at the start of the call, zero or positive
     */
    public Duration budget() {
        return budget;
    }
}
