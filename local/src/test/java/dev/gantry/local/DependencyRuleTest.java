package dev.gantry.local;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The layering of ARCHITECTURE.md over the compiled classes of every module (this module has them all on
 * its classpath): core decides without AWS, Lambda or Slack types; adapters never reach into functions.
 */
class DependencyRuleTest {

    private static final JavaClasses GANTRY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gantry");

    private static final ArchRule CORE_IS_PURE = noClasses().that().resideInAPackage("dev.gantry.core..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "software.amazon.awssdk..", "com.amazonaws..", "software.amazon.lambda..", "com.slack.api..")
            .because("core holds the decisions and is tested without any cloud or chat SDK");

    @Test
    void coreUsesNoAwsLambdaOrSlackTypes() {
        CORE_IS_PURE.check(GANTRY);
    }

    @Test
    void theCoreRuleCatchesAClassThatBreaksIt() {
        // Guards the rule itself: applied to the AWS adapters, which use the SDK, it must find violations.
        JavaClasses adapters = new ClassFileImporter().importPackages("dev.gantry.aws");
        ArchRule sameRuleOnAdapters = noClasses().that().resideInAPackage("dev.gantry.aws..")
                .should().dependOnClassesThat().resideInAnyPackage("software.amazon.awssdk..");

        assertThat(sameRuleOnAdapters.evaluate(adapters).hasViolation()).isTrue();
        assertThat(GANTRY.contain("dev.gantry.core.deploy.DeployService")).as("core classes were imported").isTrue();
    }

    @Test
    void adaptersAndCoreNeverDependOnFunctions() {
        noClasses().that().resideInAnyPackage("dev.gantry.core..", "dev.gantry.aws..", "dev.gantry.slack..")
                .should().dependOnClassesThat().resideInAPackage("dev.gantry.fn..")
                .check(GANTRY);
    }
}
