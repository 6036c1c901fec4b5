package dev.flotilla.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

import io.nats.client.NKey;
import io.nats.client.support.JwtUtils;

/**
 * Decentralised NATS authentication made by the test with jnats (no {@code nsc}): an operator (self-signed JWT), an
 * account signed by it and preloaded into nats-server's memory resolver, and users as credentials files (user JWT
 * plus NKey seed, the format {@code nsc} writes). Also the wrong files a deployment can end up with: a user of an
 * account the server does not know, and a file whose seed does not belong to its JWT.
 */
final class TestNatsOperator {
    /** nats-server's config for operator mode: {@code -c} it. */
    final Path serverConfig;
    /** A user of the known account. */
    final Path credsFile;
    /** A user signed by an account the server does not know. */
    final Path strangerCredsFile;
    /** The right user's JWT with another user's seed (a JWT copied without its key). */
    final Path mismatchedCredsFile;
    /** The secrets the files hold (seeds and JWTs), to search logs and messages for. */
    final String[] secrets;

    private TestNatsOperator(Path dir) throws IOException, GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        NKey operator = NKey.createOperator(random);
        NKey system = NKey.createAccount(random);
        NKey account = NKey.createAccount(random);
        NKey strangerAccount = NKey.createAccount(random);
        NKey user = NKey.createUser(random);
        NKey strangerUser = NKey.createUser(random);
        NKey otherUser = NKey.createUser(random);
        String operatorId = publicKey(operator);
        String systemId = publicKey(system);
        String accountId = publicKey(account);

        // issueJWT(signing key, subject, name, expiration, issued at, issuer's public key, nats claim)
        String operatorJwt = JwtUtils.issueJWT(operator, operatorId, "flotilla-test-operator", null,
                JwtUtils.currentTimeSeconds(), operatorId, () -> "{\"type\":\"operator\",\"version\":2}");
        // JetStream (which NatsServer always enables) needs a system account in operator mode.
        String systemJwt = accountJwt(operator, systemId, "SYS", "");
        String accountJwt = accountJwt(operator, accountId, "orders",
                ",\"mem_storage\":-1,\"disk_storage\":-1,\"streams\":-1,\"consumer\":-1");
        String userJwt = JwtUtils.issueUserJWT(account, accountId, publicKey(user), "order-service");
        String strangerJwt = JwtUtils.issueUserJWT(strangerAccount, publicKey(strangerAccount),
                publicKey(strangerUser), "order-service");

        this.serverConfig = Files.writeString(dir.resolve("operator.conf"),
                "operator: \"" + Files.writeString(dir.resolve("operator.jwt"), operatorJwt) + "\"\n"
                        + "system_account: " + systemId + "\n"
                        + "resolver: MEMORY\n"
                        + "resolver_preload: {\n"
                        + "  " + systemId + ": \"" + systemJwt + "\"\n"
                        + "  " + accountId + ": \"" + accountJwt + "\"\n}\n");
        this.credsFile = Files.writeString(dir.resolve("order-service.creds"), creds(userJwt, user));
        this.strangerCredsFile = Files.writeString(dir.resolve("stranger.creds"), creds(strangerJwt, strangerUser));
        this.mismatchedCredsFile = Files.writeString(dir.resolve("mismatched.creds"), creds(userJwt, otherUser));
        this.secrets = new String[] {userJwt, strangerJwt, new String(user.getSeed()),
                new String(strangerUser.getSeed()), new String(otherUser.getSeed()),
                new String(account.getSeed()), new String(system.getSeed()),
                new String(operator.getSeed())};
    }

    /**
     * A fresh operator, account and users with their files in {@code dir}.
     *
     * @throws UncheckedIOException if a file cannot be written
     */
    static TestNatsOperator create(Path dir) {
        try {
            return new TestNatsOperator(Files.createDirectories(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot make NKeys or sign JWTs: " + e, e);
        }
    }

    /** An account JWT signed by the operator, without limits (-1) on connections, subscriptions and data. */
    private static String accountJwt(NKey operator, String accountId, String name, String jetStreamLimits)
            throws IOException, GeneralSecurityException {
        return JwtUtils.issueJWT(operator, accountId, name, null, JwtUtils.currentTimeSeconds(),
                publicKey(operator), () -> "{\"type\":\"account\",\"version\":2,\"limits\":{"
                        + "\"subs\":-1,\"data\":-1,\"payload\":-1,\"imports\":-1,\"exports\":-1,"
                        + "\"wildcards\":true,\"conn\":-1,\"leaf\":-1" + jetStreamLimits + "}}");
    }

    private static String creds(String jwt, NKey user) {
        return String.format(JwtUtils.NATS_USER_JWT_FORMAT, jwt, new String(user.getSeed()));
    }

    private static String publicKey(NKey key) throws IOException, GeneralSecurityException {
        return new String(key.getPublicKey());
    }
}
