/**
 * The Flotilla service runtime: services with a lifecycle ({@link dev.flotilla.core.Service},
 * {@link dev.flotilla.core.Flotilla}, {@link dev.flotilla.core.ServiceRuntime}), contract interfaces served and called
 * over HTTP ({@link dev.flotilla.core.http}), who may call them ({@link dev.flotilla.core.security}), problem details,
 * configuration, observability and discovery.
 *
 * <p>Exported: the API packages. Not exported to everyone: {@code config.internal} (configuration loading, checks
 * and live changes; exported to {@code dev.flotilla.messaging}, whose central configuration command uses them),
 * {@code server} (each service's request pipeline), {@code http.internal} (per-request state of served contracts) and
 * {@code security.internal} (credentials: verification, service tokens; exported to Flotilla's own modules);
 * {@code json} (the JSON mapping on the wire) is exported to Flotilla's own modules only.
 *
 * <p>Contract records are validated by Hibernate Validator, which reads their fields: a module whose contract records
 * carry constraints opens their package to {@code org.hibernate.validator} (and to
 * {@code com.fasterxml.jackson.databind}, which reads and writes them).
 */
// "module": the qualified exports name modules built after this one. "requires-(transitive-)automatic":
// OpenTelemetry ships automatic modules only (stable Automatic-Module-Name entries), and its span types are API here.
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.flotilla.core {
    requires transitive dev.flotilla.resilience;
    requires transitive io.helidon.config;
    requires transitive io.helidon.webserver;
    requires transitive io.helidon.health;
    requires transitive io.helidon.metrics.api;
    requires transitive io.helidon.webclient.api;
    requires transitive com.fasterxml.jackson.databind;
    requires transitive io.opentelemetry.api;
    requires transitive io.opentelemetry.context;
    requires transitive io.opentelemetry.sdk.trace;
    requires transitive org.slf4j;
    // Contracts declare their constraints with Jakarta Validation annotations; clients throw its
    // ConstraintViolationException.
    requires transitive jakarta.validation;

    requires dev.failsafe.core;
    requires com.nimbusds.jose.jwt;
    // Client certificates' subject names are read as LDAP names (their CN names the caller).
    requires java.naming;
    requires io.helidon.common;
    requires io.helidon.common.media.type;
    requires io.helidon.common.tls;
    requires io.helidon.common.uri;
    requires io.helidon.config.yaml;
    requires io.helidon.http;
    requires io.helidon.http.media;
    requires io.helidon.http.media.jackson;
    requires io.helidon.service.registry;
    requires io.helidon.webserver.observe;
    requires io.helidon.webserver.observe.health;
    requires io.helidon.webserver.observe.metrics;
    requires io.opentelemetry.sdk.common;
    requires io.opentelemetry.exporter.otlp;
    requires com.fasterxml.jackson.datatype.jdk8;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires com.fasterxml.jackson.module.paramnames;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires com.github.victools.jsonschema.generator;
    requires com.github.victools.jsonschema.module.jakarta.validation;
    requires org.hibernate.validator;
    requires com.fasterxml.classmate;
    requires jul.to.slf4j;
    // Central log.level.* keys are applied when Logback is the SLF4J backend; Logback is optional.
    requires static ch.qos.logback.classic;

    exports dev.flotilla.core;
    exports dev.flotilla.core.config;
    exports dev.flotilla.core.contract;
    exports dev.flotilla.core.discovery;
    exports dev.flotilla.core.http;
    exports dev.flotilla.core.observability;
    exports dev.flotilla.core.problem;
    exports dev.flotilla.core.schema;
    exports dev.flotilla.core.security;
    exports dev.flotilla.core.json to dev.flotilla.messaging, dev.flotilla.testkit;
    // The central configuration command loads its NATS settings as a service does and checks values with the
    // services' own checks (ConfigChecks).
    exports dev.flotilla.core.config.internal to dev.flotilla.messaging;
    exports dev.flotilla.core.security.internal to dev.flotilla.messaging, dev.flotilla.testkit;

    uses dev.flotilla.core.ServiceExtensionProvider;
    uses dev.flotilla.core.config.ConfigLayerProvider;
}
