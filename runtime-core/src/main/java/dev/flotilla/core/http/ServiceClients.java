package dev.flotilla.core.http;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.observability.Tracing;
import dev.flotilla.core.discovery.ServiceDiscovery;
import dev.flotilla.core.json.JsonMapping;
import dev.flotilla.resilience.Resilience;
import io.helidon.common.LazyValue;
import io.helidon.common.tls.Tls;
import io.helidon.config.Config;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.webclient.api.WebClient;

/**
 * Creates typed clients for the contract interfaces of other services, and owns what they share: one Helidon
 * {@link WebClient} with its connection pool, the discovery that finds instances, and the resilience registry whose
 * circuit breakers and retry budgets every client of one downstream shares.
 *
 * <p>Inside a service, use {@link dev.flotilla.core.ServiceContext#client(Class, String)}, which uses the service's
 * own instance. Standalone:
 * <pre>{@code
 * try (ServiceClients clients = ServiceClients.builder()
 *         .discovery(StaticDiscovery.of(Map.of("user-service", List.of(URI.create("http://localhost:8081")))))
 *         .build()) {
 *     UserApi users = clients.create(UserApi.class, "user-service");
 *     User user = users.get(42);
 * }
 * }</pre>
 *
 * <p>For every call, a client: picks an instance round-robin, skipping instances whose circuit breaker is open;
 * runs the attempt through that instance's breaker and timeout; retries idempotent methods (GET, PUT, DELETE, or
 * {@link Idempotent}) on another instance after a connection failure, a timeout or a 502/503/504, within the retry
 * budget and the caller's deadline; never retries other methods; and sends the correlation id, the W3C trace
 * context and the remaining deadline; and who calls: the calling service's token ({@code Flotilla-Service-Token},
 * when {@link Builder#serviceTokens} is set) and, while handling a request whose user was verified by a bearer token,
 * that token ({@code Authorization: Bearer}), so the callee sees the user and the calling service. The
 * {@value HttpContracts#CALLER_HEADER} header is an unverified label, for metrics only. The policies come from the {@code resilience.<service>} settings (or
 * {@code resilience.<name>} when {@code clients.<service>.policies} or {@code clients.<service>.methods.<method>.policies}
 * names another set). Only what is the downstream's fault counts against it, in its breaker and its retry budget: a
 * connection failure, a timeout, a 5xx; a 4xx answers the caller's mistake and counts for neither. A call whose
 * arguments cannot make a request a service would read (a path parameter that is empty, {@code .}, {@code ..} or
 * contains {@code /}, or a path and query over 4,000 characters once encoded) is not sent: it fails at once with
 * {@link IllegalArgumentException}, and counts for nothing. Thread-safe.
 *
 * <p>HTTPS: a service whose instances serve TLS (their discovered URIs are {@code https://}) is called with the JVM's
 * trust unless {@code clients.<service>.tls} gives Helidon TLS settings ({@code trust.keystore.resource.path},
 * {@code trust.keystore.passphrase}, {@code trust.keystore.trust-store: true}, and for mutual TLS
 * {@code private-key.keystore.resource.path} and {@code private-key.keystore.passphrase}); such a service gets a
 * connection pool of its own.
 */
public final class ServiceClients implements AutoCloseable {
    /** The longest wait for a TCP connection to an instance. */
    static final java.time.Duration CONNECT_TIMEOUT = java.time.Duration.ofSeconds(2);
    /**
     * The default of {@code clients.connection-cache-size}: idle keep-alive connections kept per downstream instance.
     * Helidon's own default (256) makes a gateway with more concurrent calls to one instance close the surplus and
     * reconnect; connections are only kept once that many were in use at the same time.
     */
    public static final int DEFAULT_CONNECTION_CACHE_SIZE = 1024;
    /** The key, under the {@code clients} node, of the number of idle connections kept per instance. */
    static final String CONNECTION_CACHE_SIZE_KEY = "connection-cache-size";
    /**
     * The key, under {@code clients} (every service) or {@code clients.<service>} (one service), that makes typed
     * clients validate a call's arguments before sending it: {@value}.
     */
    static final String VALIDATE_REQUESTS_KEY = "validate-requests";

