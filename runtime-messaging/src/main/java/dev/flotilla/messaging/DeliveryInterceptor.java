package dev.flotilla.messaging;

/**
 * Sees every decoded message just before its handler or responder runs, and may fail it by throwing: the failure is
 * then treated exactly as the handler's own (redelivered, dead-lettered, or answered as an error). The testkit uses
 * it to make handlers fail on purpose. Implementations must be thread-safe and fast.
 */
@FunctionalInterface
public interface DeliveryInterceptor {
    /** An interceptor that lets every message through. */
    DeliveryInterceptor NONE = (service, subscribedSubject, envelope) -> { };

    /**
     * Called before the handler.
     *
     * @param service           the name of the handling service
     * @param subscribedSubject the subject as the service subscribed it (wildcards included)
     * @param envelope          the message
     * @throws Exception to fail this delivery as if the handler had thrown it
     */
    void beforeHandler(String service, String subscribedSubject, Envelope<?> envelope) throws Exception;
}
