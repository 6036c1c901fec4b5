package dev.flotilla.messaging;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.helidon.config.Config;

/**
 * How to reach NATS: servers, credentials, TLS, reconnect and timeouts. Immutable and thread-safe; secrets are
 * never printed by {@link #toString()}.
 *
 * <p>Config keys under {@code messaging.nats} (defaults beside the constants):
 * {@code servers} (list or comma-separated), {@code user}, {@code password}, {@code token}, {@code nkey-seed},
 * {@code credentials-file}, {@code tls.enabled}, {@code tls.first}, {@code tls.truststore},
 * {@code tls.truststore-password}, {@code tls.keystore}, {@code tls.keystore-password},
 * {@code reconnect.initial-wait}, {@code reconnect.max-wait}, {@code reconnect.jitter},
 * {@code reconnect.max-attempts}, {@code reconnect.buffer-size}, {@code connection-timeout},
 * {@code request-timeout}, {@code publish-retry-timeout}, {@code pull-expiry}, {@code inbox-prefix}.
 * Only one of user/password, token, nkey-seed and credentials-file may be set.
 */
public final class NatsSettings {

    /** Default server list: a local nats-server. */
    public static final List<String> DEFAULT_SERVERS = List.of("nats://127.0.0.1:4222");
    /** Default wait before the first reconnect attempt; doubles per attempt up to the max wait. */
    public static final Duration DEFAULT_RECONNECT_INITIAL_WAIT = Duration.ofMillis(100);
    /** Default longest wait between reconnect attempts. */
    public static final Duration DEFAULT_RECONNECT_MAX_WAIT = Duration.ofSeconds(2);
    /** Default random extra wait added to each reconnect wait, so instances don't reconnect in lockstep. */
    public static final Duration DEFAULT_RECONNECT_JITTER = Duration.ofMillis(100);
    /** Default reconnect attempts; -1 retries forever. */
    public static final int DEFAULT_RECONNECT_MAX_ATTEMPTS = -1;
    /** Default bytes of publishes buffered while disconnected (8 MiB); beyond that a publish fails. */
    public static final long DEFAULT_RECONNECT_BUFFER_SIZE = 8L * 1024 * 1024;
    /** Default time to establish a connection. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(2);
    /** Default time a JetStream API call or durable publish waits for the server. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /** Default time a durable publish keeps retrying (with the same message id) while the server is away. */
    public static final Duration DEFAULT_PUBLISH_RETRY_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Default expiry of a durable consumer's pull request. A lost server is noticed after 1.5 times this
     * (missed heartbeats), so it bounds how long a durable subscription pauses after a server restart.
     */
    public static final Duration DEFAULT_PULL_EXPIRY = Duration.ofSeconds(5);
    /**
     * Default prefix of the subjects replies come back on: {@value}, jnats' own. Under least-privilege permissions
     * each service has one of its own, such as {@code _INBOX_order-service} (see
     * {@code dev.flotilla.messaging.permissions.NatsPermissions}), so no other client may read its replies.
     */
    public static final String DEFAULT_INBOX_PREFIX = "_INBOX";

    private final List<String> servers;
    private final String user;
    private final char[] password;
    private final char[] token;
    private final char[] nkeySeed;
    private final Path credentialsFile;
    private final boolean tls;
    private final boolean tlsFirst;
    private final Path truststore;
    private final char[] truststorePassword;
    private final Path keystore;
    private final char[] keystorePassword;
    private final Duration reconnectInitialWait;
    private final Duration reconnectMaxWait;
    private final Duration reconnectJitter;
    private final int reconnectMaxAttempts;
    private final long reconnectBufferSize;
    private final Duration connectionTimeout;
    private final Duration requestTimeout;
    private final Duration publishRetryTimeout;
    private final Duration pullExpiry;
    private final String inboxPrefix;