    private final String caller;
    private final ServiceDiscovery discovery;
    private final Resilience resilience;
    private final Config clientsConfig;
    /** Created with the first client: a service that calls no one pays nothing for it. */
    private final LazyValue<WebClient> webClient;
    private final ExecutorService asyncExecutor;
    private final ObjectMapper mapper;
    private final Map<String, Object> clients = new ConcurrentHashMap<>();
    private final Tracing tracing;
    private final MeterRegistry metrics;
    /** The calling service's token for a callee, by its name; null when calls are not signed. */
    private final java.util.function.Function<String, String> serviceTokens;
    private final java.util.function.Supplier<String> userToken;
    /** The clients of services with a {@code clients.<service>.tls} section: a pool of their own, with that TLS. */
    private final Map<String, WebClient> tlsClients = new ConcurrentHashMap<>();
    /** Idle connections kept per downstream instance. */
    private final int connectionCacheSize;
    /** Whether clients validate calls before sending them, unless {@code clients.<service>.validate-requests} says. */
    private final boolean validateRequests;

    private ServiceClients(Builder builder) {
        this.caller = builder.caller;
        this.discovery = builder.discovery;
        this.resilience = builder.resilience == null ? Resilience.create(b -> { }) : builder.resilience;
        this.clientsConfig = builder.clientsConfig;
        this.mapper = builder.mapper == null ? JsonMapping.newMapper() : builder.mapper;
        this.connectionCacheSize = builder.connectionCacheSize != null ? builder.connectionCacheSize
                : connectionCacheSize(clientsConfig);
        this.webClient = LazyValue.create(() -> webClientBuilder().build());
        this.asyncExecutor = Executors.newVirtualThreadPerTaskExecutor();
        this.tracing = builder.tracing == null ? Tracing.propagationOnly(caller) : builder.tracing;
        this.metrics = builder.metrics;
        this.serviceTokens = builder.serviceTokens;
        this.userToken = builder.userToken;
        this.validateRequests = builder.validateRequests != null ? builder.validateRequests
                : flag(clientsConfig.get(VALIDATE_REQUESTS_KEY), false);
    }

