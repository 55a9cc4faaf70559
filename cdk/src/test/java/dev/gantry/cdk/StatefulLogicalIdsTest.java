package dev.gantry.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;

/**
 * Every resource that holds something, in a stack with everything turned on, under the logical id it was deployed with.
 * A new logical id makes CloudFormation create an empty resource and delete or orphan the old one: the release records,
 * the messages waiting in a queue, the logs, a key that encrypted them, an operator's topic subscriptions. A failure here
 * is a reason to undo a refactor; a new stateful resource is added to the list when it first appears.
 */
class StatefulLogicalIdsTest {

    private static final Path CDK_DIR = Path.of("").toAbsolutePath();
    private static final Path EXAMPLE = CDK_DIR.getParent().resolve("examples/gantry.yml");

    private static final Set<String> STATEFUL_TYPES = Set.of("AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::S3::Bucket",
            "AWS::Logs::LogGroup", "AWS::KMS::Key", "AWS::SNS::Topic", "AWS::ECR::Repository");

    private static final Map<String, String> PINNED = new TreeMap<>(Map.ofEntries(
            Map.entry("ChatOpsApprovalTopicCC683958", "AWS::SNS::Topic"),
            Map.entry("ChatOpsEventDeadLetterQueueC027105F", "AWS::SQS::Queue"),
            Map.entry("ChatOpsEventQueue763B0280", "AWS::SQS::Queue"),
            Map.entry("ChatOpsInteractionsLogGroup30C3FAC4", "AWS::Logs::LogGroup"),
            Map.entry("ChatOpsNotifyDeadLetterQueue4370487C", "AWS::SQS::Queue"),
            Map.entry("ChatOpsNotifyLogGroup2D35AD2E", "AWS::Logs::LogGroup"),
            Map.entry("ChatOpsNotifyQueue2790AC8B", "AWS::SQS::Queue"),
            Map.entry("ChatOpsRequestDeadLetterQueue9D379B37", "AWS::SQS::Queue"),
            Map.entry("ChatOpsRequestQueueAD419511", "AWS::SQS::Queue"),
            Map.entry("ChatOpsWorkerLogGroup60CC9B65", "AWS::Logs::LogGroup"),
            Map.entry("EcsDeployDeliveryDeadLetterQueueE5805E7A", "AWS::SQS::Queue"),
            Map.entry("EcsDeployFailedInvocationQueue3F1D8DE7", "AWS::SQS::Queue"),
            Map.entry("EcsDeployGateSweepLogGroupF758F3AF", "AWS::Logs::LogGroup"),
            Map.entry("EcsDeployLogGroup82583B6F", "AWS::Logs::LogGroup"),
            Map.entry("EcsDeployPipelineDeployLogGroup3FAC513B", "AWS::Logs::LogGroup"),
            Map.entry("EcsDeployRolloutFollowLogGroupA19EF270", "AWS::Logs::LogGroup"),
            Map.entry("GoldenImagePipelinegoldenjava21ArtifactsBucket1968F9DD", "AWS::S3::Bucket"),
            Map.entry("GoldenImagePipelinegoldenjava21ArtifactsKey86C8EDD9", "AWS::KMS::Key"),
            Map.entry("GoldenImagePipelinegoldenjava21BuildLogGroup2E418272", "AWS::Logs::LogGroup"),
            Map.entry("ImageRebuildLogGroup86920F77", "AWS::Logs::LogGroup"),
            Map.entry("OperationsC48D56F6", "AWS::SNS::Topic"),
            Map.entry("OperationsTopicKey50BA7F3B", "AWS::KMS::Key"),
            Map.entry("ReleaseGatesEcsGateHookLogGroup574A4E59", "AWS::Logs::LogGroup"),
            Map.entry("ReleaseGatesPipelineGateLogGroupC6E65AE2", "AWS::Logs::LogGroup"),
            Map.entry("ReleasePipelinepaymentsapiArtifactsBucketF7B175E2", "AWS::S3::Bucket"),
            Map.entry("ReleasePipelinepaymentsapiBuildLogGroupED901CBE", "AWS::Logs::LogGroup"),
            Map.entry("ReleaseSourceBucket10BBBB92", "AWS::S3::Bucket"),
            Map.entry("StateEEDB6EBF", "AWS::DynamoDB::Table")));

    @TempDir
    Path dir;

    @Test
    void everyStatefulResourceKeepsItsLogicalId() throws IOException {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put(GantryApp.CONFIG_CONTEXT, EXAMPLE.toString());
        for (String jar : new String[] {GantryApp.ECS_DEPLOY_JAR_CONTEXT, GantryApp.RELEASE_GATE_JAR_CONTEXT,
                GantryApp.IMAGE_REBUILD_JAR_CONTEXT, GantryApp.CHATOPS_JAR_CONTEXT, GantryApp.SLACK_INTERACTIONS_JAR_CONTEXT}) {
            context.put(jar, Files.writeString(dir.resolve(jar + ".jar"), "stand-in").toString());
        }
        context.put(GantryApp.SLACK_SIGNING_SECRET_CONTEXT, "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-AbCdEf");
        context.put(GantryApp.SLACK_BOT_TOKEN_SECRET_CONTEXT, "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-token-AbCdEf");
        context.put(ReleasePipelineSettings.SERVICES_CONTEXT, "payments-api");
        context.put(GantryApp.GOLDEN_IMAGE_PIPELINES_CONTEXT, "golden-java21");
        App app = new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).context(context).build());
        assertThat(GantryApp.run(app, Map.of(), CDK_DIR, System.err)).isZero();

        Map<String, String> stateful = new TreeMap<>();
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> resources = (Map<String, Map<String, Object>>) Template.fromStack(
                (GantryStack) app.getNode().findChild("Gantry")).toJSON().get("Resources");
        resources.forEach((id, resource) -> {
            String type = (String) resource.get("Type");
            if (STATEFUL_TYPES.contains(type)) {
                stateful.put(id, type);
            }
        });

        assertThat(stateful).containsExactlyEntriesOf(PINNED);
    }
}