    private NatsSettings(Builder b) {
        this.servers = List.copyOf(b.servers);
        this.user = b.user;
        this.password = b.password;
        this.token = b.token;
        this.nkeySeed = b.nkeySeed;
        this.credentialsFile = b.credentialsFile;
        this.tls = b.tls;
        this.tlsFirst = b.tlsFirst;
        this.truststore = b.truststore;
        this.truststorePassword = b.truststorePassword;
        this.keystore = b.keystore;
        this.keystorePassword = b.keystorePassword;
        this.reconnectInitialWait = b.reconnectInitialWait;
        this.reconnectMaxWait = b.reconnectMaxWait;
        this.reconnectJitter = b.reconnectJitter;
        this.reconnectMaxAttempts = b.reconnectMaxAttempts;
        this.reconnectBufferSize = b.reconnectBufferSize;
        this.connectionTimeout = b.connectionTimeout;
        this.requestTimeout = b.requestTimeout;
        this.publishRetryTimeout = b.publishRetryTimeout;
        this.pullExpiry = b.pullExpiry;
        this.inboxPrefix = b.inboxPrefix;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads settings from the {@code messaging.nats} config node; absent keys keep their defaults.
     *
     * @param config the {@code messaging.nats} node (may be missing: then all defaults)
     * @return the settings
     * @throws IllegalArgumentException if a value is invalid or credentials contradict each other
     * @throws NullPointerException     if {@code config} is {@code null}
     */
    public static NatsSettings create(Config config) {
        Builder b = builder();
        Config serversNode = config.get("servers");
        if (serversNode.isLeaf()) {
            serversNode.asString().ifPresent(s -> b.servers(Arrays.stream(s.split(","))
                    .map(String::trim).filter(x -> !x.isEmpty()).toList()));
        } else {
            serversNode.asList(String.class).ifPresent(b::servers);
        }
        config.get("user").asString().ifPresent(u -> b.userInfo(u, config.get("password").asString().orElse("")));
        config.get("token").asString().ifPresent(b::token);
        config.get("nkey-seed").asString().ifPresent(b::nkeySeed);
        config.get("credentials-file").asString().ifPresent(f -> b.credentialsFile(Path.of(f)));
        Config tls = config.get("tls");
        tls.get("enabled").asBoolean().ifPresent(b::tls);
        tls.get("first").asBoolean().ifPresent(b::tlsFirst);
        tls.get("truststore").asString().ifPresent(p -> b.truststore(Path.of(p),
                tls.get("truststore-password").asString().orElse("")));
        tls.get("keystore").asString().ifPresent(p -> b.keystore(Path.of(p),
                tls.get("keystore-password").asString().orElse("")));
        Config reconnect = config.get("reconnect");
        reconnect.get("initial-wait").as(Duration.class).ifPresent(b::reconnectInitialWait);
        reconnect.get("max-wait").as(Duration.class).ifPresent(b::reconnectMaxWait);
        reconnect.get("jitter").as(Duration.class).ifPresent(b::reconnectJitter);
        reconnect.get("max-attempts").asInt().ifPresent(b::reconnectMaxAttempts);
        reconnect.get("buffer-size").asLong().ifPresent(b::reconnectBufferSize);
        config.get("connection-timeout").as(Duration.class).ifPresent(b::connectionTimeout);
        config.get("request-timeout").as(Duration.class).ifPresent(b::requestTimeout);
        config.get("publish-retry-timeout").as(Duration.class).ifPresent(b::publishRetryTimeout);
        config.get("pull-expiry").as(Duration.class).ifPresent(b::pullExpiry);
        config.get("inbox-prefix").asString().ifPresent(b::inboxPrefix);
        return b.build();
    }

    /**
     * The server URLs; the client picks among them and fails over.
     *
     * @return a non-empty unmodifiable list
     */
    public List<String> servers() {
        return servers;
    }

    /**
     * The user name for user/password authentication.
     *
     * @return the user, or empty
     */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    Optional<char[]> password() {
        return Optional.ofNullable(password);
    }

    Optional<char[]> token() {
        return Optional.ofNullable(token);
    }

    Optional<char[]> nkeySeed() {
        return Optional.ofNullable(nkeySeed);
    }

    /**
     * The credentials file (JWT and NKey seed) for decentralised authentication.
     *
     * @return the path, or empty
     */
    public Optional<Path> credentialsFile() {
        return Optional.ofNullable(credentialsFile);
    }

    /**
     * Whether the connection uses TLS.
     *
     * @return {@code true} for TLS
     */
    public boolean tls() {
        return tls;
    }

    boolean tlsFirst() {
        return tlsFirst;
    }

    Optional<Path> truststore() {
        return Optional.ofNullable(truststore);
    }

    char[] truststorePassword() {
        return truststorePassword;
    }

    Optional<Path> keystore() {
        return Optional.ofNullable(keystore);
    }

    char[] keystorePassword() {
        return keystorePassword;
    }

    /**
     * The wait before the first reconnect attempt.
     *
     * @return the wait
     */
    public Duration reconnectInitialWait() {
        return reconnectInitialWait;
    }

    /**
     * The longest wait between reconnect attempts.
     *
     * @return the wait
     */
    public Duration reconnectMaxWait() {
        return reconnectMaxWait;
    }

    /**
     * The largest random extra wait per reconnect attempt.
     *
     * @return the jitter
     */
    public Duration reconnectJitter() {
        return reconnectJitter;
    }

    /**
     * Reconnect attempts before giving up; -1 for forever.
     *
     * @return the attempts
     */
    public int reconnectMaxAttempts() {
        return reconnectMaxAttempts;
    }

    /**
     * Bytes of publishes buffered while disconnected.
     *
     * @return the buffer size
     */
    public long reconnectBufferSize() {
        return reconnectBufferSize;
    }

    /**
     * Time to establish a connection.
     *
     * @return the timeout
     */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /**
     * Time a JetStream API call waits for the server.
     *
     * @return the timeout
     */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * Time a durable publish keeps retrying while the server is unreachable.
     *
     * @return the timeout
     */
    public Duration publishRetryTimeout() {
        return publishRetryTimeout;
    }

    /**
     * Expiry of a durable consumer's pull request.
     *
     * @return the expiry
     */
    public Duration pullExpiry() {
        return pullExpiry;
    }

    /**
     * The prefix of the inbox subjects this connection's replies come back on (requests, JetStream acks and pulls,
     * key-value watches): replies arrive on {@code <prefix>.<unique>}.
     *
     * @return the prefix, {@link #DEFAULT_INBOX_PREFIX} unless set
     */
    public String inboxPrefix() {
        return inboxPrefix;
    }

    /**
     * jnats connection options with these servers, credentials, TLS and reconnect settings, for a jnats connection of
     * your own next to messaging (a key-value bucket, an object store: what {@link Messaging} does not cover), as the
     * central configuration of {@code dev.flotilla.messaging.config} does. Add listeners to the builder before
     * {@code build()}. Messaging's own connection sets more (listeners, logging).
     *
     * @param connectionName the name the server shows for the connection
     * @return a new options builder
     * @throws NullPointerException if {@code connectionName} is {@code null}
     * @throws MessagingException   if TLS cannot be set up, an NKey seed is invalid, or the credentials file cannot
     *                              be read or is not one
     */
    public io.nats.client.Options.Builder toOptions(String connectionName) {
        return NatsOptions.of(this, Objects.requireNonNull(connectionName, "connectionName"));
    }

    @Override
    public String toString() {
        return "NatsSettings[servers=" + servers + ", auth=" + (user != null ? "user" : token != null ? "token"
                : nkeySeed != null ? "nkey" : credentialsFile != null ? "credentials" : "none")
                + ", tls=" + tls + "]";
    }

    /**
     * Builds {@link NatsSettings}. Not thread-safe.
     */
    public static final class Builder {

        private List<String> servers = DEFAULT_SERVERS;
        private String user;
        private char[] password;
        private char[] token;
        private char[] nkeySeed;
        private Path credentialsFile;
        private boolean tls;
        private boolean tlsFirst;
        private Path truststore;
        private char[] truststorePassword = new char[0];
        private Path keystore;
        private char[] keystorePassword = new char[0];
        private Duration reconnectInitialWait = DEFAULT_RECONNECT_INITIAL_WAIT;
        private Duration reconnectMaxWait = DEFAULT_RECONNECT_MAX_WAIT;
        private Duration reconnectJitter = DEFAULT_RECONNECT_JITTER;
        private int reconnectMaxAttempts = DEFAULT_RECONNECT_MAX_ATTEMPTS;
        private long reconnectBufferSize = DEFAULT_RECONNECT_BUFFER_SIZE;
        private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration publishRetryTimeout = DEFAULT_PUBLISH_RETRY_TIMEOUT;
        private Duration pullExpiry = DEFAULT_PULL_EXPIRY;
        private String inboxPrefix = DEFAULT_INBOX_PREFIX;

        private Builder() {
        }

        /**
         * Sets the server URLs, for example {@code nats://n1:4222}; {@code tls://} URLs imply TLS.
         *
         * @param servers a non-empty list
         * @return this builder
         * @throws IllegalArgumentException if the list is empty
         * @throws NullPointerException     if the list or an entry is {@code null}
         */
        public Builder servers(List<String> servers) {
            List<String> copy = new ArrayList<>(servers);
            copy.forEach(s -> Objects.requireNonNull(s, "server"));
            if (copy.isEmpty()) {
                throw new IllegalArgumentException("servers must not be empty");
            }
            this.servers = copy;
            return this;
        }

        /**
         * Sets a single server URL.
         *
         * @param server the URL
         * @return this builder
         * @throws NullPointerException if {@code server} is {@code null}
         */
        public Builder server(String server) {
            return servers(List.of(server));
        }

        /**
         * Authenticates with user and password.
         *
         * @param user     the user
         * @param password the password
         * @return this builder
         * @throws NullPointerException if an argument is {@code null}
         */
        public Builder userInfo(String user, String password) {
            this.user = Objects.requireNonNull(user, "user");
            this.password = Objects.requireNonNull(password, "password").toCharArray();
            return this;
        }

        /**
         * Authenticates with a token.
         *
         * @param token the token
         * @return this builder
         * @throws NullPointerException if {@code token} is {@code null}
         */
        public Builder token(String token) {
            this.token = Objects.requireNonNull(token, "token").toCharArray();
            return this;
        }

        /**
         * Authenticates with an NKey seed (a string starting with {@code SU}).
         *
         * @param seed the seed
         * @return this builder
         * @throws NullPointerException if {@code seed} is {@code null}
         */
        public Builder nkeySeed(String seed) {
            this.nkeySeed = Objects.requireNonNull(seed, "seed").toCharArray();
            return this;
        }

        /**
         * Authenticates with a credentials file (user JWT and NKey seed).
         *
         * @param file the file
         * @return this builder
         * @throws NullPointerException if {@code file} is {@code null}
         */
        public Builder credentialsFile(Path file) {
            this.credentialsFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Turns TLS on, with the JVM's default trust store unless {@link #truststore(Path, String)} is set.
         *
         * @param tls {@code true} for TLS
         * @return this builder
         */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Starts TLS before the NATS handshake (server option {@code handshake_first}).
         *
         * @param tlsFirst {@code true} for TLS first
         * @return this builder
         */
        public Builder tlsFirst(boolean tlsFirst) {
            this.tlsFirst = tlsFirst;
            return this;
        }

        /**
         * Trusts the certificates in this store; implies TLS.
         *
         * @param path     the trust store
         * @param password its password
         * @return this builder
         * @throws NullPointerException if an argument is {@code null}
         */
        public Builder truststore(Path path, String password) {
            this.truststore = Objects.requireNonNull(path, "path");
            this.truststorePassword = Objects.requireNonNull(password, "password").toCharArray();
            this.tls = true;
            return this;
        }

        /**
         * Presents the client certificate in this store (mutual TLS); implies TLS.
         *
         * @param path     the key store
         * @param password its password
         * @return this builder
         * @throws NullPointerException if an argument is {@code null}
         */
        public Builder keystore(Path path, String password) {
            this.keystore = Objects.requireNonNull(path, "path");
            this.keystorePassword = Objects.requireNonNull(password, "password").toCharArray();
            this.tls = true;
            return this;
        }

        /**
         * Sets the wait before the first reconnect attempt; it doubles per attempt up to the max wait.
         *
         * @param wait a non-negative duration
         * @return this builder
         * @throws IllegalArgumentException if negative
         * @throws NullPointerException     if {@code wait} is {@code null}
         */
        public Builder reconnectInitialWait(Duration wait) {
            this.reconnectInitialWait = nonNegative(wait, "reconnect.initial-wait");
            return this;
        }

        /**
         * Sets the longest wait between reconnect attempts.
         *
         * @param wait a non-negative duration
         * @return this builder
         * @throws IllegalArgumentException if negative
         * @throws NullPointerException     if {@code wait} is {@code null}
         */
        public Builder reconnectMaxWait(Duration wait) {
            this.reconnectMaxWait = nonNegative(wait, "reconnect.max-wait");
            return this;
        }

        /**
         * Sets the largest random extra wait per reconnect attempt.
         *
         * @param jitter a non-negative duration
         * @return this builder
         * @throws IllegalArgumentException if negative
         * @throws NullPointerException     if {@code jitter} is {@code null}
         */
        public Builder reconnectJitter(Duration jitter) {
            this.reconnectJitter = nonNegative(jitter, "reconnect.jitter");
            return this;
        }

        /**
         * Sets reconnect attempts before giving up; -1 for forever.
         *
         * @param attempts -1 or more
         * @return this builder
         * @throws IllegalArgumentException if below -1
         */
        public Builder reconnectMaxAttempts(int attempts) {
            if (attempts < -1) {
                throw new IllegalArgumentException("reconnect.max-attempts must be -1 or more, was " + attempts);
            }
            this.reconnectMaxAttempts = attempts;
            return this;
        }

        /**
         * Sets the bytes of publishes buffered while disconnected; 0 disables buffering.
         *
         * @param bytes 0 or more
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder reconnectBufferSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("reconnect.buffer-size must not be negative, was " + bytes);
            }
            this.reconnectBufferSize = bytes;
            return this;
        }

        /**
         * Sets the time to establish a connection.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if {@code timeout} is {@code null}
         */
        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = positive(timeout, "connection-timeout");
            return this;
        }

        /**
         * Sets the time a JetStream API call or one durable publish attempt waits.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if {@code timeout} is {@code null}
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "request-timeout");
            return this;
        }

        /**
         * Sets how long a durable publish keeps retrying while the server is away.
         *
         * @param timeout a non-negative duration; zero tries once
         * @return this builder
         * @throws IllegalArgumentException if negative
         * @throws NullPointerException     if {@code timeout} is {@code null}
         */
        public Builder publishRetryTimeout(Duration timeout) {
            this.publishRetryTimeout = nonNegative(timeout, "publish-retry-timeout");
            return this;
        }

        /**
         * Sets the expiry of a durable consumer's pull request; a lost server is noticed after 1.5 times this.
         *
         * @param expiry at least one second
         * @return this builder
         * @throws IllegalArgumentException if shorter than one second
         * @throws NullPointerException     if {@code expiry} is {@code null}
         */
        public Builder pullExpiry(Duration expiry) {
            if (Objects.requireNonNull(expiry, "pull-expiry").compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("pull-expiry must be at least PT1S, was " + expiry);
            }
            this.pullExpiry = expiry;
            return this;
        }

        /**
         * Sets the prefix of this connection's inbox subjects, where its replies arrive. Give each service its own
         * (such as {@code _INBOX_order-service}) when NATS permissions let each read only its own inbox.
         *
         * @param prefix one or more subject tokens without wildcards, such as {@code _INBOX_order-service}
         * @return this builder
         * @throws IllegalArgumentException if the prefix is empty, has wildcards, whitespace or an empty token
         * @throws NullPointerException     if {@code prefix} is {@code null}
         */
        public Builder inboxPrefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            String trimmed = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
            try {
                Subjects.checkConcrete(trimmed);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("inbox-prefix must be a subject without wildcards, was '"
                        + prefix + "'", e);
            }
            this.inboxPrefix = trimmed;
            return this;
        }

        /**
         * Builds the settings.
         *
         * @return the settings
         * @throws IllegalArgumentException if more than one authentication method is set
         */
        public NatsSettings build() {
            int methods = (user != null ? 1 : 0) + (token != null ? 1 : 0) + (nkeySeed != null ? 1 : 0)
                    + (credentialsFile != null ? 1 : 0);
            if (methods > 1) {
                throw new IllegalArgumentException("NATS settings can have only one of user/password, token, "
                        + "nkey-seed and credentials-file");
            }
            if (reconnectMaxWait.compareTo(reconnectInitialWait) < 0) {
                throw new IllegalArgumentException("reconnect.max-wait (" + reconnectMaxWait
                        + ") must not be shorter than reconnect.initial-wait (" + reconnectInitialWait + ")");
            }
            return new NatsSettings(this);
        }

        private static Duration nonNegative(Duration d, String key) {
            if (Objects.requireNonNull(d, key).isNegative()) {
                throw new IllegalArgumentException(key + " must not be negative, was " + d);
            }
            return d;
        }

        private static Duration positive(Duration d, String key) {
            if (nonNegative(d, key).isZero()) {
                throw new IllegalArgumentException(key + " must be positive, was " + d);
            }
            return d;
        }
    }
}
