/**
 * Messaging over NATS and an in-JVM transport.
 */
package dev.flotilla.messaging;
