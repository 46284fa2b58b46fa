package dev.bisenet.spark;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The spark layer of docs/architecture.md, checked here because only this module's classpath
 * holds it: it sits on cli, and nothing else in the project reaches Spark or this package.
 */
class SparkArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.bisenet");

    @Test
    void sparkUsesTheCommandsAndCoreOnly() {
        classes().that().resideInAPackage("dev.bisenet.spark..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.bisenet.spark..", "dev.bisenet.cli..",
                        "dev.bisenet.infer..", "dev.bisenet.eval..", "dev.bisenet.data..", "dev.bisenet.spec..",
                        "dev.bisenet.image..", "dev.bisenet.util..", "org.apache.spark..", "org.apache.hadoop..",
                        "scala..", "java..", "javax..")
                .check(CLASSES);
    }

    @Test
    void nothingElseReachesSpark() {
        noClasses().that().resideOutsideOfPackage("dev.bisenet.spark..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.bisenet.spark..", "org.apache.spark..",
                        "org.apache.hadoop..", "scala..")
                .check(CLASSES);
    }
}
