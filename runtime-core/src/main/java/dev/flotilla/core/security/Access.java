package dev.flotilla.core.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Who may call a contract method (or, on the interface, each of its methods that says nothing itself): an
 * authenticated caller that also meets every condition given here. The server checks it before the method's
 * parameters are read: an unauthenticated caller gets 401, an authenticated one that does not qualify 403, both as
 * {@code application/problem+json}. A method with {@code @Access} on a service that has no way to authenticate
 * callers answers 401 to every call (it fails closed). {@code @Access} and {@link Anonymous} on the same method or
 * interface make serving it fail with {@link dev.flotilla.core.http.ContractException}. An annotation on the method
 * replaces the one on the interface.
 *
 * <pre>{@code
 * @Access(roles = "operator")                  // any authenticated caller with the role
 * @Access(scopes = {"orders:read"})            // a token granted every listed scope
 * @Access(services = "order-service")          // only calls signed by order-service
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Access {
    /**
     * Roles, any one of which the caller must have ({@link Caller#roles()}); empty for no role condition.
     *
     * @return the roles
     */
    String[] roles() default {};

    /**
     * Scopes, all of which the caller must have been granted ({@link Caller#scopes()}); empty for no scope
     * condition.
     *
     * @return the scopes
     */
    String[] scopes() default {};

    /**
     * Services, one of which must be the verified calling service ({@link Caller#service()}, from its signed service
     * token or its mutual-TLS certificate); empty for no service condition.
     *
     * @return the service names
     */
    String[] services() default {};
}
