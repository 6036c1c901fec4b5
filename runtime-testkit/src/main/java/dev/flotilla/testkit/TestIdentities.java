package dev.flotilla.testkit;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import dev.flotilla.core.security.internal.ServiceTokens;
import dev.flotilla.core.security.internal.TokenIssuer;

/**
 * Identities for services a test runs itself, outside a {@link TestSystem} (each as its own process, say): a key per
 * service ({@code security.identity.key}), the public keys of all of them as every service's trusted set
 * ({@code security.identity.trusted}), and a test issuer of user tokens that every service accepts
 * ({@code security.jwt.*}, issuer {@value #ISSUER}, audience {@value #AUDIENCE}). A {@link TestSystem} makes the same
 * for its own services.
 *
 * <pre>{@code
 * TestIdentities identities = TestIdentities.generate(List.of("gateway", "order-service"));
 * new ProcessBuilder("java", "-jar", "order-service.jar").environment()
 *         .putAll(identities.environment("order-service"));            // SECURITY_IDENTITY_KEY=..., ...
 * String token = identities.userToken("ada", "operator");               // Authorization: Bearer <token>
 * }</pre>
 *
 * <p>The keys live in memory only and are made anew for each instance. Thread-safe.
 */
public final class TestIdentities {
    /** The issuer of the user tokens tests make: {@value}. */
    public static final String ISSUER = "urn:flotilla:testkit";
    /** The audience of the user tokens tests make, accepted by all services: {@value}. */
    public static final String AUDIENCE = "flotilla-test-system";

    private final Map<String, String> keys;
    private final String trusted;
    private final TokenIssuer users;

    private TestIdentities(Map<String, String> keys, TokenIssuer users) {
        this.keys = Map.copyOf(keys);
        this.trusted = ServiceTokens.publicJwkSet(new ArrayList<>(keys.values()));
        this.users = users;
    }

    /**
     * Makes a key for each service and a user token issuer.
     *
     * @param services the services' names
     * @return the identities
     * @throws NullPointerException if {@code services} or a name is {@code null}
     */
    public static TestIdentities generate(Collection<String> services) {
        return new TestIdentities(keysOf(services), TokenIssuer.generate(ISSUER, AUDIENCE, Clock.systemUTC()));
    }

    /**
     * The {@code security.*} configuration of one service: its key, the trusted keys of all, and the user token
     * issuer's keys, issuer and audience.
     *
     * @param service the service's name
     * @return configuration keys and values
     * @throws IllegalArgumentException if the service was not named at {@link #generate(Collection)}
     */
    public Map<String, String> config(String service) {
        return securityConfig(keyOf(service), trusted, users);
    }

    /**
     * The same configuration as environment variables ({@code SECURITY_IDENTITY_KEY}, ...), the way to hand keys to a
     * process without showing them on its command line.
     *
     * @param service the service's name
     * @return variable names and values
     * @throws IllegalArgumentException if the service was not named at {@link #generate(Collection)}
     */
    public Map<String, String> environment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        config(service).forEach((key, value) -> env.put(
                key.replace("-", "_dash_").replace('.', '_').toUpperCase(Locale.ROOT), value));
        return env;
    }

    /**
     * A user token every service accepts, valid for ten minutes.
     *
     * @param subject the user
     * @param roles   its roles
     * @return the compact JWT, for {@code Authorization: Bearer}
     * @throws NullPointerException if an argument is {@code null}
     */
    public String userToken(String subject, String... roles) {
        return userToken(subject, Duration.ofMinutes(10), roles);
    }

    /**
     * A user token every service accepts, valid for as long as asked.
     *
     * @param subject  the user
     * @param validFor how long it is valid
     * @param roles    its roles
     * @return the compact JWT, for {@code Authorization: Bearer}
     * @throws NullPointerException if an argument is {@code null}
     */
    public String userToken(String subject, Duration validFor, String... roles) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(validFor, "validFor");
        return users.token(subject, List.of(roles), List.of(), validFor);
    }

    /**
     * The {@code security.*} configuration of each service of a test system.
     *
     * @param entries    the system's services
     * @param others     further names the system's services trust (stand-ins the test publishes as)
     * @param userTokens the system's user token issuer; {@code null} when it issues none
     * @return per service name, its keys
     */
    static Map<String, Map<String, String>> configFor(List<SystemDefinition.Entry> entries, List<String> others,
                                                      TokenIssuer userTokens) {
        List<String> names = new ArrayList<>(entries.stream().map(entry -> entry.service().name()).toList());
        names.addAll(others);
        Map<String, String> keys = keysOf(names);
        String trusted = ServiceTokens.publicJwkSet(new ArrayList<>(keys.values()));
        Map<String, Map<String, String>> config = new LinkedHashMap<>();
        keys.forEach((service, key) -> config.put(service, securityConfig(key, trusted, userTokens)));
        return Map.copyOf(config);
    }

    private String keyOf(String service) {
        String key = keys.get(Objects.requireNonNull(service, "service"));
        if (key == null) {
            throw new IllegalArgumentException("No identity for '" + service + "': name it in generate(...)");
        }
        return key;
    }

    private static Map<String, String> keysOf(Collection<String> services) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String service : services) {
            keys.computeIfAbsent(Objects.requireNonNull(service, "service"), ServiceTokens::generateKey);
        }
        return keys;
    }

    private static Map<String, String> securityConfig(String key, String trusted, TokenIssuer users) {
        Map<String, String> security = new LinkedHashMap<>();
        security.put(ServiceTokens.KEY_KEY, key);
        security.put(ServiceTokens.TRUSTED_KEY, trusted);
        if (users != null) {
            security.put("security.jwt.jwks", users.jwks());
            security.put("security.jwt.issuer", users.issuer());
            security.put("security.jwt.audience", users.audience());
        }
        return Map.copyOf(security);
    }

    @Override
    public String toString() {
        return "TestIdentities" + keys.keySet();
    }
}
