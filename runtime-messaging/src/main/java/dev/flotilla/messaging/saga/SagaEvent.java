package dev.flotilla.messaging.saga;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of a saga instance's history.
 *
 * @param at     when it happened (the engine's clock)
 * @param step   the step it concerns; empty for the saga as a whole
 * @param event  what happened: {@code started}, {@code completed}, {@code retry}, {@code sent}, {@code replied},
 *               {@code failed}, {@code compensated}, {@code compensation-retry}, {@code taken-over},
 *               {@code finished}
 * @param detail more about it (an error, a reason, an owner); may be empty
 */
public record SagaEvent(Instant at, String step, String event, String detail) {
    /**
     * Checks the fields.
     *
     * @throws NullPointerException if a field is {@code null}
     */
    public SagaEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(detail, "detail");
    }
}
