/**
 * A local nats-server process for tests and development runs: {@link dev.flotilla.testkit.nats.NatsServer}. Not for
 * production code: it starts an operating-system process.
 */
package dev.flotilla.testkit.nats;
