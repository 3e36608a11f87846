package dev.hallmark.ocsp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** STYLE.md "Structure" for this module: an edge over the core, with no SQL and no knowledge of the CLI or admin API. */
class OcspModuleBoundariesTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.hallmark");

    @Test
    void theResponderNeverTouchesSqlNorTheCliNorTheAdminApi() {
        noClasses().that().resideInAPackage("dev.hallmark.ocsp..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "dev.hallmark.cli..", "dev.hallmark.api..")
                .because("stores live with the core, and the CLI composes endpoints, never the reverse")
                .check(classes);
    }

    @Test
    void nothingInsideDependsOnTheResponder() {
        noClasses().that().resideOutsideOfPackage("dev.hallmark.ocsp..")
                .should().dependOnClassesThat().resideInAPackage("dev.hallmark.ocsp..")
                .because("dependencies point inward: the server finds the endpoint through ServiceLoader")
                .check(classes);
    }
}
