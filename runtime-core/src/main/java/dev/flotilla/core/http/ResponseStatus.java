package dev.flotilla.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The status a served contract method answers with when it returns normally, such as {@code 201} for a create.
 * Without it: 200 with a body, 204 for {@code void}. A method returning {@link HttpResult} sets its own status.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ResponseStatus {
    /**
     * The status code, 200 to 299.
     *
     * @return the status code
     */
    int value();
}
