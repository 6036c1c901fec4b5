package dev.flotilla.architecture;

import java.lang.module.ModuleDescriptor;
import java.util.Optional;
import java.util.function.Function;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The architecture of Flotilla as rules, written over a root package ({@code dev.flotilla} in the build, another root
 * for the tests that prove each rule can fail). Each rule speaks of module roles, not of today's packages, so a new
 * capability inherits them: a new package joins the cycle check, a new module's descriptor is read like the others.
 *
 * <ul>
 *   <li>the library modules are {@code <root>.resilience}, {@code <root>.core} and {@code <root>.messaging};
 *   <li>the testkit is {@code <root>.testkit} (with its sub-packages), the sample is {@code <root>.sample}.
 * </ul>
 */
final class ArchitectureRules {
    private final String root;
    private final Function<JavaClass, Optional<ModuleDescriptor>> modules;

    ArchitectureRules(String root, Function<JavaClass, Optional<ModuleDescriptor>> modules) {
        this.root = root;
        this.modules = modules;
    }

    /** No cycle between any two packages, whatever their module. */
    ArchRule noPackageCycles() {
        return slices().matching(root + ".(**)").should().beFreeOfCycles()
                .as("no package cycle under " + root);
    }

    /** The library modules never reach the testkit or the sample. */
    ArchRule librariesReachNeitherTestkitNorSample() {
        return noClasses().that().resideInAnyPackage(root + ".resilience..", root + ".core..", root + ".messaging..")
                .should().dependOnClassesThat().resideInAnyPackage(root + ".testkit..", root + ".sample..")
                .as("library modules reach neither the testkit nor the sample");
    }

    /** The testkit never reaches the sample. */
    ArchRule testkitNeverReachesTheSample() {
        return noClasses().that().resideInAPackage(root + ".testkit..")
                .should().dependOnClassesThat().resideInAPackage(root + ".sample..")
                .as("the testkit never reaches the sample");
    }

    /** runtime-resilience is the leaf: it depends on no other Flotilla module. */
    ArchRule resilienceIsALeaf() {
        return noClasses().that().resideInAPackage(root + ".resilience..")
                .should().dependOnClassesThat().resideInAnyPackage(root + ".core..", root + ".messaging..")
                .as("runtime-resilience is a leaf");
    }

    /** Core never reaches messaging. */
    ArchRule coreDoesNotReachMessaging() {
        return noClasses().that().resideInAPackage(root + ".core..")
                .should().dependOnClassesThat().resideInAPackage(root + ".messaging..")
                .as("runtime-core does not reach runtime-messaging");
    }

    /**
     * Least-privilege NATS permissions ({@code <root>.messaging.permissions}) are a tool on top of messaging: they are
     * worked out from what services publish through messaging's public API ({@code $SRV.INFO} metadata), and
     * messaging itself never reaches them. So the permissions package uses no {@code internal} package of
     * messaging, and no other messaging package depends on it.
     */
    ArchRule messagingPermissionsSitOnTopOfMessaging() {
        return classes().that().resideInAPackage(root + ".messaging.permissions..")
                .should().onlyDependOnClassesThat(DescribedPredicate.describe(
                        "are not in an internal package of messaging",
                        (JavaClass target) -> !target.getPackageName().startsWith(root + ".messaging.internal")))
                .andShould(new ArchCondition<>("not be reached from another messaging package") {
                    @Override
                    public void check(JavaClass javaClass, ConditionEvents events) {
                        for (var access : javaClass.getDirectDependenciesToSelf()) {
                            String from = access.getOriginClass().getPackageName();
                            if (from.startsWith(root + ".messaging")
                                    && !from.startsWith(root + ".messaging.permissions")) {
                                events.add(SimpleConditionEvent.violated(access, access.getDescription()
                                        + ": messaging reaches its permissions tool"));
                            }
                        }
                    }
                })
                .allowEmptyShould(true)
                .as("messaging permissions use no messaging internals, and messaging never reaches them");
    }

    /**
     * The saga engine ({@code <root>.messaging.saga}) is built on messaging's API, its internal hooks, core, jnats,
     * Jackson, Helidon config and metrics, OpenTelemetry's API, SLF4J and the JDK, and nothing else; no other messaging
     * package depends on it (messaging works without sagas).
     */
    ArchRule sagasSitOnTopOfMessaging() {
        return classes().that().resideInAPackage(root + ".messaging.saga..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(root + ".messaging.saga..", root + ".messaging",
                        root + ".messaging.internal", root + ".core..", "java..", "io.nats..",
                        "com.fasterxml.jackson..", "io.helidon.config..", "io.helidon.metrics.api..",
                        "io.opentelemetry.api..", "org.slf4j..")
                .andShould(new ArchCondition<>("not be reached from another messaging package") {
                    @Override
                    public void check(JavaClass javaClass, ConditionEvents events) {
                        for (var access : javaClass.getDirectDependenciesToSelf()) {
                            String from = access.getOriginClass().getPackageName();
                            if (from.startsWith(root + ".messaging") && !from.startsWith(root + ".messaging.saga")) {
                                events.add(SimpleConditionEvent.violated(access, access.getDescription()
                                        + ": messaging reaches its saga engine"));
                            }
                        }
                    }
                })
                .allowEmptyShould(true)
                .as("the saga engine sits on messaging's API, core and jnats, and messaging never reaches it");
    }

