package dev.flotilla.messaging;

/**
 * Answers requests on a subject. Runs on a virtual thread, so blocking is fine.
 *
 * @param <Q> the request type
 * @param <R> the reply type
 */
@FunctionalInterface
public interface Responder<Q, R> {

    /**
     * Answers one request.
     *
     * @param request the request; never {@code null}
     * @return the reply, encoded as JSON; {@code null} sends a JSON {@code null}
     * @throws Exception when the request failed; the requester gets a {@link RemoteHandlerException} with the
     *                   exception's class name and message
     */
    R respond(Envelope<Q> request) throws Exception;
}
