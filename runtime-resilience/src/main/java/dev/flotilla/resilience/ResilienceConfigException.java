package dev.flotilla.resilience;

import java.util.Objects;

/**
 * Thrown at start-up when the {@code resilience} configuration holds an unknown key or an invalid value.
 *
 * <p>The message names the full key (for example {@code resilience.user-service.retry.max-attempts}), the value found
 * and what is allowed, so that the configuration can be fixed without reading code.
 */
public final class ResilienceConfigException extends ResilienceException {
    private static final long serialVersionUID = 1L;

    /** The configuration key whose value is invalid. */
    private final String key;

    ResilienceConfigException(String key, String message) {
        super(message);
        this.key = Objects.requireNonNull(key, "key");
    }

    ResilienceConfigException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = Objects.requireNonNull(key, "key");
    }

    /**
     * Returns the full configuration key that was refused.
     *
     * @return the key, for example {@code resilience.user-service.retry.max-attempts}
     */
    public String key() {
        return key;
    }
}
