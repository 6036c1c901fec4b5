package dev.flotilla.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a {@link Post} or {@link Patch} method safe to repeat, so that clients retry it like a GET, PUT or
 * DELETE (for example a POST that carries an idempotency key). Without it, clients never retry POST and PATCH.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Idempotent {
}
