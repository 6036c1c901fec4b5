package dev.flotilla.core.security.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.flotilla.core.security.Caller;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A verified token is remembered by its exact bytes, never past its expiry nor for longer than the cache's time. */
class JwtVerifierCacheTest {
    private final TokenIssuer issuer = TokenIssuer.generate("https://id.test", "shop", Clock.systemUTC());
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final JwtVerifier verifier = JwtVerifier.from(Config.just(ConfigSources.create(Map.of(
            "jwks", issuer.jwks(), "issuer", "https://id.test", "audience", "shop"))), "test", clock);

    @Test
    void theSameTokenIsVerifiedOnceWithinTheCacheTime() throws Exception {
        String token = issuer.token("ada", List.of("operator"), List.of(), Duration.ofMinutes(10));
        Caller first = verifier.verify(token);
        assertEquals("ada", first.user().orElseThrow());
        assertSame(first, verifier.verify(token), "taken from the cache");
        now.set(now.get().plus(JwtVerifier.CACHE_TIME).plusSeconds(1));
        assertNotSame(first, verifier.verify(token), "verified again once the cache time is over");
    }

    @Test
    void aRememberedTokenIsNotTakenPastItsExpiry() throws Exception {
        String token = issuer.token("ada", List.of(), List.of(), Duration.ofSeconds(5));
        Caller first = verifier.verify(token);
        now.set(now.get().plusSeconds(6));
        assertNotSame(first, verifier.verify(token), "past exp the cache is not used (the token is checked again)");
    }

    @Test
    void aTamperedCopyOfARememberedTokenIsStillRefused() throws Exception {
        String token = issuer.token("ada", List.of(), List.of(), Duration.ofMinutes(10));
        verifier.verify(token);
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
        assertThrows(ServiceTokens.InvalidTokenException.class, () -> verifier.verify(tampered));
    }
}
