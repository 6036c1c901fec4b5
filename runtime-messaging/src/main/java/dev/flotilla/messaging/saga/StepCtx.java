package dev.flotilla.messaging.saga;

import java.util.Optional;

/** The {@link StepContext} handed to one attempt. */
record StepCtx<D>(String sagaName, String sagaId, String step, D data, int attempt, String idempotencyKey,
                  Optional<String> failure) implements StepContext<D> {

    static String key(String sagaName, String sagaId, String step, boolean compensation) {
        return sagaName + "." + sagaId + "." + step + (compensation ? ".compensate" : "");
    }
}
