package dev.flotilla.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a contract method's parameter to the query parameter with this name; a {@code null} argument is left out, a {@link java.util.Collection} repeats the parameter. On the serving side, the value is converted from text to the
 * parameter's type ({@code String}, primitives and their wrappers, {@code UUID}, enums, or any type with a static
 * {@code valueOf(String)}); a value that does not convert is answered with 400.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Query {
    /**
     * The name.
     *
     * @return the query parameter's name
     */
    String value();
}
