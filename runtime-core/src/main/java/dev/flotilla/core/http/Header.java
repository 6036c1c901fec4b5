package dev.flotilla.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a contract method's parameter to the request header with this name; a {@code null} argument is left out. On the serving side, the value is converted from text to the
 * parameter's type ({@code String}, primitives and their wrappers, {@code UUID}, enums, or any type with a static
 * {@code valueOf(String)}); a value that does not convert is answered with 400.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Header {
    /**
     * The name.
     *
     * @return the header's name
     */
    String value();
}
