package dev.flotilla.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.helidon.config.Config;

/**
 * A JetStream stream to create, or update, when messaging starts. Declaring is idempotent: an existing stream
 * with the same name is updated to this definition. Immutable and thread-safe.
 *
 * <p>Config (under {@code messaging.streams.<name>}): {@code subjects} (list or comma-separated, required), {@code storage}
 * ({@code file}|{@code memory}, default {@code file}), {@code max-age} (ISO-8601, default {@code PT0S} = keep
 * forever), {@code duplicate-window} (default {@link #DEFAULT_DUPLICATE_WINDOW}), {@code replicas} (default 1).
 */
public final class StreamDefinition {

    /** Default window in which JetStream drops a publish whose message id it has already stored. */
    public static final Duration DEFAULT_DUPLICATE_WINDOW = Duration.ofMinutes(2);
    /** Default replicas of the stream; use 3 on a production cluster. */
    public static final int DEFAULT_REPLICAS = 1;

    /** Where a stream keeps its messages. */
    public enum Storage {
        /** On disk; survives a server restart. */
        FILE,
        /** In memory; lost when the server stops. */
        MEMORY
    }

    private final String name;
    private final List<String> subjects;
    private final Storage storage;
    private final Duration maxAge;
    private final Duration duplicateWindow;
    private final int replicas;

    private StreamDefinition(Builder b) {
        this.name = b.name;
        this.subjects = List.copyOf(b.subjects);
        this.storage = b.storage;
        this.maxAge = b.maxAge;
        this.duplicateWindow = b.duplicateWindow;
        this.replicas = b.replicas;
    }

    /**
     * A builder for a stream with the given name.
     *
     * @param name the stream name: letters, digits, {@code -} and {@code _}
     * @return a new builder
     * @throws IllegalArgumentException if the name has other characters or is empty
     * @throws NullPointerException     if {@code name} is {@code null}
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Reads a stream definition from its config node; the node's name is the stream's name.
     *
     * @param config the node {@code messaging.streams.<name>}
     * @return the definition
     * @throws IllegalArgumentException if a value is invalid or {@code subjects} is missing
     * @throws NullPointerException     if {@code config} is {@code null}
     */
    public static StreamDefinition create(Config config) {
        Builder b = builder(config.name());
        Config subjects = config.get("subjects");
        if (subjects.isLeaf()) {
            subjects.asString().ifPresent(list -> java.util.Arrays.stream(list.split(","))
                    .map(String::trim).filter(x -> !x.isEmpty()).forEach(b::addSubject));
        } else {
            subjects.asList(String.class).ifPresent(list -> list.forEach(b::addSubject));
        }
        config.get("storage").asString().ifPresent(s -> b.storage(parseStorage(config.name(), s)));
        config.get("max-age").as(Duration.class).ifPresent(b::maxAge);
        config.get("duplicate-window").as(Duration.class).ifPresent(b::duplicateWindow);
        config.get("replicas").asInt().ifPresent(b::replicas);
        return b.build();
    }

    private static Storage parseStorage(String stream, String value) {
        try {
            return Storage.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("messaging.streams." + stream + ".storage must be file or memory, was '"
                    + value + "'", e);
        }
    }

    /**
     * The stream's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The subjects the stream captures; wildcards allowed.
     *
     * @return a non-empty unmodifiable list
     */
    public List<String> subjects() {
        return subjects;
    }

    /**
     * Where the stream keeps messages.
     *
     * @return the storage
     */
    public Storage storage() {
        return storage;
    }

    /**
     * How long messages are kept; zero keeps them forever.
     *
     * @return the max age
     */
    public Duration maxAge() {
        return maxAge;
    }

    /**
     * The window in which a repeated message id is dropped as a duplicate.
     *
     * @return the window
     */
    public Duration duplicateWindow() {
        return duplicateWindow;
    }

    /**
     * The number of replicas in a cluster.
     *
     * @return 1 to 5
     */
    public int replicas() {
        return replicas;
    }

    @Override
    public String toString() {
        return "StreamDefinition[" + name + " " + subjects + " " + storage + "]";
    }

    /**
     * Builds a {@link StreamDefinition}. Not thread-safe.
     */
    public static final class Builder {

        private final String name;
        private final List<String> subjects = new ArrayList<>();
        private Storage storage = Storage.FILE;
        private Duration maxAge = Duration.ZERO;
        private Duration duplicateWindow = DEFAULT_DUPLICATE_WINDOW;
        private int replicas = DEFAULT_REPLICAS;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("Stream name may contain only letters, digits, '-' and '_', was '"
                        + name + "'");
            }
            this.name = name;
        }

        /**
         * Adds a subject the stream captures.
         *
         * @param subject a subject, wildcards allowed
         * @return this builder
         * @throws IllegalArgumentException if the subject is not valid
         * @throws NullPointerException     if {@code subject} is {@code null}
         */
        public Builder addSubject(String subject) {
            Subjects.checkPattern(subject);
            subjects.add(subject);
            return this;
        }

        /**
         * Sets where the stream keeps messages; default {@link Storage#FILE}.
         *
         * @param storage the storage
         * @return this builder
         * @throws NullPointerException if {@code storage} is {@code null}
         */
        public Builder storage(Storage storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /**
         * Sets how long messages are kept; zero (the default) keeps them forever.
         *
         * @param maxAge a non-negative duration
         * @return this builder
         * @throws IllegalArgumentException if {@code maxAge} is negative
         * @throws NullPointerException     if {@code maxAge} is {@code null}
         */
        public Builder maxAge(Duration maxAge) {
            if (maxAge.isNegative()) {
                throw new IllegalArgumentException("maxAge must not be negative, was " + maxAge);
            }
            this.maxAge = maxAge;
            return this;
        }

        /**
         * Sets the de-duplication window; default {@link #DEFAULT_DUPLICATE_WINDOW}.
         *
         * @param duplicateWindow a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code duplicateWindow} is not positive
         * @throws NullPointerException     if {@code duplicateWindow} is {@code null}
         */
        public Builder duplicateWindow(Duration duplicateWindow) {
            if (duplicateWindow.isNegative() || duplicateWindow.isZero()) {
                throw new IllegalArgumentException("duplicateWindow must be positive, was " + duplicateWindow);
            }
            this.duplicateWindow = duplicateWindow;
            return this;
        }

        /**
         * Sets the number of replicas; default {@value #DEFAULT_REPLICAS}.
         *
         * @param replicas 1 to 5
         * @return this builder
         * @throws IllegalArgumentException if {@code replicas} is outside 1..5
         */
        public Builder replicas(int replicas) {
            if (replicas < 1 || replicas > 5) {
                throw new IllegalArgumentException("replicas must be within 1..5, was " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /**
         * Builds the definition.
         *
         * @return the definition
         * @throws IllegalArgumentException if no subject was added
         */
        public StreamDefinition build() {
            if (subjects.isEmpty()) {
                throw new IllegalArgumentException("Stream '" + name + "' needs at least one subject");
            }
            return new StreamDefinition(this);
        }
    }
}
