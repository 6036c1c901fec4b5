package dev.flotilla.core.security.internal;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.helidon.config.Config;

/**
 * A service's identity on the wire: short-lived ES256 tokens it signs with its own key, and the verification of the
 * tokens other services sign, against the public keys this service trusts. Both are read from configuration:
 * <ul>
 *     <li>{@value #KEY_KEY}: this service's private key, an EC P-256 JWK (JSON) whose {@code kid} is the service's
 *     name. Without it the service signs nothing.</li>
 *     <li>{@value #TRUSTED_KEY}: the public keys of the services this one accepts, a JWK set (JSON), each key's
 *     {@code kid} the name of the service that holds the private half. A service may have several keys here (its
 *     old and new one while its key is rotated): a token verified by any of them is accepted. Without it no service
 *     token is accepted.</li>
 * </ul>
 *
 * <p>A token's claims: {@code iss} and {@code sub} the signing service, {@code aud} what it is meant for (the called
 * service's name, or a NATS subject), {@code iat}, {@code exp} and a random {@code jti}, plus any extra string
 * claims. Its header's {@code kid} names the signer, and must equal {@code iss}: a service cannot sign in another's
 * name even with a key it holds. Tokens are made and checked by Nimbus JOSE+JWT. Thread-safe.
 */
public final class ServiceTokens {
    /** The configuration key of the service's own private key (an EC P-256 JWK as JSON): {@value}. */
    public static final String KEY_KEY = "security.identity.key";
    /** The configuration key of the trusted services' public keys (a JWK set as JSON): {@value}. */
    public static final String TRUSTED_KEY = "security.identity.trusted";
    /** The JWT type of service tokens, in their header: {@value}. */
    public static final String TOKEN_TYPE = "flotilla-service+jwt";
    /** How far a token's times may be off this host's clock. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    private final String service;
    private final ECKey privateKey;
    private final ECDSASigner signer;
    /** Per service name, the verifiers of its trusted keys: more than one while its key is being rotated. */
    private final Map<String, List<ECDSAVerifier>> trusted;
    private final Clock clock;

