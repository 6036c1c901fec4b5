/**
 * A JUnit 5 extension that runs a whole Flotilla system in one JVM: {@link dev.flotilla.testkit.TestSystem}, with
 * NATS (a real {@code nats-server} or the in-JVM transport), central configuration, message and span capture, fault
 * injection, log lines per service when Logback is the SLF4J backend, contract compatibility checks, and the check of
 * every answer against its service's published contract.
 */
// "requires-automatic": jnats and OpenTelemetry ship automatic modules only (stable Automatic-Module-Name entries).
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.flotilla.testkit {
    requires transitive dev.flotilla.messaging;
    requires transitive dev.flotilla.testkit.nats;
    requires transitive org.junit.jupiter.api;
    requires transitive io.opentelemetry.sdk.trace;

    requires io.opentelemetry.sdk.common;
    requires io.helidon.http;
    requires java.net.http;
    // Answers are checked against each service's OpenAPI document (JSON Schema 2020-12).
    requires com.networknt.schema;
    // Log lines are read when Logback is the SLF4J backend; Logback is optional.
    requires static ch.qos.logback.classic;
    requires static ch.qos.logback.core;

    exports dev.flotilla.testkit;

    uses dev.flotilla.core.ServiceExtensionProvider;
}
