package dev.flotilla.architecture;

import java.lang.module.ModuleDescriptor;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.flotilla.architecture.fixture.core.Api;
import dev.flotilla.architecture.fixture.core.ParsesTokens;
import dev.flotilla.architecture.fixture.core.UsesMessaging;
import dev.flotilla.architecture.fixture.core.security.VerifiesTokens;
import dev.flotilla.architecture.fixture.core.UsesTestkit;
import dev.flotilla.architecture.fixture.core.a.CycleA;
import dev.flotilla.architecture.fixture.core.b.CycleB;
import dev.flotilla.architecture.fixture.core.internal.Hidden;
import dev.flotilla.architecture.fixture.messaging.ReachesPermissions;
import dev.flotilla.architecture.fixture.messaging.ReachesSagas;
import dev.flotilla.architecture.fixture.messaging.saga.Engine;
import dev.flotilla.architecture.fixture.messaging.saga.ReachesTestkit;
import dev.flotilla.architecture.fixture.messaging.Starter;
import dev.flotilla.architecture.fixture.messaging.Usage;
import dev.flotilla.architecture.fixture.messaging.UsesInternal;
import dev.flotilla.architecture.fixture.messaging.UsesJdbc;
import dev.flotilla.architecture.fixture.messaging.idempotency.Marks;
import dev.flotilla.architecture.fixture.messaging.outbox.Relay;
import dev.flotilla.architecture.fixture.messaging.internal.Hook;
import dev.flotilla.architecture.fixture.messaging.permissions.FromApi;
import dev.flotilla.architecture.fixture.messaging.permissions.UsesInternals;
import dev.flotilla.architecture.fixture.resilience.Leaf;
import dev.flotilla.architecture.fixture.resilience.Policy;
import dev.flotilla.architecture.fixture.sample.Clean;
import dev.flotilla.architecture.fixture.sample.Launcher;
import dev.flotilla.architecture.fixture.testkit.Kit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each architecture rule fails on a small fixture that breaks it and passes on one that keeps it, so a rule that
 * could never fail would fail here. The fixture's modules are described in code: core exports its API package to
 * everyone and its internal package to the testkit only.
 */
class RulesCatchViolationsTest {
    private static final String ROOT = "dev.flotilla.architecture.fixture";

    private static final ModuleDescriptor CORE = ModuleDescriptor.newModule("fixture.core")
            .exports(ROOT + ".core")
            .exports(ROOT + ".core.internal", Set.of("fixture.testkit"))
            .packages(Set.of(ROOT + ".core.a", ROOT + ".core.b"))
            .build();
    private static final ModuleDescriptor CORE_EXPORTING_INTERNALS = ModuleDescriptor.newModule("fixture.core")
            .exports(ROOT + ".core")
            .exports(ROOT + ".core.internal")
            .build();
    private static final ModuleDescriptor MESSAGING = ModuleDescriptor.newModule("fixture.messaging")
            .exports(ROOT + ".messaging").build();
    private static final ModuleDescriptor TESTKIT = ModuleDescriptor.newModule("fixture.testkit")
            .exports(ROOT + ".testkit").build();

