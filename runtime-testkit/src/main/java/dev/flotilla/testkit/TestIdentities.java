package dev.flotilla.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.flotilla.core.security.internal.ServiceTokens;
import dev.flotilla.core.security.internal.TokenIssuer;

/**
 * The identities of a test system's services, made when the system is built: a key per service name
 * ({@code security.identity.key}), the public keys of all of them as every service's trusted set
 * ({@code security.identity.trusted}), and, when the system issues user tokens, its issuer's keys, issuer and
 * audience ({@code security.jwt.*}).
 */
final class TestIdentities {
    /** The issuer of the user tokens a test system makes: {@value}. */
    static final String ISSUER = "urn:flotilla:testkit";
    /** The audience of the user tokens a test system makes, accepted by all its services: {@value}. */
    static final String AUDIENCE = "flotilla-test-system";

    private TestIdentities() {
    }

    /**
     * The {@code security.*} configuration of each service name.
     *
     * @param entries    the system's services
     * @param userTokens the system's user token issuer; {@code null} when it issues none
     * @return per service name, its keys
     */
    static Map<String, Map<String, String>> configFor(List<SystemDefinition.Entry> entries, TokenIssuer userTokens) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (SystemDefinition.Entry entry : entries) {
            keys.computeIfAbsent(entry.service().name(), ServiceTokens::generateKey);
        }
        String trusted = ServiceTokens.publicJwkSet(new ArrayList<>(keys.values()));
        Map<String, Map<String, String>> config = new LinkedHashMap<>();
        keys.forEach((service, key) -> {
            Map<String, String> security = new LinkedHashMap<>();
            security.put(ServiceTokens.KEY_KEY, key);
            security.put(ServiceTokens.TRUSTED_KEY, trusted);
            if (userTokens != null) {
                security.put("security.jwt.jwks", userTokens.jwks());
                security.put("security.jwt.issuer", userTokens.issuer());
                security.put("security.jwt.audience", userTokens.audience());
            }
            config.put(service, Map.copyOf(security));
        });
        return Map.copyOf(config);
    }
}
