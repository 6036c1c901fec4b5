/**
 * Starts real {@code nats-server} processes for tests: on a free port, with JetStream in a temporary folder, and stops,
 * kills or restarts them on request. Used by the testkit and by tests that need a server of their own. Depends on
 * nothing but the JDK.
 */
module dev.flotilla.testkit.nats {
    exports dev.flotilla.testkit.nats;
}