    private static Function<JavaClass, Optional<ModuleDescriptor>> modules(Map<String, ModuleDescriptor> byPackage) {
        return c -> byPackage.entrySet().stream()
                .filter(e -> c.getPackageName().equals(e.getKey()) || c.getPackageName().startsWith(e.getKey() + "."))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    private static final ArchitectureRules RULES = new ArchitectureRules(ROOT, modules(Map.of(
            ROOT + ".core", CORE, ROOT + ".messaging", MESSAGING, ROOT + ".testkit", TESTKIT)));

    private static JavaClasses classes(Class<?>... classes) {
        return new ClassFileImporter().importClasses(classes);
    }

    private static void failsOn(ArchRule rule, JavaClasses bad, JavaClasses good) {
        EvaluationResult broken = rule.evaluate(bad);
        assertTrue(broken.hasViolation(), rule.getDescription() + " should fail on " + bad);
        EvaluationResult kept = rule.evaluate(good);
        assertFalse(kept.hasViolation(), rule.getDescription() + " should pass, but: " + kept.getFailureReport());
    }

    @Test
    void aPackageCycleFailsTheBuild() {
        failsOn(RULES.noPackageCycles(), classes(CycleA.class, CycleB.class), classes(Api.class, Hidden.class));
    }

    @Test
    void theLeafReachingCoreFailsTheBuild() {
        failsOn(RULES.resilienceIsALeaf(), classes(Leaf.class, Api.class, Hidden.class), classes(Policy.class));
    }

    @Test
    void coreReachingMessagingFailsTheBuild() {
        failsOn(RULES.coreDoesNotReachMessaging(), classes(UsesMessaging.class, Starter.class), classes(Api.class));
    }

    @Test
    void permissionsReachingMessagingInternalsFailTheBuild() {
        failsOn(RULES.messagingPermissionsSitOnTopOfMessaging(),
                classes(UsesInternals.class, Hook.class, Usage.class),
                classes(FromApi.class, Usage.class));
    }

    @Test
    void messagingReachingItsPermissionsFailsTheBuild() {
        failsOn(RULES.messagingPermissionsSitOnTopOfMessaging(),
                classes(ReachesPermissions.class, FromApi.class, Usage.class),
                classes(FromApi.class, Usage.class));
    }

    @Test
    void aLibraryReachingTheTestkitFailsTheBuild() {
        failsOn(RULES.librariesReachNeitherTestkitNorSample(), classes(UsesTestkit.class, Kit.class),
                classes(Api.class, Hidden.class, Kit.class));
    }

    @Test
    void mainCodeReachingTheTestkitFailsTheBuild() {
        failsOn(RULES.mainCodeNeverReachesTheTestkit(), classes(Launcher.class, Kit.class),
                classes(Clean.class, Api.class, Kit.class));
    }

    @Test
    void tokensHandledOutsideTheSecurityPackageFailTheBuild() {
        failsOn(RULES.onlySecurityHandlesTokens(), classes(ParsesTokens.class), classes(VerifiesTokens.class, Api.class));
    }

    @Test
    void jdbcUsedInMessagingOutsideTheOutboxAndIdempotencyFailsTheBuild() {
        failsOn(RULES.onlyOutboxAndIdempotencyUseJdbc(), classes(UsesJdbc.class),
                classes(Relay.class, Marks.class, Usage.class));
    }

    @Test
    void aProcessStartedOutsideTheTestkitFailsTheBuild() {
        failsOn(RULES.onlyTheTestkitStartsProcesses(), classes(Starter.class), classes(Kit.class, Api.class));
    }

    @Test
    void aNonExportedPackageUsedFromAnotherModuleFailsTheBuild() {
        // The testkit may use core's internals (exported to it by name), messaging may not, and code outside any
        // module (the sample) sees only what is exported to everyone.
        failsOn(RULES.onlyExportedPackagesAreUsedAcrossModules(), classes(UsesInternal.class, Hidden.class),
                classes(Kit.class, Hidden.class, Clean.class, Api.class));
    }

    @Test
    void aClassOutsideANamedModuleFailsTheBuild() {
        failsOn(RULES.libraryClassesLiveInNamedModules(), classes(Leaf.class), classes(Api.class, Starter.class));
    }

    @Test
    void anInternalPackageExportedToEveryoneFailsTheBuild() {
        ArchitectureRules exporting = new ArchitectureRules(ROOT, modules(Map.of(ROOT + ".core",
                                                                                 CORE_EXPORTING_INTERNALS)));
        assertTrue(exporting.internalPackagesAreNotExported().evaluate(classes(Hidden.class)).hasViolation());
        assertFalse(RULES.internalPackagesAreNotExported().evaluate(classes(Hidden.class)).hasViolation());
    }

    @Test
    void aSagaEngineReachingBeyondMessagingCoreAndJnatsFailsTheBuild() {
        failsOn(RULES.sagasSitOnTopOfMessaging(), classes(ReachesTestkit.class, Kit.class),
                classes(Engine.class, Usage.class));
    }

    @Test
    void messagingReachingItsSagaEngineFailsTheBuild() {
        failsOn(RULES.sagasSitOnTopOfMessaging(), classes(ReachesSagas.class, Engine.class, Usage.class),
                classes(Engine.class, Usage.class));
    }
}
