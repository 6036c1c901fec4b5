package dev.flotilla.core.http;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;

import dev.flotilla.core.security.Access;
import dev.flotilla.core.security.Anonymous;
import dev.flotilla.core.security.Caller;

/**
 * Who may call a contract method: from {@link Access} or {@link Anonymous} on the method, else on its interface,
 * else nothing declared (then the service's setting decides). Immutable.
 *
 * @param declared  whether {@code @Access} applies
 * @param anonymous whether {@code @Anonymous} applies
 * @param roles     any of these roles (when declared)
 * @param scopes    all of these scopes (when declared)
 * @param services  one of these calling services (when declared)
 * @param conflict  why the method cannot be served ({@code @Access} and {@code @Anonymous} together), or
 *                  {@code null}
 */
record AccessRule(boolean declared, boolean anonymous, Set<String> roles, Set<String> scopes, Set<String> services,
                  String conflict) {
    /** What a caller gets. */
    enum Verdict { ALLOWED, UNAUTHENTICATED, FORBIDDEN }

    static AccessRule of(Method method) {
        AnnotatedElement source = method.isAnnotationPresent(Access.class) || method.isAnnotationPresent(Anonymous.class)
                ? method : method.getDeclaringClass();
        Access access = source.getAnnotation(Access.class);
        boolean anonymous = source.isAnnotationPresent(Anonymous.class);
        String conflict = access != null && anonymous
                ? "@Access and @Anonymous exclude each other: choose one (on " + (source == method ? "the method"
                        : "the interface") + ")" : null;
        if (access == null) {
            return new AccessRule(false, anonymous, Set.of(), Set.of(), Set.of(), conflict);
        }
        return new AccessRule(true, anonymous, Set.copyOf(List.of(access.roles())), Set.copyOf(List.of(access.scopes())),
                              Set.copyOf(List.of(access.services())), conflict);
    }

    /**
     * Judges a caller.
     *
     * @param caller     the verified caller
     * @param securityOn whether methods that declare nothing require an authenticated caller
     * @return the verdict
     */
    Verdict judge(Caller caller, boolean securityOn) {
        if (anonymous) {
            return Verdict.ALLOWED;
        }
        if (!declared) {
            return !securityOn || caller.authenticated() ? Verdict.ALLOWED : Verdict.UNAUTHENTICATED;
        }
        if (!caller.authenticated()) {
            return Verdict.UNAUTHENTICATED;
        }
        if (!services.isEmpty() && !caller.service().map(services::contains).orElse(false)) {
            return Verdict.FORBIDDEN;
        }
        if (!roles.isEmpty() && !caller.hasAnyRole(roles)) {
            return Verdict.FORBIDDEN;
        }
        if (!caller.scopes().containsAll(scopes)) {
            return Verdict.FORBIDDEN;
        }
        return Verdict.ALLOWED;
    }

    /** What a refused caller is told: the conditions, never a credential. */
    String requirement() {
        StringBuilder text = new StringBuilder();
        if (!services.isEmpty()) {
            text.append("a call from one of the services ").append(services);
        }
        if (!roles.isEmpty()) {
            text.append(text.isEmpty() ? "" : ", ").append("one of the roles ").append(roles);
        }
        if (!scopes.isEmpty()) {
            text.append(text.isEmpty() ? "" : ", ").append("all of the scopes ").append(scopes);
        }
        return text.isEmpty() ? "an authenticated caller" : text.toString();
    }
}
