package dev.flotilla.core;

import java.util.StringJoiner;

/**
 * How long each phase of one start took, for the {@code dev.flotilla.core.profile} logger's DEBUG line: each
 * {@link #end(String)} names the phase that ends there, since the previous one ended. Confined to the thread that
 * starts the service (its start is serialized by the instance's lock).
 */
final class StartPhases {
    private final StringJoiner phases = new StringJoiner(", ");
    private long last;

    StartPhases(long began) {
        this.last = began;
    }

    /** Ends a phase begun when the previous one ended. */
    void end(String phase) {
        long now = System.nanoTime();
        phases.add(phase + " " + (now - last) / 1_000_000 + " ms");
        last = now;
    }

    /** Skips the time since the previous phase ended (spent waiting for other services, not starting this one). */
    void restart() {
        last = System.nanoTime();
    }

    @Override
    public String toString() {
        return phases.toString();
    }
}
