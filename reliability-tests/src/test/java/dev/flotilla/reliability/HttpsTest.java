package dev.flotilla.reliability;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.flotilla.core.http.ServiceCallException;
import dev.flotilla.core.http.ServiceClients;
import dev.flotilla.core.http.ServiceUnreachableException;
import dev.flotilla.sample.user.UserService;
import dev.flotilla.sample.user.api.UserApi;
import dev.flotilla.sample.user.api.UserApi.NewUser;
import dev.flotilla.sample.user.api.UserApi.User;
import dev.flotilla.testkit.TestSystem;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS and mutual TLS between services: the sample's user-service serves TLS and requires a client certificate
 * (Helidon's {@code server.tls}), and a typed client with {@code clients.user-service.tls} calls it; clients without
 * the right trust or certificate are refused with a message that says why.
 */
class HttpsTest {
    private static TestCertificates certs;
    private static TestSystem system;

    @BeforeAll
    static void start() {
        certs = TestCertificates.shared();
        Map<String, String> config = new HashMap<>();
        config.put("db.url", "jdbc:h2:mem:user-service-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        config.put("server.tls.private-key.keystore.resource.path", certs.serverKeystore.toString());
        config.put("server.tls.private-key.keystore.passphrase", TestCertificates.PASSWORD);
        config.put("server.tls.private-key.keystore.key.alias", "server");
        config.put("server.tls.trust.keystore.resource.path", certs.truststore.toString());
        config.put("server.tls.trust.keystore.passphrase", TestCertificates.PASSWORD);
        config.put("server.tls.trust.keystore.trust-store", "true");
        config.put("server.tls.client-auth", "REQUIRED");
        system = TestSystem.builder().addService(new UserService(), config).build();
        system.start();
    }

    @AfterAll
    static void stop() {
        system.close();
    }

    private static ServiceClients clients(Map<String, String> tls) {
        Map<String, String> keys = new HashMap<>();
        tls.forEach((k, v) -> keys.put(UserApi.SERVICE + ".tls." + k, v));
        URI instance = system.service(UserApi.SERVICE).uri();
        return ServiceClients.builder().caller("order-service")
                .discovery(name -> List.of(instance))
                .config(Config.just(ConfigSources.create(keys)))
                .build();
    }

    private static Map<String, String> trust() {
        Map<String, String> tls = new HashMap<>();
        tls.put("trust.keystore.resource.path", certs.truststore.toString());
        tls.put("trust.keystore.passphrase", TestCertificates.PASSWORD);
        tls.put("trust.keystore.trust-store", "true");
        return tls;
    }

    private static Map<String, String> trustAndCertificate(Path keystore) {
        Map<String, String> tls = trust();
        tls.put("private-key.keystore.resource.path", keystore.toString());
        tls.put("private-key.keystore.passphrase", TestCertificates.PASSWORD);
        tls.put("private-key.keystore.key.alias", keystore.getFileName().toString().replace(".p12", ""));
        return tls;
    }

    private static ServiceCallException refused(Map<String, String> tls) {
        try (ServiceClients clients = clients(tls)) {
            UserApi users = clients.create(UserApi.class, UserApi.SERVICE);
            return assertThrows(ServiceUnreachableException.class,
                                () -> users.register(new NewUser("Eve", "eve@example.com")));
        }
    }

    @Test
    void mutualTlsLetsTheCertifiedClientInAndRefusesTheOthersClearly() {
        URI uri = system.service(UserApi.SERVICE).uri();
        assertEquals("https", uri.getScheme(), "a TLS server is advertised as https: " + uri);
        User ada;
        try (ServiceClients clients = clients(trustAndCertificate(certs.clientKeystore))) {
            UserApi users = clients.create(UserApi.class, UserApi.SERVICE);
            ada = users.register(new NewUser("Ada", "ada@example.com"));
            assertEquals(ada, users.get(ada.id()));
        }
        ServiceCallException untrusted = refused(Map.of());
        ServiceCallException noCertificate = refused(trust());
        ServiceCallException strangerCertificate = refused(trustAndCertificate(certs.strangerKeystore));
        Measured.scenario("https-mutual-tls").put("certified-client", "served")
                .put("client-not-trusting-server", untrusted.getMessage())
                .put("client-without-certificate", noCertificate.getMessage())
                .put("client-with-unknown-ca-certificate", strangerCertificate.getMessage()).print();
        assertTrue(untrusted.getMessage().contains("over TLS"), untrusted.getMessage());
        assertTrue(untrusted.getMessage().contains("clients.user-service.tls"), untrusted.getMessage());
    }
}
