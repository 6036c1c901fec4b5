package dev.flotilla.resilience;

/**
 * Two settings that are valid alone but not together; names the key to blame, so that {@link ConfigBinding} can
 * report it with its full path.
 */
final class ConflictingValues extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String key;

    ConflictingValues(String key, String message) {
        super(message);
        this.key = key;
    }

    String key() {
        return key;
    }
}
