package dev.flotilla.reliability;

import org.junit.jupiter.api.Assumptions;

/**
 * The switch of the heavy scenarios: {@code -Dflotilla.reliability.heavy=true} (see docs/reliability.md). Without it
 * a heavy scenario is skipped, and the normal build runs the fast versions.
 */
final class Heavy {
    /** The system property: {@value}. */
    static final String PROPERTY = "flotilla.reliability.heavy";

    private Heavy() {
    }

    static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Skips the calling test unless the heavy scenarios were asked for. */
    static void required() {
        Assumptions.assumeTrue(enabled(), "heavy scenario: run with -D" + PROPERTY + "=true");
    }

    /** The fast figure in the normal build, the heavy one with the flag. */
    static int pick(int fast, int heavy) {
        return enabled() ? heavy : fast;
    }
}
