package dev.flotilla.core.http.internal;

/**
 * Told of every call to a deprecated contract method, so the runtime can count it as a metric. The runtime puts
 * one in each request's context; served contracts call it. Not API: may change without notice.
 */
@FunctionalInterface
public interface DeprecatedCallListener {

    /**
     * A deprecated operation was called.
     *
     * @param operation the operation, such as {@code GET /v1/items/{id}}
     * @param caller    the calling service's name, or {@code unknown}
     */
    void deprecatedCall(String operation, String caller);
}
