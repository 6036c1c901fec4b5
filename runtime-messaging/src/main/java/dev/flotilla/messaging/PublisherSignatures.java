package dev.flotilla.messaging;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import dev.flotilla.core.security.internal.ServiceTokens;

/**
 * Signs what this service sends with its {@link ServiceTokens}, and verifies who published what it receives.
 *
 * <p>A signature is a service token in the {@value MessagingHeaders#PUBLISHER} header, one per message: its audience
 * is the subject the message is sent to, its {@value #DIGEST_CLAIM} claim the SHA-256 digest of the payload bytes
 * (base64url, no padding) and, when the service sends on a user's behalf, its {@value #USER_CLAIM} claim that user.
 * So a signature holds for that payload on that subject only: moved to another subject, or with the payload changed,
 * it no longer verifies. A token is valid for {@link #TTL}; core messages and requests must arrive within it, durable
 * (JetStream) messages are verified without their expiry ({@link ServiceTokens#verifyStored}), since a stored message
 * may be delivered or redelivered long after it was published. Thread-safe.
 */
final class PublisherSignatures {

    /** The claim with the payload's SHA-256 digest, base64url without padding: {@value}. */
    static final String DIGEST_CLAIM = "dig";
    /** The claim with the user on whose behalf a message was sent: {@value}. */
    static final String USER_CLAIM = "usr";
    /**
     * How long a signature is valid on core messages and requests: long enough for a message buffered while the
     * connection reconnects, or queued behind a slow handler, short enough to bound the replay of a captured one.
     */
    static final Duration TTL = Duration.ofMinutes(5);

    private final ServiceTokens tokens;
    private final Supplier<Optional<String>> users;
    private final boolean verifyAll;

    /**
     * @param tokens    the service's keys: signs when {@link ServiceTokens#canSign()}
     * @param users     the user on whose behalf the current thread sends, if any
     * @param verifyAll whether every subscription and responder verifies its publishers
     * @throws IllegalArgumentException if {@code verifyAll} but no service's key is trusted
     */
    PublisherSignatures(ServiceTokens tokens, Supplier<Optional<String>> users, boolean verifyAll) {
        this.tokens = tokens;
        this.users = users;
        this.verifyAll = verifyAll;
        if (verifyAll && !tokens.verifies()) {
            throw new IllegalArgumentException("messaging.verify-publishers is true but '"
                    + ServiceTokens.TRUSTED_KEY + "' of " + tokens.service()
                    + " holds no key: no message could be handled; add the publishing services' public keys");
        }
    }

    boolean signs() {
        return tokens.canSign();
    }

    boolean verifiesAll() {
        return verifyAll;
    }

    /**
     * The headers with this service's signature for a message to {@code subject} with {@code body}; the headers as
     * they are when this service has no key. A signature the caller put in the headers is replaced.
     */
    Map<String, String> sign(String subject, Map<String, String> headers, byte[] body) {
        if (!tokens.canSign()) {
            return headers;
        }
        String user = users.get().filter(u -> !u.isBlank()).orElse(null);
        String digest = digest(body);
        Map<String, String> claims = user == null ? Map.of(DIGEST_CLAIM, digest)
                : Map.of(DIGEST_CLAIM, digest, USER_CLAIM, user);
        Map<String, String> signed = new LinkedHashMap<>(headers);
        signed.put(MessagingHeaders.PUBLISHER, tokens.sign(subject, claims, TTL));
        return signed;
    }

    /**
     * How a subscription checks its publishers: {@code null} when it does not (verification is off service-wide and
     * the options name no publishers).
     *
     * @param subscribed the subject as subscribed, for messages and errors
     * @param options    the subscription's options, whose {@link SubscriptionOptions#publishers()} restrict it
     * @param stored     whether its messages are stored (JetStream): their signatures' expiry is not checked
     * @throws IllegalArgumentException if a listed publisher is not trusted, so none of its messages could verify
     */
    Check check(String subscribed, SubscriptionOptions options, boolean stored) {
        Set<String> allowed = options.publishers();
        if (allowed.isEmpty() && !verifyAll) {
            return null;
        }
        for (String service : allowed) {
            if (!tokens.trusts(service)) {
                throw new IllegalArgumentException("Publisher '" + service + "' allowed on '" + subscribed
                        + "' is not trusted by " + tokens.service() + ": add its public key to '"
                        + ServiceTokens.TRUSTED_KEY + "'");
            }
        }
        return new Check(subscribed, allowed, stored);
    }

    /** The base64url (unpadded) SHA-256 digest of a payload. */
    static String digest(byte[] body) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK has no SHA-256", e);
        }
    }

    /** One subscription's verification of its messages' publishers. */
    final class Check {
        private final String subscribed;
        private final Set<String> allowed;
        private final boolean stored;

        private Check(String subscribed, Set<String> allowed, boolean stored) {
            this.subscribed = subscribed;
            this.allowed = allowed;
            this.stored = stored;
        }

        /**
         * The verified publisher of a received message.
         *
         * @throws Unverified when it has no signature, or one that does not verify for this message, or its
         *                    publisher is not allowed here; the reason never holds the token
         */
        Publisher verify(RawMessage raw) throws Unverified {
            String token = raw.headers().get(MessagingHeaders.PUBLISHER);
            if (token == null || token.isEmpty()) {
                throw new Unverified("no publisher signature (header " + MessagingHeaders.PUBLISHER + ")");
            }
            ServiceTokens.Verified verified;
            try {
                verified = stored ? tokens.verifyStored(token, raw.subject()) : tokens.verify(token, raw.subject());
            } catch (ServiceTokens.InvalidTokenException e) {
                throw new Unverified("publisher signature refused: " + e.getMessage());
            }
            String service = verified.service();
            String expected = verified.claims().get(DIGEST_CLAIM);
            if (expected == null) {
                throw new Unverified("signature of '" + service + "' has no payload digest");
            }
            if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                                       digest(raw.body()).getBytes(StandardCharsets.US_ASCII))) {
                throw new Unverified("payload does not match the signature of '" + service + "'");
            }
            if (!allowed.isEmpty() && !allowed.contains(service)) {
                throw new Unverified("publisher '" + service + "' is not allowed on '" + subscribed + "'");
            }
            return new Publisher(service, verified.claims().get(USER_CLAIM));
        }
    }

    /** A message whose publisher could not be verified; the message is the reason, without the token. */
    static final class Unverified extends Exception {
        private static final long serialVersionUID = 1L;

        Unverified(String reason) {
            super(reason, null, false, false);
        }
    }
}
