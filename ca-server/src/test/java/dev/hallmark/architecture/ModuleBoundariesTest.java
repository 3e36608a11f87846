package dev.hallmark.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of STYLE.md "Structure", checked on the compiled classes rather than in review. */
class ModuleBoundariesTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hallmark");
    }

    @Test
    void coreModulesNeverImportVertx() {
        noClasses().that().resideInAnyPackage("dev.hallmark.hsm..", "dev.hallmark.db..", "dev.hallmark.ledger..",
                        "dev.hallmark.authority..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..")
                .because("the authority core has no HTTP in it (SPEC Architecture)")
                .check(classes);
    }

    @Test
    void innerModulesNeverDependOnOuterOnes() {
        noClasses().that().resideInAnyPackage("dev.hallmark.hsm..", "dev.hallmark.db..", "dev.hallmark.ledger..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hallmark.authority..", "dev.hallmark.cli..",
                        "dev.hallmark.config..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.hallmark.authority..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hallmark.cli..", "dev.hallmark.server..",
                        "dev.hallmark.api..", "io.micrometer..")
                .because("the core reports outcomes through AuthorityObserver; metrics and HTTP live outside it")
                .check(classes);
        noClasses().that().resideInAnyPackage("dev.hallmark.server..", "dev.hallmark.api..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hallmark.cli..")
                .because("the CLI composes the server, never the reverse")
                .check(classes);
    }

    @Test
    void endpointsNeverTouchSql() {
        noClasses().that().resideInAnyPackage("dev.hallmark.api..", "dev.hallmark.server..", "dev.hallmark.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..")
                .because("a protocol package never touches SQL (SPEC Architecture): stores live with the core")
                .check(classes);
    }

    @Test
    void hsmAndLedgerAreIndependentOfEachOtherExceptLedgerSigning() {
        noClasses().that().resideInAPackage("dev.hallmark.hsm..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hallmark.ledger..", "dev.hallmark.db..")
                .check(classes);
    }

    @Test
    void theAuthorityCoreOutsideItsStoreNeverTouchesSql() {
        noClasses().that().resideInAPackage("dev.hallmark.authority..")
                .and().resideOutsideOfPackage("dev.hallmark.authority.store..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..")
                .check(classes);
    }
}
