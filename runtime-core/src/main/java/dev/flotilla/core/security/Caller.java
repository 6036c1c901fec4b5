package dev.flotilla.core.security;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who made the request being handled, as the service verified it: the user (subject of a verified JWT, API key or
 * client certificate) with its roles and scopes, and the calling service (from its signed service token or its
 * client certificate). Nothing here comes from a plain header: the {@code X-Flotilla-Caller} label is not identity.
 *
 * <p>Handlers read it with {@link dev.flotilla.core.ServiceContext#caller()} or
 * {@link dev.flotilla.core.observability.CallContext#caller()}. A caller that presented nothing is
 * {@link #anonymous()}. Immutable and thread-safe; {@link #toString()} never shows credentials.
 */
public final class Caller {
    private static final Caller ANONYMOUS = new Caller(null, Set.of(), Set.of(), null, Set.of(), null);

    /** How a part of the caller's identity was verified. */
    public enum Mechanism {
        /** A JWT bearer token ({@code Authorization: Bearer}), verified against the configured issuer's keys. */
        JWT,
        /** An API key ({@code X-API-Key}) whose SHA-256 is configured. */
        API_KEY,
        /** A client certificate presented in the mutual-TLS handshake. */
        MTLS,
        /** A service token ({@code Flotilla-Service-Token}) signed by a trusted service's key. */
        SERVICE_TOKEN
    }

    private final String user;
    private final Set<String> roles;
    private final Set<String> scopes;
    private final String service;
    private final Set<Mechanism> mechanisms;
    /** The user's verified bearer token, forwarded by typed clients; never shown. */
    private final String bearerToken;

    private Caller(String user, Set<String> roles, Set<String> scopes, String service, Set<Mechanism> mechanisms,
                   String bearerToken) {
        this.user = user;
        this.roles = roles;
        this.scopes = scopes;
        this.service = service;
        this.mechanisms = mechanisms;
        this.bearerToken = bearerToken;
    }

    /**
     * The caller that presented no credentials.
     *
     * @return the anonymous caller
     */
    public static Caller anonymous() {
        return ANONYMOUS;
    }

    /**
     * A builder of callers, for tests and for code that acts as a known caller. The runtime makes the callers of
     * requests itself.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The verified user.
     *
     * @return the user's subject; empty when no user credential was verified (anonymous, or a service calling on
     *         its own behalf)
     */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /**
     * The user's roles.
     *
     * @return the roles; empty without a user
     */
    public Set<String> roles() {
        return roles;
    }

    /**
     * The scopes granted to the user's token.
     *
     * @return the scopes; empty without a user or when the token grants none
     */
    public Set<String> scopes() {
        return scopes;
    }

    /**
     * The verified calling service.
     *
     * @return its name; empty when no service credential was verified
     */
    public Optional<String> service() {
        return Optional.ofNullable(service);
    }

    /**
     * Whether any identity was verified: a user or a service.
     *
     * @return {@code false} for the anonymous caller
     */
    public boolean authenticated() {
        return user != null || service != null;
    }

    /**
     * How the caller's identity was verified.
     *
     * @return the mechanisms; empty for the anonymous caller
     */
    public Set<Mechanism> mechanisms() {
        return mechanisms;
    }

    /**
     * Whether the caller has at least one of the roles.
     *
     * @param anyOf the roles
     * @return {@code true} if one of them is among {@link #roles()}
     */
    public boolean hasAnyRole(Set<String> anyOf) {
        for (String role : anyOf) {
            if (roles.contains(role)) {
                return true;
            }
        }
        return false;
    }

    /** The user's bearer token; read by the runtime through its internal bridge only. */
    private Optional<String> bearerToken() {
        return Optional.ofNullable(bearerToken);
    }

    /** A copy holding the user's verified bearer token; made by the runtime through its internal bridge only. */
    private Caller withBearerToken(String token) {
        return new Caller(user, roles, scopes, service, mechanisms, token);
    }

    /** A copy with the calling service added; made by the runtime through its internal bridge only. */
    private Caller withService(String verifiedService, Mechanism mechanism) {
        Set<Mechanism> all = mechanisms.isEmpty() ? EnumSet.noneOf(Mechanism.class) : EnumSet.copyOf(mechanisms);
        all.add(mechanism);
        return new Caller(user, roles, scopes, verifiedService, Set.copyOf(all), bearerToken);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Caller c && Objects.equals(user, c.user) && roles.equals(c.roles)
                && scopes.equals(c.scopes) && Objects.equals(service, c.service) && mechanisms.equals(c.mechanisms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(user, roles, scopes, service, mechanisms);
    }

    @Override
    public String toString() {
        if (!authenticated()) {
            return "Caller[anonymous]";
        }
        return "Caller[" + (user == null ? "" : "user=" + user + ", roles=" + roles + ", scopes=" + scopes)
                + (user != null && service != null ? ", " : "") + (service == null ? "" : "service=" + service)
                + ", via " + mechanisms + "]";
    }

    /** Builds a {@link Caller}. Not thread-safe. */
    public static final class Builder {
        private String user;
        private final Set<String> roles = new LinkedHashSet<>();
        private final Set<String> scopes = new LinkedHashSet<>();
        private String service;
        private final Set<Mechanism> mechanisms = EnumSet.noneOf(Mechanism.class);

        private Builder() {
        }

        /**
         * The verified user.
         *
         * @param subject the user's subject
         * @return this builder
         * @throws NullPointerException if {@code subject} is {@code null}
         */
        public Builder user(String subject) {
            this.user = Objects.requireNonNull(subject, "subject");
            return this;
        }

        /**
         * Adds roles of the user.
         *
         * @param roles the roles
         * @return this builder
         * @throws NullPointerException if a role is {@code null}
         */
        public Builder roles(java.util.Collection<String> roles) {
            roles.forEach(r -> this.roles.add(Objects.requireNonNull(r, "role")));
            return this;
        }

        /**
         * Adds scopes granted to the user.
         *
         * @param scopes the scopes
         * @return this builder
         * @throws NullPointerException if a scope is {@code null}
         */
        public Builder scopes(java.util.Collection<String> scopes) {
            scopes.forEach(s -> this.scopes.add(Objects.requireNonNull(s, "scope")));
            return this;
        }

        /**
         * The verified calling service.
         *
         * @param name the service's name
         * @return this builder
         * @throws NullPointerException if {@code name} is {@code null}
         */
        public Builder service(String name) {
            this.service = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Adds how the identity was verified.
         *
         * @param mechanism the mechanism
         * @return this builder
         * @throws NullPointerException if {@code mechanism} is {@code null}
         */
        public Builder mechanism(Mechanism mechanism) {
            mechanisms.add(Objects.requireNonNull(mechanism, "mechanism"));
            return this;
        }

        /**
         * Builds the caller.
         *
         * @return the caller; {@link #anonymous()} when neither a user nor a service was given
         * @throws IllegalStateException if roles or scopes were given without a user
         */
        public Caller build() {
            if (user == null && (!roles.isEmpty() || !scopes.isEmpty())) {
                throw new IllegalStateException("Roles and scopes belong to a user: set user(subject) too");
            }
            if (user == null && service == null) {
                return ANONYMOUS;
            }
            return new Caller(user, Set.copyOf(roles), Set.copyOf(scopes), service, Set.copyOf(mechanisms), null);
        }
    }
}
