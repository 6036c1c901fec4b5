package dev.flotilla.core.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A test CA, a server certificate for 127.0.0.1/localhost and client certificates for a service
 * ({@code CN=order-service}) and a user ({@code CN=ops-console}), made with the JDK's keytool (no extra dependency),
 * as PKCS12 stores. Store password {@value #PASSWORD}. (The same way as reliability-tests' certificates.)
 */
final class TestCertificates {
    static final String PASSWORD = "changeit";

    final Path dir;
    /** The CA certificate alone: what clients and servers trust. */
    final Path truststore;
    final Path serverKeystore;
    final Path clientKeystore;
    /** A certificate the CA signed for a user: {@code CN=ops-console}. */
    final Path userKeystore;
    /** A self-signed certificate nobody trusts. */
    final Path strangerKeystore;
    final Path caPem;
    final Path serverCertPem;
    final Path serverKeyPem;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.truststore = dir.resolve("truststore.p12");
        this.serverKeystore = dir.resolve("server.p12");
        this.clientKeystore = dir.resolve("client.p12");
        this.userKeystore = dir.resolve("user.p12");
        this.strangerKeystore = dir.resolve("stranger.p12");
        this.caPem = dir.resolve("ca.pem");
        this.serverCertPem = dir.resolve("server.pem");
        this.serverKeyPem = dir.resolve("server-key.pem");
    }

    private static TestCertificates shared;

    /**
     * The certificates of this test run, made on first use in {@code target/test-certificates} (keytool is slow to
     * start, so the test classes share one set).
     */
    static synchronized TestCertificates shared() {
        if (shared == null) {
            try {
                Path dir = Path.of("target", "security-test-certificates").toAbsolutePath();
                if (Files.exists(dir)) {
                    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    }
                }
                TestCertificates certs = new TestCertificates(Files.createDirectories(dir));
                certs.make();
                shared = certs;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    private void make() {
        authority("ca", "CN=Flotilla Test CA");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "truststore.p12");
        signed("server", "ca", "CN=localhost", "san=ip:127.0.0.1,dns:localhost");
        signed("client", "ca", "CN=order-service", "san=dns:order-service");
        signed("user", "ca", "CN=ops-console", "san=dns:ops-console");
        // Self-signed: a certificate no one here trusts.
        keytool("-genkeypair", "-alias", "stranger", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=intruder", "-validity", "2", "-keystore", "stranger.p12");
        writePrivateKeyPem(serverKeystore, "server", serverKeyPem);
    }

    private void authority(String name, String dname) {
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", dname, "-ext", "bc:c", "-validity", "2", "-keystore", name + ".p12");
    }

    private void signed(String name, String ca, String dname, String san) {
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
                "-validity", "2", "-keystore", name + ".p12");
        keytool("-certreq", "-alias", name, "-keystore", name + ".p12", "-file", name + ".csr");
        keytool("-gencert", "-rfc", "-alias", ca, "-keystore", ca + ".p12",
                "-infile", name + ".csr", "-outfile", name + ".pem", "-validity", "2",
                "-ext", san, "-ext", "eku=serverAuth,clientAuth");
        keytool("-importcert", "-noprompt", "-alias", ca, "-file", ca + ".pem", "-keystore", name + ".p12");
        keytool("-importcert", "-noprompt", "-alias", name, "-file", name + ".pem", "-keystore", name + ".p12");
    }

    private void writePrivateKeyPem(Path keystore, String alias, Path pem) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            PrivateKey key = (PrivateKey) store.getKey(alias, PASSWORD.toCharArray());
            String base64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded());
            Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        if (List.of(args).contains("-genkeypair")) {
            command.addAll(List.of("-keypass", PASSWORD));
        }
        try {
            Path log = dir.resolve("keytool.log");
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: "
                                                        + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
