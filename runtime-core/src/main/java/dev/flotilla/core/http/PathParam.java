package dev.flotilla.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a contract method's parameter to the path placeholder {@code {name}} with this name. On the serving side, the value is converted from text to the
 * parameter's type ({@code String}, primitives and their wrappers, {@code UUID}, enums, or any type with a static
 * {@code valueOf(String)}); a value that does not convert is answered with 400.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface PathParam {
    /**
     * The name.
     *
     * @return the placeholder's name, as written between braces in the path
     */
    String value();
}
