package dev.flotilla.core.security;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/**
 * The keys that give services their identities: each service signs with a private key of its own
 * ({@code security.identity.key}, an EC P-256 JWK whose {@code kid} is the service's name) and trusts the public keys
 * of the services it accepts calls and messages from ({@code security.identity.trusted}, a JWK set).
 *
 * <p>In code, for services started together in one JVM:
 * <pre>{@code
 * Map<String, String> keys = ServiceKeys.generate(List.of("gateway", "order-service"));
 * String trusted = ServiceKeys.trustedSet(keys.values());
 * }</pre>
 *
 * <p>From the command line, for a deployment (one environment file per service, readable by its owner only):
 * <pre>
 * java -cp runtime-core.jar:... dev.flotilla.core.security.ServiceKeys DIR SERVICE...
 * </pre>
 * writes {@code DIR/SERVICE.env} holding {@code SECURITY_IDENTITY_KEY} (that service's private key) and
 * {@code SECURITY_IDENTITY_TRUSTED} (the public keys of all the services named), for Compose's {@code env_file} or a
 * Kubernetes Secret. To rotate a key, generate a new one and trust old and new until no instance signs with the old
 * (see the security guide). Exit status 0 on success, 1 when a file cannot be written, 2 for a usage error.
 */
public final class ServiceKeys {
    private static final String USAGE = "usage: ServiceKeys DIR SERVICE... (writes DIR/SERVICE.env for each)";

    private ServiceKeys() {
    }

    /**
     * Generates a private key for each service.
     *
     * @param services the services' names, such as {@code order-service}
     * @return per service name (in the given order), its private key: an EC P-256 JWK as JSON; keep it secret
     * @throws NullPointerException  if {@code services} or a name is {@code null}
     * @throws IllegalStateException if the JDK cannot generate EC keys
     */
    public static Map<String, String> generate(Collection<String> services) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String service : services) {
            keys.computeIfAbsent(Objects.requireNonNull(service, "service"), ServiceKeys::generateKey);
        }
        return keys;
    }

    /**
     * The trusted set made of keys: their public halves as a JWK set, what {@code security.identity.trusted} holds.
     *
     * @param keys private (or public) JWKs as JSON
     * @return the JWK set as JSON, with no private part
     * @throws IllegalArgumentException if one of them is not a JWK
     */
    public static String trustedSet(Collection<String> keys) {
        try {
            List<JWK> publicKeys = new ArrayList<>();
            for (String jwk : keys) {
                publicKeys.add(JWK.parse(jwk).toPublicJWK());
            }
            return new JWKSet(publicKeys).toString(true);
        } catch (ParseException e) {
            throw new IllegalArgumentException("Not a JWK (JSON)", e);
        }
    }

    /** An EC P-256 signing key with the service's name as {@code kid}. */
    private static String generateKey(String service) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(service).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256).generate().toJSONString();
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot generate an EC P-256 key", e);
        }
    }

    /**
     * Writes an environment file per service (see the class description) and exits with its status.
     *
     * @param args the directory, then the services' names
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Writes an environment file per service; for tests and embedding. Prints the files written, never a key.
     *
     * @param args the directory, then the services' names
     * @param out  where the files written are listed
     * @param err  where errors and the usage go
     * @return 0 on success, 1 when a file cannot be written, 2 for a usage error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || List.of(args).contains("--help")) {
            (args.length == 1 && args[0].equals("--help") ? out : err).println(USAGE);
            return args.length == 1 && args[0].equals("--help") ? 0 : 2;
        }
        List<String> services = List.of(args).subList(1, args.length);
        for (String service : services) {
            if (!service.matches("[a-z][a-z0-9-]*")) {
                err.println("'" + service + "' is not a service name (lower case letters, digits and dashes)");
                err.println(USAGE);
                return 2;
            }
        }
        Path dir = Path.of(args[0]);
        Map<String, String> keys = generate(services);
        String trusted = trustedSet(keys.values());
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> key : keys.entrySet()) {
                Path file = dir.resolve(key.getKey() + ".env");
                Files.deleteIfExists(file);
                Files.createFile(file);
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // Not a POSIX file system: its own access rules apply.
                }
                Files.writeString(file, "SECURITY_IDENTITY_KEY=" + key.getValue() + "\n"
                        + "SECURITY_IDENTITY_TRUSTED=" + trusted + "\n");
                out.println("wrote " + file);
            }
            return 0;
        } catch (IOException e) {
            err.println("Cannot write the key files in " + dir + ": " + e.getMessage());
            return 1;
        }
    }
}