    private ServiceTokens(String service, ECKey privateKey, Map<String, List<ECDSAVerifier>> trusted, Clock clock) {
        this.service = service;
        this.privateKey = privateKey;
        this.trusted = trusted;
        this.clock = clock;
        try {
            this.signer = privateKey == null ? null : new ECDSASigner(privateKey);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("'" + KEY_KEY + "' of " + service + " cannot sign: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a service's keys from its configuration (the root node).
     *
     * @param config  the service's configuration
     * @param service the service's name
     * @param clock   the clock of issue and expiry times
     * @return the service's tokens; {@link #canSign()} is false without a key
     * @throws IllegalArgumentException if a key is set but is not a valid EC P-256 JWK (set), or the private key's
     *                                  {@code kid} is not the service's name
     */
    public static ServiceTokens from(Config config, String service, Clock clock) {
        Objects.requireNonNull(config, "config");
        Optional<String> key = config.get(KEY_KEY).asString().asOptional().filter(s -> !s.isBlank());
        Optional<String> trusted = config.get(TRUSTED_KEY).asString().asOptional().filter(s -> !s.isBlank());
        return of(service, key.orElse(null), trusted.orElse(null), clock);
    }

    /**
     * Makes a service's tokens from its keys.
     *
     * @param service     the service's name
     * @param privateJwk  its private key, an EC P-256 JWK as JSON whose {@code kid} is {@code service}; or
     *                    {@code null} to sign nothing
     * @param trustedJwks the public keys it trusts, a JWK set as JSON; or {@code null} to trust no service
     * @param clock       the clock of issue and expiry times
     * @return the tokens
     * @throws IllegalArgumentException if a key is not a valid EC P-256 JWK (set), or the private key's {@code kid} is
     *                                  not the service's name (the message never contains key material)
     */
    public static ServiceTokens of(String service, String privateJwk, String trustedJwks, Clock clock) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(clock, "clock");
        ECKey key = null;
        if (privateJwk != null) {
            try {
                JWK jwk = JWK.parse(privateJwk);
                if (!(jwk instanceof ECKey ec) || !ec.isPrivate() || !Curve.P_256.equals(ec.getCurve())) {
                    throw new IllegalArgumentException("'" + KEY_KEY + "' of " + service
                            + " is not a private EC P-256 JWK");
                }
                if (!service.equals(ec.getKeyID())) {
                    throw new IllegalArgumentException("'" + KEY_KEY + "' of " + service + " has kid '"
                            + ec.getKeyID() + "': a service's key must have its name as kid");
                }
                key = ec;
            } catch (ParseException e) {
                throw new IllegalArgumentException("'" + KEY_KEY + "' of " + service + " is not a JWK (JSON)", e);
            }
        }
        Map<String, List<ECDSAVerifier>> verifiers = new java.util.HashMap<>();
        if (trustedJwks != null) {
            try {
                for (JWK jwk : JWKSet.parse(trustedJwks).getKeys()) {
                    if (!(jwk instanceof ECKey ec) || !Curve.P_256.equals(ec.getCurve()) || ec.getKeyID() == null) {
                        throw new IllegalArgumentException("'" + TRUSTED_KEY + "' of " + service
                                + " holds a key that is not EC P-256 with a kid");
                    }
                    verifiers.computeIfAbsent(ec.getKeyID(), k -> new java.util.ArrayList<>())
                            .add(new ECDSAVerifier(ec.toPublicJWK()));
                }
            } catch (ParseException e) {
                throw new IllegalArgumentException("'" + TRUSTED_KEY + "' of " + service + " is not a JWK set (JSON)", e);
            } catch (JOSEException e) {
                throw new IllegalArgumentException("'" + TRUSTED_KEY + "' of " + service + ": " + e.getMessage(), e);
            }
        }
        Map<String, List<ECDSAVerifier>> frozen = new java.util.HashMap<>();
        verifiers.forEach((name, list) -> frozen.put(name, List.copyOf(list)));
        return new ServiceTokens(service, key, Map.copyOf(frozen), clock);
    }

    /**
     * Generates a new private key for a service: an EC P-256 JWK with the service's name as {@code kid}.
     *
     * @param service the service's name
     * @return the private JWK as JSON; its public half is {@link #publicJwk(String)}
     * @throws IllegalStateException if the JDK cannot generate EC keys
     */
    public static String generateKey(String service) {
        return dev.flotilla.core.security.ServiceKeys.generate(List.of(service)).get(service);
    }

    /**
     * The public half of a private JWK.
     *
     * @param privateJwk a JWK as JSON
     * @return its public JWK as JSON
     * @throws IllegalArgumentException if it is not a JWK
     */
    public static String publicJwk(String privateJwk) {
        try {
            return JWK.parse(privateJwk).toPublicJWK().toJSONString();
        } catch (ParseException e) {
            throw new IllegalArgumentException("Not a JWK (JSON)", e);
        }
    }

    /**
     * A JWK set of the public halves of private JWKs: what a service puts under {@value #TRUSTED_KEY}.
     *
     * @param privateJwks private JWKs as JSON
     * @return the JWK set as JSON
     * @throws IllegalArgumentException if one is not a JWK
     */
    public static String publicJwkSet(List<String> privateJwks) {
        return dev.flotilla.core.security.ServiceKeys.trustedSet(privateJwks);
    }

    /**
     * The name of the service these tokens belong to.
     *
     * @return the service's name
     */
    public String service() {
        return service;
    }

    /**
     * Whether this service has a key to sign with.
     *
     * @return true if {@link #sign(String, Map, Duration)} works
     */
    public boolean canSign() {
        return signer != null;
    }

    /**
     * Whether this service trusts any other's key.
     *
     * @return true if some token can be verified
     */
    public boolean verifies() {
        return !trusted.isEmpty();
    }

    /**
     * Signs a token in this service's name.
     *
     * @param audience what it is meant for: the called service's name or a subject
     * @param claims   extra string claims (not {@code iss}, {@code sub}, {@code aud}, {@code iat}, {@code exp},
     *                 {@code jti})
     * @param ttl      how long it is valid
     * @return the compact JWS
     * @throws IllegalStateException if this service has no key ({@link #canSign()} is false) or signing fails
     */
    public String sign(String audience, Map<String, String> claims, Duration ttl) {
        if (signer == null) {
            throw new IllegalStateException(service + " has no key to sign with: set '" + KEY_KEY + "'");
        }
        Instant now = clock.instant();
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder()
                .issuer(service).subject(service).audience(audience)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString());
        claims.forEach(set::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(service)
                                              .type(new JOSEObjectType(TOKEN_TYPE)).build(), set.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(service + " could not sign a token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /**
     * Verifies a token another service signed.
     *
     * @param token    the compact JWS
     * @param audience the audience it must name: this service's name, or the subject it came on
     * @return who signed it, with its claims
     * @throws InvalidTokenException if it is malformed, not of this type, signed by a service this one does not
     *                               trust, by a key that is not the issuer's, badly signed, expired, not yet valid or
     *                               for another audience; the message says which, and never holds the token
     */
    public Verified verify(String token, String audience) throws InvalidTokenException {
        return verify(token, audience, true);
    }

    /**
     * Verifies a token that signs a stored message, such as a JetStream message, as {@link #verify(String, String)}
     * does but without refusing it once expired: a durable message may be delivered, or redelivered after a failure
     * or a consumer's restart, long after it was signed, and its signature is still the proof of who published it.
     * Everything else is checked (signer trusted, signature, audience, not issued in the future). Such a token cannot
     * be reused for another message when it also binds the message's content (see the messaging module's digest
     * claim); what expiry would add, a bound on replaying the very same message, the stream's de-duplication and
     * NATS publish permissions provide instead.
     *
     * @param token    the compact JWS
     * @param audience the audience it must name, such as the subject the message was published to
     * @return who signed it, with its claims ({@link Verified#expires()} may be in the past)
     * @throws InvalidTokenException if it is malformed, not of this type, signed by a service this one does not
     *                               trust, by a key that is not the issuer's, badly signed, issued in the future or for
     *                               another audience; the message says which, and never holds the token
     */
    public Verified verifyStored(String token, String audience) throws InvalidTokenException {
        return verify(token, audience, false);
    }

    /**
     * Whether this service trusts a service's key, so that its tokens can verify.
     *
     * @param service a service's name
     * @return true if {@value #TRUSTED_KEY} holds a key whose {@code kid} is {@code service}
     */
    public boolean trusts(String service) {
        return trusted.containsKey(service);
    }

    private Verified verify(String token, String audience, boolean expires) throws InvalidTokenException {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed service token");
        }
        JWSHeader header = jwt.getHeader();
        if (!JWSAlgorithm.ES256.equals(header.getAlgorithm()) || header.getType() == null
                || !TOKEN_TYPE.equals(header.getType().getType())) {
            throw new InvalidTokenException("not a service token");
        }
        String issuer = claims.getIssuer();
        if (issuer == null || !issuer.equals(header.getKeyID()) || !issuer.equals(claims.getSubject())) {
            throw new InvalidTokenException("service token's key id, issuer and subject differ");
        }
        List<ECDSAVerifier> verifiers = trusted.get(issuer);
        if (verifiers == null) {
            throw new InvalidTokenException("service '" + issuer + "' is not trusted");
        }
        boolean signed = false;
        for (ECDSAVerifier verifier : verifiers) {
            try {
                if (jwt.verify(verifier)) {
                    signed = true;
                    break;
                }
            } catch (JOSEException e) {
                // not this key; another may verify it
            }
        }
        if (!signed) {
            throw new InvalidTokenException("bad signature on a token of '" + issuer + "'");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        if (exp == null || expires && now.minus(CLOCK_SKEW).isAfter(exp.toInstant())) {
            throw new InvalidTokenException("token of '" + issuer + "' expired");
        }
        if (iat == null || now.plus(CLOCK_SKEW).isBefore(iat.toInstant())) {
            throw new InvalidTokenException("token of '" + issuer + "' issued in the future");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
            throw new InvalidTokenException("token of '" + issuer + "' is not meant for '" + audience + "'");
        }
        Map<String, Object> all = claims.getClaims();
        Map<String, String> extra = new java.util.HashMap<>();
        all.forEach((name, value) -> {
            if (value instanceof String text) {
                extra.put(name, text);
            }
        });
        return new Verified(issuer, Map.copyOf(extra), exp.toInstant());
    }

    /**
     * A verified service token.
     *
     * @param service the service that signed it
     * @param claims  its string claims (including the registered ones)
     * @param expires when it expires
     */
    public record Verified(String service, Map<String, String> claims, Instant expires) {
    }

    /** A token that does not verify. The message says why, without the token. */
    public static final class InvalidTokenException extends Exception {
        private static final long serialVersionUID = 1L;

        /**
         * Makes one.
         *
         * @param reason why the token is refused
         */
        public InvalidTokenException(String reason) {
            super(reason);
        }
    }

    @Override
    public String toString() {
        return "ServiceTokens[" + service + ", signs=" + canSign() + ", trusts=" + trusted.keySet() + "]";
    }
}
