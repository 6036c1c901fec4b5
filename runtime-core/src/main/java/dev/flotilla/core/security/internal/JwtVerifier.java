package dev.flotilla.core.security.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.flotilla.core.security.Caller;
import io.helidon.config.Config;

/**
 * Verifies JWT bearer tokens with Nimbus JOSE+JWT: signature against the issuer's keys (an inline JWK set, or one
 * fetched from a URL and cached), {@code iss}, {@code aud}, {@code exp} and {@code nbf} (60 seconds of clock skew),
 * a subject required. Roles come from a configurable claim, scopes from {@code scope} (space-separated) or
 * {@code scp}. A token that verified is remembered, by its exact bytes, for up to {@link #CACHE_TIME} and never past
 * its {@code exp}: the same token sent again is taken without a second signature check. Thread-safe.
 */
final class JwtVerifier {
    /** Asymmetric algorithms only: a shared secret would let every verifier mint tokens. */
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.Ed25519, JWSAlgorithm.EdDSA);

    /** How many verified tokens are remembered; when full, the remembered ones are forgotten at once. */
    static final int CACHE_SIZE = 4096;
    /** How long a verified token is remembered at most (never past its {@code exp}). */
    static final Duration CACHE_TIME = Duration.ofSeconds(60);

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final String rolesClaim;
    /**
     * Tokens verified recently, by the exact compact token: a client sends the same token with many requests, and
     * the same bytes verify the same way until the token or the cache entry expires.
     */
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final Clock clock;

    /** A verified token's caller, and until when it is taken without verifying again. */
    private record Verified(Caller caller, Instant until) {
    }

    private JwtVerifier(DefaultJWTProcessor<SecurityContext> processor, String rolesClaim, Clock clock) {
        this.processor = processor;
        this.rolesClaim = rolesClaim;
        this.clock = clock;
    }

    /**
     * Reads the {@code security.jwt} node.
     *
     * @return the verifier, or {@code null} when neither {@code jwks} nor {@code jwks-uri} is set
     * @throws IllegalArgumentException if the settings are incomplete or invalid (never with key material)
     */
    static JwtVerifier from(Config jwt, String service) {
        return from(jwt, service, Clock.systemUTC());
    }

    /** {@link #from(Config, String)} with the clock of the verified-token cache (the token checks use the system's). */
    static JwtVerifier from(Config jwt, String service, Clock clock) {
        String inline = text(jwt.get("jwks"));
        String uri = text(jwt.get("jwks-uri"));
        if (inline == null && uri == null) {
            return null;
        }
        String where = "Service '" + service + "': ";
        if (inline != null && uri != null) {
            throw new IllegalArgumentException(where + "set one of security.jwt.jwks and security.jwt.jwks-uri, "
                                                       + "not both");
        }
        String issuer = text(jwt.get("issuer"));
        List<String> audiences = HttpAuthenticator.list(jwt.get("audience"));
        if (issuer == null || audiences.isEmpty()) {
            throw new IllegalArgumentException(where + "security.jwt needs issuer and audience: tokens of another "
                                                       + "issuer, or meant for another service, must not be accepted");
        }
        JWKSource<SecurityContext> keys;
        if (inline != null) {
            try {
                keys = new ImmutableJWKSet<>(JWKSet.parse(inline));
            } catch (ParseException e) {
                throw new IllegalArgumentException(where + "security.jwt.jwks is not a JWK set (JSON)");
            }
        } else {
            try {
                keys = JWKSourceBuilder.create(new URI(uri).toURL()).build();
            } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "security.jwt.jwks-uri is not a URL: " + uri);
            }
        }
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                Set.copyOf(audiences), new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp"), null));
        return new JwtVerifier(processor, jwt.get("roles-claim").asString().orElse("roles"), clock);
    }

    private static String text(Config node) {
        return node.asString().asOptional().map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
    }

    /**
     * Verifies a token.
     *
     * @return the user it stands for, holding the token
     * @throws ServiceTokens.InvalidTokenException if it does not verify; the message never holds the token
     */
    Caller verify(String token) throws ServiceTokens.InvalidTokenException {
        Instant now = clock.instant();
        Verified known = verified.get(token);
        if (known != null) {
            if (now.isBefore(known.until())) {
                return known.caller();
            }
            verified.remove(token, known);
        }
        Verified fresh = verifyAfresh(token, now);
        if (verified.size() >= CACHE_SIZE) {
            verified.clear();
        }
        verified.put(token, fresh);
        return fresh.caller();
    }

    private Verified verifyAfresh(String token, Instant now) throws ServiceTokens.InvalidTokenException {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new ServiceTokens.InvalidTokenException("malformed bearer token");
        } catch (BadJOSEException | JOSEException e) {
            throw new ServiceTokens.InvalidTokenException("bearer token refused: " + e.getMessage());
        }
        Caller caller = Caller.builder()
                .user(claims.getSubject())
                .roles(strings(claim(claims.getClaims(), rolesClaim)))
                .scopes(scopes(claims))
                .mechanism(Caller.Mechanism.JWT)
                .build();
        Instant until = now.plus(CACHE_TIME);
        Instant expires = claims.getExpirationTime().toInstant(); // required: the claims verifier checked it is there
        if (expires.isBefore(until)) {
            until = expires;
        }
        return new Verified(CallerBridge.withBearerToken(caller, token), until);
    }

    /** A claim by dotted path, such as {@code realm_access.roles}. */
    private static Object claim(Map<String, Object> claims, String path) {
        Object value = claims;
        for (String part : path.split("\\.")) {
            if (!(value instanceof Map<?, ?> map)) {
                return null;
            }
            value = map.get(part);
        }
        return value;
    }

    private static List<String> scopes(JWTClaimsSet claims) {
        Object scope = claims.getClaim("scope");
        return strings(scope != null ? scope : claims.getClaim("scp"));
    }

    /** A list claim's strings, or a string claim split at spaces and commas. */
    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof String text) {
            for (String part : text.split("[\\s,]+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        } else if (value instanceof Collection<?> values) {
            for (Object v : values) {
                if (v instanceof String s && !s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