    /**
     * Messaging reaches a relational database (JDBC) only in the two capabilities built on one: the transactional
     * outbox ({@code <root>.messaging.outbox}) and idempotent handlers ({@code <root>.messaging.idempotency}).
     */
    ArchRule onlyOutboxAndIdempotencyUseJdbc() {
        return noClasses().that().resideInAPackage(root + ".messaging..")
                .and().resideOutsideOfPackages(root + ".messaging.outbox..", root + ".messaging.idempotency..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..")
                .as("in messaging only the outbox and idempotency packages use JDBC (java.sql)");
    }

    /** Main code reaches the testkit only from the testkit itself (only main classes are imported by the build). */
    ArchRule mainCodeNeverReachesTheTestkit() {
        return noClasses().that().resideOutsideOfPackage(root + ".testkit..")
                .should().dependOnClassesThat().resideInAPackage(root + ".testkit..")
                .as("main code never reaches the testkit");
    }

    /** Only the testkit starts operating-system processes. */
    ArchRule onlyTheTestkitStartsProcesses() {
        return noClasses().that().resideOutsideOfPackage(root + ".testkit..")
                .should().callConstructorWhere(target(owner(name(ProcessBuilder.class.getName()))))
                .orShould().callMethodWhere(target(owner(name(ProcessBuilder.class.getName()))).and(target(name("start"))))
                .orShould().callMethodWhere(target(owner(name(Runtime.class.getName()))).and(target(name("exec"))))
                .as("only the testkit starts processes");
    }

    /**
     * Tokens and keys (Nimbus JOSE+JWT) are handled in one place, {@code <root>.core.security} and below: the
     * request pipeline, clients and messaging ask it, they never read or sign a token themselves.
     */
    ArchRule onlySecurityHandlesTokens() {
        return noClasses().that().resideInAPackage(root + "..").and().resideOutsideOfPackage(root + ".core.security..")
                .should().dependOnClassesThat().resideInAPackage("com.nimbusds..")
                .as("only " + root + ".core.security handles tokens and keys (Nimbus JOSE+JWT)");
    }

    /**
     * A class may use a class of another module only where that module exports the package, to everyone or to the
     * user's module by name. A class outside any named module (the sample, an application) sees only what is
     * exported to everyone.
     */
    ArchRule onlyExportedPackagesAreUsedAcrossModules() {
        return classes().that().resideInAPackage(root + "..")
                .should(useOnlyExportedPackagesOfOtherModules())
                .as("classes of another module are used only through its exported packages");
    }

    /** Every library and testkit class lives in a named module with a real descriptor, not on the class path only. */
    ArchRule libraryClassesLiveInNamedModules() {
        return classes().that().resideInAnyPackage(root + ".resilience..", root + ".core..", root + ".messaging..",
                                                   root + ".testkit..")
                .should(liveInANamedModule())
                .as("library classes live in named modules (module-info.java)");
    }

    /** Packages named {@code internal} are never exported to everyone. */
    ArchRule internalPackagesAreNotExported() {
        return classes().that().resideInAPackage(root + "..internal..")
                .should(notBeExportedToEveryone())
                .as("internal packages are not exported to everyone");
    }

    private ArchCondition<JavaClass> useOnlyExportedPackagesOfOtherModules() {
        return new ArchCondition<>("use only exported packages of other modules") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                Optional<ModuleDescriptor> from = modules.apply(origin);
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = dependency.getTargetClass();
                    if (!target.getPackageName().startsWith(root + ".")) {
                        continue;
                    }
                    Optional<ModuleDescriptor> to = modules.apply(target);
                    if (to.isEmpty() || from.map(f -> f.name().equals(to.get().name())).orElse(false)) {
                        continue;
                    }
                    String pkg = target.getPackageName();
                    boolean visible = to.get().exports().stream().anyMatch(
                            e -> e.source().equals(pkg)
                                    && (!e.isQualified() || from.map(f -> e.targets().contains(f.name())).orElse(false)));
                    if (!visible) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()
                                + ": package " + pkg + " is not exported by module " + to.get().name()
                                + from.map(f -> " to " + f.name()).orElse(" to everyone")));
                    }
                }
            }
        };
    }

    private ArchCondition<JavaClass> liveInANamedModule() {
        return new ArchCondition<>("live in a named module") {
            @Override
            public void check(JavaClass javaClass, ConditionEvents events) {
                if (modules.apply(javaClass).isEmpty()) {
                    events.add(SimpleConditionEvent.violated(javaClass, javaClass.getName()
                            + " is in no named module: its module has no module-info.java"));
                }
            }
        };
    }

    private ArchCondition<JavaClass> notBeExportedToEveryone() {
        return new ArchCondition<>("not be exported to everyone") {
            @Override
            public void check(JavaClass javaClass, ConditionEvents events) {
                String pkg = javaClass.getPackageName();
                modules.apply(javaClass).ifPresent(module -> module.exports().stream()
                        .filter(e -> e.source().equals(pkg) && !e.isQualified())
                        .findFirst()
                        .ifPresent(e -> events.add(SimpleConditionEvent.violated(javaClass, "module " + module.name()
                                + " exports " + pkg + " to everyone, but it is internal"))));
            }
        };
    }
}
