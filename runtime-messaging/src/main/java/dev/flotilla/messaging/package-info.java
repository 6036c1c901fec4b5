/**
 * Messaging for Flotilla services: typed publish/subscribe and request-reply over core NATS (at-most-once), durable
 * streams over JetStream (at-least-once, dead letters, de-duplication), discovery through the NATS service
 * protocol, and an in-JVM transport with the same API.
 *
 * <p>Start from {@link dev.flotilla.messaging.Messaging}: inside a service with
 * {@code context.extension(Messaging.class)} (configured under {@code messaging}, see
 * {@link dev.flotilla.messaging.MessagingExtensionProvider}), standalone with
 * {@link dev.flotilla.messaging.Messaging#builder()}. The guide is {@code docs/messaging.md}.
 */
package dev.flotilla.messaging;
