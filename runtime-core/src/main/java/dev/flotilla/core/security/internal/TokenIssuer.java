package dev.flotilla.core.security.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * A small issuer of user JWTs, for tests: an EC P-256 key made on creation, its public JWK set (what services put
 * under {@code security.jwt.jwks}), and ES256 tokens with {@code sub}, {@code roles}, {@code scope}, {@code iss},
 * {@code aud}, {@code iat}, {@code exp}. Made by Nimbus JOSE+JWT. Not API. Thread-safe.
 */
public final class TokenIssuer {
    private final String issuer;
    private final String audience;
    private final ECKey key;
    private final ECDSASigner signer;
    private final Clock clock;

    private TokenIssuer(String issuer, String audience, ECKey key, Clock clock) throws JOSEException {
        this.issuer = issuer;
        this.audience = audience;
        this.key = key;
        this.signer = new ECDSASigner(key);
        this.clock = clock;
    }

    /**
     * Makes an issuer with a new key.
     *
     * @param issuer   the {@code iss} of its tokens
     * @param audience the {@code aud} of its tokens
     * @param clock    the clock of issue and expiry times
     * @return the issuer
     * @throws IllegalStateException if the JDK cannot make EC keys
     */
    public static TokenIssuer generate(String issuer, String audience, Clock clock) {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(audience, "audience");
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256).keyID(issuer + "#" + UUID.randomUUID())
                    .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
            return new TokenIssuer(issuer, audience, key, clock);
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot generate an EC P-256 key", e);
        }
    }

    /**
     * The issuer's public keys.
     *
     * @return a JWK set as JSON
     */
    public String jwks() {
        return new JWKSet(key.toPublicJWK()).toString(true);
    }

    /**
     * The {@code iss} of its tokens.
     *
     * @return the issuer
     */
    public String issuer() {
        return issuer;
    }

    /**
     * The {@code aud} of its tokens.
     *
     * @return the audience
     */
    public String audience() {
        return audience;
    }

    /**
     * Signs a user token.
     *
     * @param subject the user
     * @param roles   its roles (claim {@code roles})
     * @param scopes  its scopes (claim {@code scope}, space-separated; left out when empty)
     * @param ttl     how long it is valid
     * @return the compact JWS
     * @throws IllegalStateException if signing fails
     */
    public String token(String subject, Collection<String> roles, Collection<String> scopes, Duration ttl) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject(subject)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString()).claim("roles", List.copyOf(roles));
        if (!scopes.isEmpty()) {
            claims.claim("scope", String.join(" ", scopes));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                                              .type(JOSEObjectType.JWT).build(), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not sign a token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    @Override
    public String toString() {
        return "TokenIssuer[" + issuer + ", audience=" + audience + "]";
    }
}
