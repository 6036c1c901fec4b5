package dev.flotilla.messaging;

/**
 * Counters of one {@link Messaging} instance since it was built.
 *
 * @param published      messages published (core and durable)
 * @param handled        messages whose handler returned normally
 * @param failed         handler invocations that threw
 * @param deadLettered   messages sent to the dead-letter subject
 * @param slowConsumers  times the transport reported a slow consumer (messages dropped for a subscriber that
 *                       could not keep up)
 * @param expired        requests and messages whose handler did not run because their deadline
 *                       ({@link MessagingHeaders#DEADLINE}) had run out before it could start
 */
public record MessagingStats(long published, long handled, long failed, long deadLettered, long slowConsumers,
                             long expired) {
}
