package dev.flotilla.core.security;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.core.ServiceRuntime;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client certificates as identity: a vault serving mutual TLS maps a certificate's CN to the calling service when it
 * is listed in {@code security.mtls.services}, and to a user with {@code security.mtls.roles} otherwise.
 */
class MutualTlsIdentityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aClientCertificateIsMappedToAServiceOrAUser() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        Map<String, String> config = new HashMap<>();
        config.put("server.port", "0");
        config.put("server.host", "127.0.0.1");
        config.put("shutdown.grace-period", "PT0S");
        config.put("server.tls.private-key.keystore.resource.path", certs.serverKeystore.toString());
        config.put("server.tls.private-key.keystore.passphrase", TestCertificates.PASSWORD);
        config.put("server.tls.private-key.keystore.key.alias", "server");
        config.put("server.tls.trust.keystore.resource.path", certs.truststore.toString());
        config.put("server.tls.trust.keystore.passphrase", TestCertificates.PASSWORD);
        config.put("server.tls.trust.keystore.trust-store", "true");
        config.put("server.tls.client-auth", "OPTIONAL");
        config.put("security.mtls.enabled", "true");
        config.put("security.mtls.services", "order-service");
        config.put("security.mtls.roles", "operator");
        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new SecuredServices.Vault(), config).build()) {
            runtime.start();
            URI base = runtime.service(SecuredServices.VAULT).uri();
            assertEquals("https", base.getScheme());

            HttpResponse<String> asService = get(client(certs, certs.clientKeystore, "client"), base, "/internal");
            assertEquals(200, asService.statusCode(), asService.body());
            assertEquals(new VaultApi.Seen(null, "order-service", List.of()),
                         JSON.readValue(asService.body(), VaultApi.Seen.class));

            HttpClient user = client(certs, certs.userKeystore, "user");
            HttpResponse<String> asUser = get(user, base, "/operate");
            assertEquals(200, asUser.statusCode(), asUser.body());
            assertEquals(new VaultApi.Seen("ops-console", null, List.of("operator")),
                         JSON.readValue(asUser.body(), VaultApi.Seen.class));
            assertEquals(403, get(user, base, "/internal").statusCode(), "a user certificate is not a service");

            HttpResponse<String> anonymous = get(client(certs, null, null), base, "/me");
            assertEquals(401, anonymous.statusCode(), "no certificate, no identity: " + anonymous.body());

            String openApi = get(client(certs, null, null), base, "/openapi").body();
            assertTrue(JSON.readTree(openApi).path("components").path("securitySchemes").has("mutualTLS"), openApi);
        }
    }

    private static HttpResponse<String> get(HttpClient client, URI base, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                           HttpResponse.BodyHandlers.ofString());
    }

    private static HttpClient client(TestCertificates certs, Path keystore, String alias) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(certs.truststore));
        SSLContext tls = SSLContext.getInstance("TLS");
        KeyManagerFactory keys = null;
        if (keystore != null) {
            KeyStore store = load(keystore);
            // Only the client's own key: the CA's certificate in the same store is not a key entry.
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, TestCertificates.PASSWORD.toCharArray());
        }
        tls.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static KeyStore load(Path path) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        return store;
    }
}
