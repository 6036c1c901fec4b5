package dev.flotilla.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a contract method as an HTTP {@code DELETE} on the given path, such as {@code "/v1/users/{id}"}. Each
 * {@code {name}} in the path needs a parameter annotated {@link PathParam} with that name.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Delete {
    /**
     * The path, starting with {@code /}, with {@code {name}} placeholders for path parameters.
     *
     * @return the path
     */
    String value();
}
