package dev.flotilla.core.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets unauthenticated callers call a contract method (or, on the interface, each of its methods that says nothing
 * itself), even when the service authenticates its callers. Credentials that are sent are still checked: an invalid
 * one is refused with 401, and a valid one makes the caller known to the method. Published in {@code /openapi} as
 * {@code security: []}. Not allowed together with {@link Access} on the same method or interface.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Anonymous {
}
