package dev.gantry.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/**
 * The stack against cdk-nag's AwsSolutions rules. Each finding Gantry accepts is listed with its reason; any other
 * finding, or one of these on another resource, fails the build.
 */
class GantryStackNagTest {

    private static final String TASK_DEFINITION_WILDCARD =
            " AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:eu-west-1:111111111111:task-definition/*]";

    private static final String REVISION_WILDCARD = " AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:eu-west-1:111111111111:service-revision/";

    private static final String TASK_DEFINITION_ACTIONS = "ecs:DescribeTaskDefinition, RegisterTaskDefinition, ListTaskDefinitions and "
            + "DeregisterTaskDefinition support no resource-level permissions";

    private static final String COMPOSITE_ALARMS = "cloudwatch:DescribeAlarms returns composite alarms only to a permission on *, and a "
            + "gate watches composite alarms too: a narrower scope would silently drop a firing one under a watched prefix";

    private static final String REVISION_IDS = "ECS creates a service revision, and its id, with each deployment; the pattern is "
            + "scoped to one configured cluster and service";

    private static final Map<String, String> ACCEPTED = Map.ofEntries(
            Map.entry("/Gantry/EcsDeploy/Resource/Resource AwsSolutions-L1",
                    "Gantry targets the java21 runtime on purpose: the build emits Java 21 bytecode for it"),
            Map.entry("/Gantry/EcsDeploy/PipelineDeploy/Resource AwsSolutions-L1",
                    "same package as ecs-deploy: Java 21 bytecode on the java21 runtime"),
            Map.entry("/Gantry/EcsDeploy/RolloutFollow/Resource AwsSolutions-L1",
                    "same package as ecs-deploy: Java 21 bytecode on the java21 runtime"),
            Map.entry("/Gantry/EcsDeploy/GateSweep/Resource AwsSolutions-L1",
                    "same package as ecs-deploy: Java 21 bytecode on the java21 runtime"),
            Map.entry("/Gantry/ReleaseGates/PipelineGate/Resource AwsSolutions-L1",
                    "the release-gate jar is built like ecs-deploy's: Java 21 bytecode on the java21 runtime"),
            Map.entry("/Gantry/ReleaseGates/EcsGateHook/Resource AwsSolutions-L1",
                    "the release-gate jar is built like ecs-deploy's: Java 21 bytecode on the java21 runtime"),
            Map.entry("/Gantry/EcsDeploy/DeliveryDeadLetterQueue/Resource AwsSolutions-SQS3",
                    "this queue is the dead-letter queue of the EventBridge targets; the rule only recognizes SQS redrive"),
            Map.entry("/Gantry/EcsDeploy/FailedInvocationQueue/Resource AwsSolutions-SQS3",
                    "this queue is the functions' on-failure destination, a dead-letter queue the rule does not recognize"),
            Map.entry("/Gantry/EcsDeploy/ServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]",
                    TASK_DEFINITION_ACTIONS + "; " + COMPOSITE_ALARMS),
            Map.entry("/Gantry/EcsDeploy/ServiceRole/DefaultPolicy/Resource" + TASK_DEFINITION_WILDCARD,
                    "task-definition families are not in gantry.yml; tagging is allowed only within RegisterTaskDefinition"),
            Map.entry("/Gantry/EcsDeploy/PipelineDeployServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]",
                    "the same task-definition actions and alarms as ecs-deploy, and codepipeline:PutJobSuccessResult and "
                            + "PutJobFailureResult, which support no resource-level permissions (the job id names the job)"),
            Map.entry("/Gantry/EcsDeploy/PipelineDeployServiceRole/DefaultPolicy/Resource" + TASK_DEFINITION_WILDCARD,
                    "task-definition families are not in gantry.yml; tagging is allowed only within RegisterTaskDefinition"),
            Map.entry("/Gantry/EcsDeploy/GateSweepServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]",
                    "gate-sweep deploys like ecs-deploy: " + TASK_DEFINITION_ACTIONS + "; " + COMPOSITE_ALARMS),
            Map.entry("/Gantry/EcsDeploy/GateSweepServiceRole/DefaultPolicy/Resource" + TASK_DEFINITION_WILDCARD,
                    "task-definition families are not in gantry.yml; tagging is allowed only within RegisterTaskDefinition"),
            Map.entry("/Gantry/ReleaseGates/PipelineGateServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]",
                    "codepipeline:PutJobSuccessResult and PutJobFailureResult support no resource-level permissions (the job id "
                            + "names the job); " + COMPOSITE_ALARMS),
            Map.entry("/Gantry/ReleaseGates/EcsGateHookServiceRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]",
                    COMPOSITE_ALARMS),
            Map.entry("/Gantry/ReleaseGates/EcsGateHookServiceRole/DefaultPolicy/Resource" + REVISION_WILDCARD + "prod/payments-api/*]",
                    REVISION_IDS),
            Map.entry("/Gantry/ReleaseGates/EcsGateHookServiceRole/DefaultPolicy/Resource" + REVISION_WILDCARD + "staging/checkout-web/*]",
                    REVISION_IDS),
            Map.entry("/Gantry/ReleaseGates/EcsGateHookServiceRole/DefaultPolicy/Resource" + REVISION_WILDCARD + "staging/payments-api/*]",
                    REVISION_IDS));

    @TempDir
    static Path workDir;

    private static List<String> findings;

    @BeforeAll
    @SuppressWarnings("deprecation")
    static void check() throws IOException {
        Path jar = Files.writeString(workDir.resolve("gantry-ecs-deploy-lambda.jar"), "stand-in for the shaded jar");
        Path releaseGateJar = Files.writeString(workDir.resolve("gantry-release-gate-lambda.jar"), "stand-in for the release-gate jar");
        Path example = Path.of("../examples/gantry.yml").toAbsolutePath().normalize();
        App app = new App(AppProps.builder().outdir(workDir.resolve("cdk.out").toString()).build());
        GantryStack stack = GantryApp.build(app, new GantryApp.Inputs(example, jar, releaseGateJar), Map.of());
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(false).build()));

        Annotations annotations = Annotations.fromStack(stack);
        findings = Stream.concat(
                        annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*")).stream(),
                        annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")).stream())
                .map(GantryStackNagTest::pathAndRule)
                .toList();
    }

    @Test
    void onlyTheAcceptedFindingsRemain() {
        assertThat(findings).containsExactlyInAnyOrderElementsOf(ACCEPTED.keySet());
    }

    // Annotations.find* still return the cx-api message type, which CDK has marked deprecated without a successor.
    @SuppressWarnings("deprecation")
    private static String pathAndRule(SynthesisMessage message) {
        String data = String.valueOf(message.getEntry().getData());
        int end = data.indexOf(": ");
        return message.getId() + " " + (end < 0 ? data : data.substring(0, end));
    }
}
