package dev.flotilla.core.security.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceTokensTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private final String orderKey = ServiceTokens.generateKey("order-service");
    private final String rogueKey = ServiceTokens.generateKey("order-service");
    private final String productKey = ServiceTokens.generateKey("product-service");
    private final String trusted = ServiceTokens.publicJwkSet(List.of(orderKey, productKey));

    private ServiceTokens at(String service, String key, Instant now) {
        return ServiceTokens.of(service, key, trusted, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aTokenVerifiesForItsAudienceWithItsSignerAndClaims() throws Exception {
        String token = at("order-service", orderKey, NOW).sign("inventory-service", Map.of("act", "u-1"),
                                                               Duration.ofSeconds(60));
        ServiceTokens.Verified verified = at("inventory-service", null, NOW).verify(token, "inventory-service");
        assertEquals("order-service", verified.service());
        assertEquals("u-1", verified.claims().get("act"));
    }

    @Test
    void refusesOtherAudiencesExpiredTokensAndUntrustedKeys() {
        ServiceTokens inventory = at("inventory-service", null, NOW);
        String token = at("order-service", orderKey, NOW).sign("user-service", Map.of(), Duration.ofSeconds(60));
        assertThrows(ServiceTokens.InvalidTokenException.class, () -> inventory.verify(token, "inventory-service"));
        String old = at("order-service", orderKey, NOW.minusSeconds(300)).sign("inventory-service", Map.of(),
                                                                                 Duration.ofSeconds(60));
        assertThrows(ServiceTokens.InvalidTokenException.class, () -> inventory.verify(old, "inventory-service"));
        String forged = at("order-service", rogueKey, NOW).sign("inventory-service", Map.of(), Duration.ofSeconds(60));
        var e = assertThrows(ServiceTokens.InvalidTokenException.class,
                             () -> inventory.verify(forged, "inventory-service"));
        assertTrue(e.getMessage().contains("bad signature"), e.getMessage());
        assertThrows(ServiceTokens.InvalidTokenException.class, () -> inventory.verify("x.y.z", "inventory-service"));
    }

    @Test
    void aStoredMessagesTokenVerifiesAfterItsExpiryButNothingElseIsRelaxed() throws Exception {
        ServiceTokens inventory = at("inventory-service", null, NOW);
        String old = at("order-service", orderKey, NOW.minusSeconds(86_400)).sign("orders.created", Map.of(),
                                                                                   Duration.ofSeconds(60));
        assertThrows(ServiceTokens.InvalidTokenException.class, () -> inventory.verify(old, "orders.created"));
        assertEquals("order-service", inventory.verifyStored(old, "orders.created").service());
        var other = assertThrows(ServiceTokens.InvalidTokenException.class,
                                 () -> inventory.verifyStored(old, "orders.cancelled"));
        assertTrue(other.getMessage().contains("not meant for"), other.getMessage());
        String forged = at("order-service", rogueKey, NOW).sign("orders.created", Map.of(), Duration.ofSeconds(60));
        assertThrows(ServiceTokens.InvalidTokenException.class, () -> inventory.verifyStored(forged, "orders.created"));
        String future = at("order-service", orderKey, NOW.plusSeconds(300)).sign("orders.created", Map.of(),
                                                                                   Duration.ofSeconds(60));
        assertThrows(ServiceTokens.InvalidTokenException.class, () -> inventory.verifyStored(future, "orders.created"));
        assertTrue(inventory.trusts("order-service"));
        assertFalse(inventory.trusts("inventory-service"));
    }

    @Test
    void duringARotationTheOldAndTheNewKeyOfAServiceAreBothTrusted() throws Exception {
        String newOrderKey = ServiceTokens.generateKey("order-service");
        ServiceTokens inventory = ServiceTokens.of("inventory-service", null,
                                                   ServiceTokens.publicJwkSet(List.of(orderKey, newOrderKey)),
                                                   Clock.fixed(NOW, ZoneOffset.UTC));
        for (String key : List.of(orderKey, newOrderKey)) {
            String token = at("order-service", key, NOW).sign("inventory-service", Map.of(), Duration.ofSeconds(60));
            assertEquals("order-service", inventory.verify(token, "inventory-service").service());
        }
        String forged = at("order-service", rogueKey, NOW).sign("inventory-service", Map.of(), Duration.ofSeconds(60));
        assertThrows(ServiceTokens.InvalidTokenException.class, () -> inventory.verify(forged, "inventory-service"));
    }

    @Test
    void aKeyMustCarryItsServicesNameAndNoKeyMeansNoSigning() {
        assertThrows(IllegalArgumentException.class, () -> at("product-service", orderKey, NOW));
        ServiceTokens none = ServiceTokens.of("gateway", null, null, Clock.systemUTC());
        assertFalse(none.canSign());
        assertFalse(none.verifies());
        assertThrows(IllegalStateException.class, () -> none.sign("x", Map.of(), Duration.ofSeconds(1)));
        assertFalse(none.toString().contains("\"d\""));
    }
}
