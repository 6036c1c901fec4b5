package dev.flotilla.messaging;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A self-signed server certificate for {@code localhost} and {@code 127.0.0.1}, made with openssl, and a PKCS12 trust
 * store holding it: what a test needs to start a nats-server with TLS and trust it.
 *
 * @param cert       the certificate (PEM)
 * @param key        its private key (PEM)
 * @param trustStore the trust store (PKCS12, password {@value #TRUST_STORE_PASSWORD})
 */
public record TestServerTls(Path cert, Path key, Path trustStore) {
    /** The trust store's password: {@value}. */
    public static final String TRUST_STORE_PASSWORD = "changeit";

    /**
     * Makes the certificate, key and trust store in {@code dir}; skips the test (an assumption) without openssl.
     *
     * @param dir where the files go
     * @return the files
     */
    public static TestServerTls create(Path dir) {
        Assumptions.assumeTrue(run(dir, "openssl", "version"), "openssl is needed to make a test certificate");
        TestServerTls tls = new TestServerTls(dir.resolve("cert.pem"), dir.resolve("key.pem"),
                                              dir.resolve("trust.p12"));
        assertTrue(run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                       "-keyout", tls.key().toString(), "-out", tls.cert().toString(), "-subj", "/CN=localhost",
                       "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"), "openssl made the certificate");
        assertTrue(run(dir, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert",
                       "-noprompt", "-alias", "nats", "-file", tls.cert().toString(), "-keystore",
                       tls.trustStore().toString(), "-storetype", "PKCS12", "-storepass", TRUST_STORE_PASSWORD),
                   "keytool made the trust store");
        return tls;
    }

    /**
     * The nats-server arguments that serve TLS with this certificate.
     *
     * @return the arguments
     */
    public String[] natsServerArguments() {
        return new String[] {"--tls", "--tlscert", cert.toString(), "--tlskey", key.toString()};
    }

    private static boolean run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("tool.log").toFile()).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