    private static boolean flag(Config node, boolean fallback) {
        if (!node.exists()) {
            return fallback;
        }
        String text = node.asString().orElse("").trim();
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(node.key() + " must be true or false, was '" + text + "'");
        }
        return Boolean.parseBoolean(text);
    }

    private io.helidon.webclient.api.WebClientConfig.Builder webClientBuilder() {
        return WebClient.builder()
                .mediaContext(JsonMapping.mediaContext(mapper))
                // Each service keeps its own pool, so one service's stop cannot break another's connections.
                .shareConnectionCache(false)
                .connectionCacheSize(connectionCacheSize)
                .followRedirects(false)
                .connectTimeout(CONNECT_TIMEOUT);
    }

    /** The shared client, or for a service with {@code clients.<service>.tls} one with that TLS (Helidon's keys). */
    private WebClient webClientFor(String serviceName) {
        Config tls = clientsConfig.get(serviceName).get("tls");
        if (!tls.exists()) {
            return webClient.get();
        }
        return tlsClients.computeIfAbsent(serviceName, n -> webClientBuilder().tls(Tls.create(tls)).build());
    }

    private static int connectionCacheSize(Config clients) {
        Config node = clients.get(CONNECTION_CACHE_SIZE_KEY);
        if (!node.exists()) {
            return DEFAULT_CONNECTION_CACHE_SIZE;
        }
        int size;
        try {
            size = node.asInt().get();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("clients." + CONNECTION_CACHE_SIZE_KEY + " must be a whole number, was '"
                    + node.asString().orElse("") + "'", e);
        }
        return checkCacheSize(size);
    }

    private static int checkCacheSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("clients." + CONNECTION_CACHE_SIZE_KEY + " must be at least 1, was "
                    + size);
        }
        return size;
    }

    /**
     * A builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A typed client for a contract interface, calling the named service. The interface is checked now: a bad
     * contract fails here with a message naming the method. The same interface and service give the same client.
     *
     * <p>A call whose answer is a problem of a type the method declares (an exception annotated
     * {@link dev.flotilla.core.problem.ProblemType} in its {@code throws} clause) throws that exception, made with the
     * received problem; other answers throw {@link RemoteProblemException} and the other {@link ServiceCallException}s.
     * When requests are validated ({@link Builder#validateRequests(boolean)}, or the config key
     * {@code clients.<service>.validate-requests}), a call whose arguments break the contract's constraints throws
     * {@link jakarta.validation.ConstraintViolationException} and sends nothing.
     *
     * @param contract    the contract interface
     * @param serviceName the name of the service that serves it, as discovery knows it
     * @param <T>         the contract type
     * @return the client; thread-safe
     * @throws NullPointerException if an argument is {@code null}
     * @throws ContractException        if the interface is not a valid contract, a declared exception has no public
     *                                  constructor taking a Problem (the message names the method), or its
     *                                  constraints are not valid Bean Validation
     * @throws IllegalArgumentException if {@code clients.<service>.validate-requests} is not {@code true} or
     *                                  {@code false}
     */
    public <T> T create(Class<T> contract, String serviceName) {
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(serviceName, "serviceName");
        Object client = clients.computeIfAbsent(contract.getName() + "@" + serviceName, k -> {
            List<Endpoint> endpoints = Endpoint.parseContract(contract);
            CallExecutor executor = new CallExecutor(serviceName, caller, discovery, resilience,
                                                     clientsConfig.get(serviceName), webClientFor(serviceName),
                                                     asyncExecutor, mapper, tracing,
                                                     metrics == null ? null
                                                             : new ClientMetrics(caller, serviceName, metrics),
                                                     serviceTokens, userToken);
            boolean validate = flag(clientsConfig.get(serviceName).get(VALIDATE_REQUESTS_KEY), validateRequests);
            ContractValidator validator = validate ? ContractValidator.create(contract, endpoints) : null;
            return Proxy.newProxyInstance(contract.getClassLoader(), new Class<?>[] {contract},
                                          new ContractInvocationHandler(contract, serviceName, endpoints, executor,
                                                                        validator));
        });
        return contract.cast(client);
    }

    /**
     * The resilience registry the clients use: its circuit breakers (one per downstream instance, named
     * {@code <service>/<host:port>}) show in health details.
     *
     * @return the registry
     */
    public Resilience resilience() {
        return resilience;
    }

    /**
     * Closes the connection pool and stops accepting asynchronous calls; calls in flight complete or fail.
     */
    @Override
    public void close() {
        asyncExecutor.shutdown();
        if (webClient.isLoaded()) {
            webClient.get().closeResource();
        }
        tlsClients.values().forEach(WebClient::closeResource);
    }

    /**
     * Builds {@link ServiceClients}. Not thread-safe.
     */
    public static final class Builder {
        private String caller = "client";
        private ServiceDiscovery discovery = name -> List.of();
        private Resilience resilience;
        private Config clientsConfig = Config.empty();
        private ObjectMapper mapper;
        private Tracing tracing;
        private MeterRegistry metrics;
        private Integer connectionCacheSize;
        private Boolean validateRequests;
        private java.util.function.Function<String, String> serviceTokens;
        private java.util.function.Supplier<String> userToken;

        private Builder() {
        }

        /**
         * Signs every call with the calling service's identity: the function gives the service token to present to
         * a callee (its name in, a compact JWS out), sent as {@code Flotilla-Service-Token}. Inside a service the
         * runtime sets it from {@code security.identity.key}, caching a token per callee and renewing it before it
         * expires. Default: calls carry no service token.
         *
         * @param tokenForService the token for a callee's name; called on every call, so it should cache
         * @return this builder
         * @throws NullPointerException if {@code tokenForService} is {@code null}
         */
        public Builder serviceTokens(java.util.function.Function<String, String> tokenForService) {
            this.serviceTokens = Objects.requireNonNull(tokenForService, "tokenForService");
            return this;
        }

        /**
         * Calls as a signed-in user: each call made outside the handling of a request carries
         * {@code Authorization: Bearer} with the token the supplier gives (a command-line tool, a test, a
         * back-end-for-front-end calling for its user). Inside a request whose user was verified, that user's token
         * is sent instead. Default: none.
         *
         * @param token gives the user's bearer token (a JWT the callee accepts) at each call; may give {@code null}
         *              for none
         * @return this builder
         * @throws NullPointerException if {@code token} is {@code null}
         */
        public Builder userToken(java.util.function.Supplier<String> token) {
            this.userToken = Objects.requireNonNull(token, "token");
            return this;
        }

        /**
         * Whether typed clients check a call's arguments against the contract's Bean Validation constraints before
         * sending it: a call that breaks one throws {@link jakarta.validation.ConstraintViolationException} and sends
         * nothing. Overrides {@code clients.validate-requests}; {@code clients.<service>.validate-requests} still
         * decides for its service. Default {@code false}: the served side checks every call anyway.
         *
         * @param validate whether to validate
         * @return this builder
         */
        public Builder validateRequests(boolean validate) {
            this.validateRequests = validate;
            return this;
        }

        /**
         * How many idle keep-alive connections the pool keeps per downstream instance (host and port); a connection
         * that finishes a call while that many are idle is closed. Overrides {@code clients.connection-cache-size}.
         * Default {@value ServiceClients#DEFAULT_CONNECTION_CACHE_SIZE}.
         *
         * @param size at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code size} is less than 1
         */
        public Builder connectionCacheSize(int size) {
            this.connectionCacheSize = checkCacheSize(size);
            return this;
        }

        /**
         * Where client spans go: one span per attempt, named {@code <METHOD> <path template>}, with the attribute
         * {@value Tracing#ATTEMPT_ATTRIBUTE}; its context is sent as {@code traceparent}. Default: propagation only
         * (the caller's trace context is passed on, nothing is recorded).
         *
         * @param tracing the calling service's tracing
         * @return this builder
         * @throws NullPointerException if {@code tracing} is {@code null}
         */
        public Builder tracing(Tracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        /**
         * Where to count calls: the timer {@code flotilla.http.client.requests}, tagged {@code service} (the
         * caller), {@code target}, {@code method} (the contract method) and {@code outcome} ({@code success},
         * {@code not-found}, {@code client-error}, {@code server-error}, {@code timeout}, {@code unreachable},
         * {@code failure}). Default: not counted.
         *
         * @param registry the meter registry
         * @return this builder
         * @throws NullPointerException if {@code registry} is {@code null}
         */
        public Builder metrics(MeterRegistry registry) {
            this.metrics = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * The name of the calling service, used in logs. Default {@code client}.
         *
         * @param caller the caller's name
         * @return this builder
         * @throws NullPointerException if {@code caller} is {@code null}
         */
        public Builder caller(String caller) {
            this.caller = Objects.requireNonNull(caller, "caller");
            return this;
        }

        /**
         * How to find the instances of a service. Default: none, so every call fails with
         * {@link ServiceUnreachableException} until one is set.
         *
         * @param discovery the discovery
         * @return this builder
         * @throws NullPointerException if {@code discovery} is {@code null}
         */
        public Builder discovery(ServiceDiscovery discovery) {
            this.discovery = Objects.requireNonNull(discovery, "discovery");
            return this;
        }

        /**
         * The resilience registry. Default: one with the built-in defaults.
         *
         * @param resilience the registry
         * @return this builder
         * @throws NullPointerException if {@code resilience} is {@code null}
         */
        public Builder resilience(Resilience resilience) {
            this.resilience = Objects.requireNonNull(resilience, "resilience");
            return this;
        }

        /**
         * The {@code clients} config node: {@code <service>.policies} and {@code <service>.methods.<method>.policies}
         * choose resilience settings by name; {@code connection-cache-size} sets the idle connections kept per
         * downstream instance (see {@link #connectionCacheSize(int)}); {@code validate-requests} and
         * {@code <service>.validate-requests} make clients validate calls before sending them (see
         * {@link #validateRequests(boolean)}). An invalid {@code connection-cache-size} or {@code validate-requests}
         * makes {@link #build()} throw {@link IllegalArgumentException}.
         *
         * @param clients the {@code clients} node
         * @return this builder
         * @throws NullPointerException if {@code clients} is {@code null}
         */
        public Builder config(Config clients) {
            this.clientsConfig = Objects.requireNonNull(clients, "clients");
            return this;
        }

        /**
         * The JSON mapper. Default: Flotilla's (tolerant of unknown properties, ISO-8601 dates).
         *
         * @param mapper the mapper
         * @return this builder
         * @throws NullPointerException if {@code mapper} is {@code null}
         */
        public Builder objectMapper(ObjectMapper mapper) {
            this.mapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /**
         * Builds the factory.
         *
         * @return a new factory; close it when done
         * @throws IllegalArgumentException if {@code clients.connection-cache-size} is not a whole number of at least
         *                                  1, or {@code clients.validate-requests} is not {@code true} or
         *                                  {@code false}
         */
        public ServiceClients build() {
            return new ServiceClients(this);
        }
    }
}
