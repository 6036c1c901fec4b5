package dev.flotilla.core.security.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import dev.flotilla.core.security.Caller;
import io.helidon.config.Config;

/**
 * Who calls one service over HTTP: verifies the credentials a request presents, as the service's {@code security}
 * configuration says, and says whether the service authenticates its callers at all. The mechanisms:
 * <ul>
 *     <li>{@code Authorization: Bearer} JWTs, with {@code security.jwt.*} ({@link JwtVerifier});</li>
 *     <li>{@value #API_KEY_HEADER} keys, with {@code security.api-keys.<id>.sha256} (hex SHA-256 of the key),
 *     {@code .subject} (default the id) and {@code .roles};</li>
 *     <li>client certificates of mutual TLS, with {@code security.mtls.enabled: true}: the certificate's CN is the
 *     calling service when listed in {@code security.mtls.services}, else a user with {@code security.mtls.roles};</li>
 *     <li>{@value #SERVICE_TOKEN_HEADER} service tokens, verified by {@link ServiceTokens} against
 *     {@code security.identity.trusted}.</li>
 * </ul>
 * A credential for a mechanism the service does not use is ignored; one for a mechanism it uses that does not
 * verify fails the request. Not API. Thread-safe.
 */
public final class HttpAuthenticator {
    /** The header of API keys: {@value}. */
    public static final String API_KEY_HEADER = "X-API-Key";
    /** The header of the calling service's token: {@value}. */
    public static final String SERVICE_TOKEN_HEADER = "Flotilla-Service-Token";

    /** A security scheme the service uses, as published in {@code /openapi}. */
    public enum Scheme {
        /** JWT bearer tokens. */
        BEARER("bearerAuth"),
        /** API keys in {@value #API_KEY_HEADER}. */
        API_KEY("apiKeyAuth"),
        /** Client certificates. */
        MUTUAL_TLS("mutualTLS"),
        /** Service tokens in {@value #SERVICE_TOKEN_HEADER}. */
        SERVICE_TOKEN("serviceToken");

        private final String openApiName;

        Scheme(String openApiName) {
            this.openApiName = openApiName;
        }

        /**
         * The scheme's name under {@code components.securitySchemes}.
         *
         * @return the name
         */
        public String openApiName() {
            return openApiName;
        }
    }

    private record ApiKey(String id, byte[] sha256, String subject, List<String> roles) {
    }

    private final String service;
    private final JwtVerifier jwt;
    private final List<ApiKey> apiKeys;
    private final boolean mtls;
    private final Set<String> mtlsServices;
    private final List<String> mtlsRoles;
    private final ServiceTokens serviceTokens;
    private final boolean enabled;

    private HttpAuthenticator(String service, JwtVerifier jwt, List<ApiKey> apiKeys, boolean mtls,
                              Set<String> mtlsServices, List<String> mtlsRoles, ServiceTokens serviceTokens,
                              boolean enabled) {
        this.service = service;
        this.jwt = jwt;
        this.apiKeys = apiKeys;
        this.mtls = mtls;
        this.mtlsServices = mtlsServices;
        this.mtlsRoles = mtlsRoles;
        this.serviceTokens = serviceTokens;
        this.enabled = enabled;
    }

    /**
     * An authenticator that authenticates no one: every caller is anonymous, and security is off.
     *
     * @param service the service's name
     * @return the authenticator
     */
    public static HttpAuthenticator none(String service) {
        return new HttpAuthenticator(service, null, List.of(), false, Set.of(), List.of(),
                                     ServiceTokens.of(service, null, null, Clock.systemUTC()), false);
    }

    /**
     * Reads a service's {@code security} settings.
     *
     * @param config  the service's configuration root
     * @param service the service's name
     * @param tokens  the service's identity (its key and the services it trusts)
     * @return the authenticator
     * @throws IllegalArgumentException if a setting is invalid; the message names the key and never holds a secret
     */
    public static HttpAuthenticator from(Config config, String service, ServiceTokens tokens) {
        Config security = config.get("security");
        JwtVerifier jwt = JwtVerifier.from(security.get("jwt"), service);
        List<ApiKey> keys = new ArrayList<>();
        for (Config key : security.get("api-keys").asNodeList().orElse(List.of())) {
            String id = key.name();
            String hex = key.get("sha256").asString().orElse("").trim();
            byte[] digest;
            try {
                digest = HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                digest = new byte[0];
            }
            if (digest.length != 32) {
                throw new IllegalArgumentException("Service '" + service + "': security.api-keys." + id
                                                           + ".sha256 must be the 64 hex digits of the key's SHA-256");
            }
            keys.add(new ApiKey(id, digest, key.get("subject").asString().orElse(id), list(key.get("roles"))));
        }
        boolean mtls = flag(security.get("mtls.enabled"), false);
        String enabled = security.get("enabled").asString().orElse("").trim();
        boolean on = jwt != null || !keys.isEmpty() || mtls || enabled.equalsIgnoreCase("true");
        return new HttpAuthenticator(service, jwt, List.copyOf(keys), mtls,
                                     Set.copyOf(list(security.get("mtls.services"))),
                                     List.copyOf(list(security.get("mtls.roles"))), tokens, on);
    }

    private static boolean flag(Config node, boolean fallback) {
        return node.asString().asOptional().map(String::trim).map(Boolean::parseBoolean).orElse(fallback);
    }

