package dev.flotilla.core.http;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a contract method, a whole contract interface, or an event record type as deprecated, with the date after
 * which it may be removed. Plain {@link Deprecated} marks it deprecated without a date.
 *
 * <p>A served deprecated method answers with a {@code Deprecation} header (RFC 9745: {@code @<epoch seconds>} of
 * {@link #deprecatedOn()}, or {@code true} when that is not given) and a {@code Sunset} header (RFC 8594, an
 * HTTP-date), is {@code deprecated: true} in the OpenAPI document, and every call to it is counted per calling
 * service ({@code flotilla.http.deprecated.calls}). An event type with it is marked deprecated in the service's
 * event list. See {@code docs/versioning.md}.
 *
 * <pre>{@code
 * @Get("/v1/products/{id}")
 * @Sunset("2027-06-30")
 * ProductV1 get(@PathParam("id") long id);
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Sunset {
    /**
     * The sunset date, as ISO-8601 {@code yyyy-MM-dd} (midnight UTC): after it the endpoint may be removed.
     *
     * @return the date
     */
    String value();

    /**
     * The date it was deprecated on, as ISO-8601 {@code yyyy-MM-dd}; empty when not said.
     *
     * @return the date, or an empty string
     */
    String deprecatedOn() default "";
}
