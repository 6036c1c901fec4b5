package dev.flotilla.messaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.nats.client.AuthHandler;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;

/**
 * Turns {@link NatsSettings} into jnats connection options: servers, reconnect backoff, credentials and TLS. The
 * credentials are checked here, before connecting, because jnats reads them only during the handshake and then
 * reports no more than "Unable to connect". Messages name paths and config keys, never a secret.
 */
final class NatsOptions {

    private NatsOptions() {
    }

    /** See {@link NatsSettings#toOptions(String)}. */
    static Options.Builder of(NatsSettings settings, String connectionName) {
        Options.Builder b = new Options.Builder()
                .servers(settings.servers().toArray(String[]::new))
                .connectionName(connectionName)
                .maxReconnects(settings.reconnectMaxAttempts())
                .reconnectDelayHandler(attempt -> reconnectWait(settings, attempt))
                .reconnectBufferSize(settings.reconnectBufferSize())
                .connectionTimeout(settings.connectionTimeout())
                .inboxPrefix(settings.inboxPrefix())
                .reportNoResponders();
        settings.user().ifPresent(u -> b.userInfo(u.toCharArray(), settings.password().orElse(new char[0])));
        settings.token().ifPresent(b::token);
        settings.credentialsFile().ifPresent(f -> b.authHandler(credentialsAuth(f)));
        settings.nkeySeed().ifPresent(seed -> b.authHandler(nkeyAuth(seed)));
        if (settings.tls()) {
            tls(settings, b);
        }
        return b;
    }

    /** Exponential backoff from the initial to the max wait, plus jitter. */
    static Duration reconnectWait(NatsSettings settings, long attempt) {
        long initial = settings.reconnectInitialWait().toNanos();
        long max = settings.reconnectMaxWait().toNanos();
        int shift = (int) Math.min(Math.max(attempt - 1, 0), 30);
        long wait = Math.min(max, initial << shift);
        if (wait < 0) {
            wait = max;
        }
        long jitter = settings.reconnectJitter().toNanos();
        return Duration.ofNanos(wait + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter) : 0));
    }

    private static void tls(NatsSettings settings, Options.Builder b) {
        if (settings.truststore().isPresent() || settings.keystore().isPresent()) {
            settings.truststore().ifPresent(p -> b.truststorePath(p.toString())
                    .truststorePassword(settings.truststorePassword()));
            settings.keystore().ifPresent(p -> b.keystorePath(p.toString())
                    .keystorePassword(settings.keystorePassword()));
        } else {
            try {
                b.secure();
            } catch (GeneralSecurityException e) {
                throw new MessagingException("Cannot set up TLS with the JVM's default trust store: " + e, e);
            }
        }
        if (settings.tlsFirst()) {
            b.tlsFirst();
        }
    }

    /**
     * jnats' handler for a credentials file, after checking that the file can be read and holds an NKey seed.
     */
    static AuthHandler credentialsAuth(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new MessagingException("messaging.nats.credentials-file " + file.toAbsolutePath()
                    + " does not exist or cannot be read");
        }
        AuthHandler handler = Nats.credentials(file.toString());
        try {
            handler.getID();
        } catch (IllegalStateException e) {
            Throwable reason = e.getCause() == null ? e : e.getCause();
            throw new MessagingException("messaging.nats.credentials-file " + file.toAbsolutePath()
                    + " is not a NATS credentials file (a user JWT and an NKey seed, as nsc writes them): "
                    + reason.getMessage(), e);
        }
        return handler;
    }

    /** A handler signing the server's nonce with the NKey of this seed, after checking the seed. */
    static AuthHandler nkeyAuth(char[] seed) {
        NKey nkey;
        try {
            nkey = NKey.fromSeed(seed);
            nkey.getPublicKey();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new MessagingException("messaging.nats.nkey-seed is not a valid NKey seed: " + e.getMessage(), e);
        }
        return new AuthHandler() {
            @Override
            public byte[] sign(byte[] nonce) {
                try {
                    return nkey.sign(nonce);
                } catch (IOException | GeneralSecurityException e) {
                    throw new MessagingException("Cannot sign the NATS nonce with the NKey: " + e, e);
                }
            }

            @Override
            public char[] getID() {
                try {
                    return nkey.getPublicKey();
                } catch (IOException | GeneralSecurityException e) {
                    throw new MessagingException("Cannot derive the NKey's public key: " + e, e);
                }
            }

            @Override
            public char[] getJWT() {
                return null;
            }
        };
    }
}