    /** A list node's values, or a value split at commas. */
    static List<String> list(Config node) {
        List<String> out = new ArrayList<>();
        if (!node.exists()) {
            return out;
        }
        if (node.isLeaf()) {
            for (String part : node.asString().orElse("").split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return out;
        }
        node.asList(String.class).orElse(List.of()).forEach(v -> out.add(v.trim()));
        return out;
    }

    /**
     * Whether the service authenticates its callers: a contract method without {@code @Access} or
     * {@code @Anonymous} then requires an authenticated caller. On when a JWT issuer, an API key or mutual-TLS
     * identities are configured, or {@code security.enabled} is {@code true}. Service identity alone
     * ({@code security.identity.*}) does not turn it on.
     *
     * @return whether security is on
     */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Whether any caller could be authenticated at all (a user or a service mechanism is configured).
     *
     * @return {@code false} when every caller is anonymous
     */
    public boolean canAuthenticate() {
        return jwt != null || !apiKeys.isEmpty() || mtls || serviceTokens.verifies();
    }

    /**
     * The schemes this service uses, for {@code /openapi}.
     *
     * @return the schemes, in a stable order
     */
    public Set<Scheme> schemes() {
        Set<Scheme> schemes = new LinkedHashSet<>();
        if (jwt != null) {
            schemes.add(Scheme.BEARER);
        }
        if (!apiKeys.isEmpty()) {
            schemes.add(Scheme.API_KEY);
        }
        if (mtls) {
            schemes.add(Scheme.MUTUAL_TLS);
        }
        if (serviceTokens.verifies()) {
            schemes.add(Scheme.SERVICE_TOKEN);
        }
        return schemes;
    }

    /**
     * Whether bearer tokens are verified (so a 401 says {@code WWW-Authenticate: Bearer}).
     *
     * @return whether JWTs are configured
     */
    public boolean usesBearerTokens() {
        return jwt != null;
    }

    /**
     * Verifies what a request presents.
     *
     * @param authorization the {@code Authorization} header; may be {@code null}
     * @param apiKey        the {@value #API_KEY_HEADER} header; may be {@code null}
     * @param serviceToken  the {@value #SERVICE_TOKEN_HEADER} header; may be {@code null}
     * @param peer          the client's certificate chain from the TLS handshake; may be {@code null}
     * @return the caller ({@link Caller#anonymous()} when nothing was presented)
     * @throws Refused if a presented credential does not verify
     */
    public Caller authenticate(String authorization, String apiKey, String serviceToken, Certificate[] peer)
            throws Refused {
        Caller caller = Caller.anonymous();
        if (jwt != null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            try {
                caller = jwt.verify(authorization.substring(7).trim());
            } catch (ServiceTokens.InvalidTokenException e) {
                throw new Refused(e.getMessage(), true);
            }
        } else if (!apiKeys.isEmpty() && apiKey != null) {
            caller = apiKey(apiKey);
        }
        String certificateName = mtls && peer != null && peer.length > 0 ? commonName(peer[0]) : null;
        if (certificateName != null) {
            if (mtlsServices.contains(certificateName)) {
                caller = CallerBridge.withService(caller, certificateName, Caller.Mechanism.MTLS);
            } else if (caller.user().isEmpty()) {
                caller = Caller.builder().user(certificateName).roles(mtlsRoles)
                        .mechanism(Caller.Mechanism.MTLS).build();
            }
        }
        if (serviceToken != null && serviceTokens.verifies()) {
            try {
                ServiceTokens.Verified verified = serviceTokens.verify(serviceToken, service);
                if (caller.service().isPresent() && !caller.service().get().equals(verified.service())) {
                    throw new Refused("service token of '" + verified.service() + "' on a connection certified for '"
                                              + caller.service().get() + "'", false);
                }
                if (caller.service().isEmpty()) {
                    caller = CallerBridge.withService(caller, verified.service(), Caller.Mechanism.SERVICE_TOKEN);
                }
            } catch (ServiceTokens.InvalidTokenException e) {
                throw new Refused(e.getMessage(), false);
            }
        }
        return caller;
    }

    private Caller apiKey(String presented) throws Refused {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(presented.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        ApiKey match = null;
        // Every configured key is compared, in constant time each: how long this takes says nothing about the key.
        for (ApiKey key : apiKeys) {
            if (MessageDigest.isEqual(key.sha256(), digest) && match == null) {
                match = key;
            }
        }
        if (match == null) {
            throw new Refused("unknown API key", false);
        }
        return Caller.builder().user(match.subject()).roles(match.roles()).mechanism(Caller.Mechanism.API_KEY)
                .build();
    }

    private static String commonName(Certificate certificate) {
        if (!(certificate instanceof X509Certificate x509)) {
            return null;
        }
        try {
            for (Rdn rdn : new LdapName(x509.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }

    @Override
    public String toString() {
        return "HttpAuthenticator[" + service + ", enabled=" + enabled + ", schemes=" + schemes() + "]";
    }

    /** A presented credential that does not verify. The message says why, never with the credential. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean bearer;

        Refused(String reason, boolean bearer) {
            super(reason);
            this.bearer = bearer;
        }

        /**
         * Whether the refused credential was a bearer token (answered with {@code WWW-Authenticate: Bearer
         * error="invalid_token"}).
         *
         * @return whether it was a JWT
         */
        public boolean bearer() {
            return bearer;
        }
    }
}
