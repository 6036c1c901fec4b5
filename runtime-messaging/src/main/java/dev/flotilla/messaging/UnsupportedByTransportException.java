package dev.flotilla.messaging;

/**
 * The transport in use cannot honour the call, for example JetStream durability on the in-JVM transport.
 * Flotilla refuses rather than pretending.
 */
public final class UnsupportedByTransportException extends MessagingException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param transport the transport's name
     * @param feature   what was asked for
     */
    public UnsupportedByTransportException(String transport, String feature) {
        super("The " + transport + " transport does not support " + feature
                + ": configure messaging.transport=nats with a nats-server that has JetStream enabled.");
    }
}
