package dev.flotilla.resilience;

/**
 * Internal marker that ends a retry loop early (retry budget exhausted, or no time left before the deadline) while
 * carrying the last real failure, which is what the caller gets. Never reaches user code.
 */
final class RetryStopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RetryStopped(Throwable lastFailure) {
        super(null, lastFailure, false, false);
    }
}
