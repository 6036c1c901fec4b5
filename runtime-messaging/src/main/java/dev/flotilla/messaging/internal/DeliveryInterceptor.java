package dev.flotilla.messaging.internal;

/**
 * Not API; for the testkit, which uses it to make handlers fail on purpose. May change in any release.
 *
 * <p>A service extension (see {@code dev.flotilla.core.ServiceExtensionProvider}) that implements this interface
 * sees every message of its service just before the handler or responder runs, and may fail it by throwing: the
 * failure is then treated exactly as the handler's own (redelivered, dead-lettered, or answered as an error).
 * Implementations must be thread-safe and fast.
 */
@FunctionalInterface
public interface DeliveryInterceptor {
    /** An interceptor that lets every message through. */
    DeliveryInterceptor NONE = (service, subscribedSubject) -> { };

    /**
     * Called before the handler.
     *
     * @param service           the name of the handling service
     * @param subscribedSubject the subject as the service subscribed it (wildcards included)
     * @throws Exception to fail this delivery as if the handler had thrown it
     */
    void beforeHandler(String service, String subscribedSubject) throws Exception;
}
