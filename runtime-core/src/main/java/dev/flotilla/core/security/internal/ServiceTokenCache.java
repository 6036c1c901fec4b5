package dev.flotilla.core.security.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The service tokens a service's typed clients present: one per audience (the called service), signed when first
 * needed and again once less than a third of its life is left, so a call costs a map look-up, not a signature. Not
 * API. Thread-safe.
 */
public final class ServiceTokenCache implements Function<String, String> {
    /** How long a token is valid: {@value #TTL_SECONDS} seconds. */
    static final long TTL_SECONDS = 300;
    static final Duration TTL = Duration.ofSeconds(TTL_SECONDS);

    private record Token(String value, Instant renewAfter) {
    }

    private final ServiceTokens tokens;
    private final Clock clock;
    private final Map<String, Token> byAudience = new ConcurrentHashMap<>();

    /**
     * Makes the cache of a service.
     *
     * @param tokens the service's identity; must be able to sign
     * @param clock  the clock renewals are timed with
     * @throws IllegalArgumentException if the service has no key
     */
    public ServiceTokenCache(ServiceTokens tokens, Clock clock) {
        if (!tokens.canSign()) {
            throw new IllegalArgumentException(tokens.service() + " has no key to sign with");
        }
        this.tokens = tokens;
        this.clock = clock;
    }

    /**
     * The token to present to a service.
     *
     * @param audience the called service's name
     * @return a token valid for at least a third of its life
     */
    @Override
    public String apply(String audience) {
        Instant now = clock.instant();
        Token token = byAudience.get(audience);
        if (token == null || !now.isBefore(token.renewAfter())) {
            token = new Token(tokens.sign(audience, Map.of(), TTL), now.plus(TTL.multipliedBy(2).dividedBy(3)));
            byAudience.put(audience, token);
        }
        return token.value();
    }

    @Override
    public String toString() {
        return "ServiceTokenCache[" + tokens.service() + ", audiences=" + byAudience.keySet() + "]";
    }
}
