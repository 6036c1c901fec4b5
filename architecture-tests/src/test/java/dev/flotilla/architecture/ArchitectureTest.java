package dev.flotilla.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Flotilla's architecture rules over the main classes of the library modules, the testkit and the sample (their
 * tests and this module's own classes are left out). A violation fails {@code ./mvnw verify} with the offending
 * dependency, class and line.
 */
@AnalyzeClasses(packages = "dev.flotilla", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final ArchitectureRules RULES = new ArchitectureRules("dev.flotilla", new ModuleMap());

    @ArchTest
    static final ArchRule noPackageCycles = RULES.noPackageCycles();

    @ArchTest
    static final ArchRule resilienceIsALeaf = RULES.resilienceIsALeaf();

    @ArchTest
    static final ArchRule coreDoesNotReachMessaging = RULES.coreDoesNotReachMessaging();

    @ArchTest
    static final ArchRule messagingPermissionsSitOnTopOfMessaging = RULES.messagingPermissionsSitOnTopOfMessaging();

    @ArchTest
    static final ArchRule librariesReachNeitherTestkitNorSample = RULES.librariesReachNeitherTestkitNorSample();

    @ArchTest
    static final ArchRule testkitNeverReachesTheSample = RULES.testkitNeverReachesTheSample();

    @ArchTest
    static final ArchRule mainCodeNeverReachesTheTestkit = RULES.mainCodeNeverReachesTheTestkit();

    @ArchTest
    static final ArchRule onlyTheTestkitStartsProcesses = RULES.onlyTheTestkitStartsProcesses();

    @ArchTest
    static final ArchRule libraryClassesLiveInNamedModules = RULES.libraryClassesLiveInNamedModules();

    @ArchTest
    static final ArchRule onlyExportedPackagesAreUsedAcrossModules = RULES.onlyExportedPackagesAreUsedAcrossModules();

    @ArchTest
    static final ArchRule internalPackagesAreNotExported = RULES.internalPackagesAreNotExported();

    @ArchTest
    static final ArchRule onlySecurityHandlesTokens = RULES.onlySecurityHandlesTokens();

    @ArchTest
    static final ArchRule sagasSitOnTopOfMessaging = RULES.sagasSitOnTopOfMessaging();

    @ArchTest
    static final ArchRule onlyOutboxAndIdempotencyUseJdbc = RULES.onlyOutboxAndIdempotencyUseJdbc();
}
