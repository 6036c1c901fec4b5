/**
 * Who may call what: the verified {@link dev.flotilla.core.security.Caller} of a request (user, roles, scopes,
 * calling service), and the annotations on contract methods that say who may call them,
 * {@link dev.flotilla.core.security.Access} and {@link dev.flotilla.core.security.Anonymous}.
 *
 * <p>A service authenticates its callers when its {@code security.*} configuration names a mechanism (JWT bearer
 * tokens, API keys, mutual-TLS certificates) or sets {@code security.enabled: true}; from then on a contract method
 * without either annotation requires an authenticated caller. Services sign the calls of their typed clients with
 * their own key ({@code security.identity.*}). See {@code docs/security.md}.
 */
package dev.flotilla.core.security;
