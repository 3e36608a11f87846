package dev.hallmark.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** STYLE: a protocol package never touches SQL (its store lives in {@code dev.hallmark.store.acme}). */
class ProtocolBoundariesTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.hallmark");

    @Test
    void protocolPackagesNeverTouchSql() {
        noClasses().that().resideInAPackage("dev.hallmark.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..")
                .check(classes);
    }

    @Test
    void theValidatorDependsOnNoOtherAcmeCode() {
        noClasses().that().resideInAPackage("dev.hallmark.protocol.acme.validation..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hallmark.store..", "dev.hallmark.server..")
                .check(classes);
    }
}
