package dev.gantry.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.infra.ChatOps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class GantryAppTest {

    /** Maven runs the tests in the module directory, which is what the app resolves paths against. */
    private static final Path CDK_DIR = Path.of("").toAbsolutePath();
    private static final Path REPOSITORY = CDK_DIR.getParent();
    private static final Path EXAMPLE = REPOSITORY.resolve("examples/gantry.yml");

    // The state table's logical id. Changing it makes CloudFormation create a new, empty table and orphan the
    // old one with every release record: a failing assertion here is a reason to undo the change, not to edit it.
    private static final String STATE_TABLE_LOGICAL_ID = "StateEEDB6EBF";

    @TempDir
    static Path workDir;

    private static Path fakeJar;
    private static Path fakeReleaseGateJar;
    private static Path fakeImageRebuildJar;
    private static Path fakeChatOpsJar;
    private static Path fakeSlackInteractionsJar;
    private static Template template;
    private static GantryStack chatOpsStack;
    private static Template chatOpsTemplate;

    private static final String SIGNING_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-AbCdEf";
    private static final String BOT_TOKEN_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-token-AbCdEf";

    /** Both Slack secrets, by ARN: ChatOps on. */
    private static final Map<String, Object> SLACK = Map.of(
            GantryApp.SLACK_SIGNING_SECRET_CONTEXT, SIGNING_SECRET,
            GantryApp.SLACK_BOT_TOKEN_SECRET_CONTEXT, BOT_TOKEN_SECRET);

    @BeforeAll
    static void synthesizeExample() throws IOException {
        fakeJar = Files.writeString(workDir.resolve("gantry-ecs-deploy-lambda.jar"), "stand-in for the shaded jar");
        fakeReleaseGateJar = Files.writeString(workDir.resolve("gantry-release-gate-lambda.jar"), "stand-in for the release-gate jar");
        fakeImageRebuildJar = Files.writeString(workDir.resolve("gantry-image-rebuild-lambda.jar"), "stand-in for the image-rebuild jar");
        fakeChatOpsJar = Files.writeString(workDir.resolve("gantry-chatops-lambda.jar"), "stand-in for the chatops jar");
        fakeSlackInteractionsJar = Files.writeString(workDir.resolve("gantry-slack-interactions-lambda.jar"),
                "stand-in for the slack-interactions jar");
        template = Template.fromStack(synthesize(workDir.resolve("first.out")));
        chatOpsStack = build(new App(appProps(workDir.resolve("chatops.out"), SLACK)), Map.of());
        chatOpsTemplate = Template.fromStack(chatOpsStack);
    }

    @Test
    void synthesizesTheSameTemplateEveryTime() {
        Template second = Template.fromStack(synthesize(workDir.resolve("second.out")));

        assertThat(second.toJSON()).isEqualTo(template.toJSON());
        // Byte for byte, key order included: `cdk diff` must show nothing when nothing changed.
        assertThat(workDir.resolve("second.out/Gantry.template.json"))
                .hasSameBinaryContentAs(workDir.resolve("first.out/Gantry.template.json"));
    }

    @Test
    void stackHoldsTheRetainedStateTableUnderItsPinnedLogicalId() {
        template.hasResource("AWS::DynamoDB::Table", Map.of("DeletionPolicy", "Retain", "UpdateReplacePolicy", "Retain"));
        assertThat(template.findResources("AWS::DynamoDB::Table")).containsOnlyKeys(STATE_TABLE_LOGICAL_ID);
    }

    @Test
    void stackHoldsTheDeployAndGateFunctionsWiredToTheStateTable() {
        template.resourceCountIs("AWS::Lambda::Function", 7);
        template.resourceCountIs("AWS::Events::Rule", 8);
        for (String[] function : new String[][] {
                {"dev.gantry.fn.ecsdeploy.EcsDeployHandler::handleRequest", "gantry-ecs-deploy"},
                {"dev.gantry.fn.ecsdeploy.PipelineDeployHandler::handleRequest", "gantry-pipeline-deploy"},
                {"dev.gantry.fn.ecsdeploy.RolloutHandler::handleRequest", "gantry-rollout-follow"},
                {"dev.gantry.fn.ecsdeploy.GateSweepHandler::handleRequest", "gantry-gate-sweep"},
                {"dev.gantry.fn.releasegate.PipelineGateHandler::handleRequest", "gantry-pipeline-gate"},
                {"dev.gantry.fn.releasegate.EcsHookHandler::handleRequest", "gantry-ecs-gate-hook"},
                {"dev.gantry.fn.imagerebuild.ImageRebuildHandler::handleRequest", "gantry-image-rebuild"}}) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                    "Handler", function[0],
                    "Environment", Map.of("Variables", Map.of(
                            "GANTRY_TABLE", Map.of("Ref", STATE_TABLE_LOGICAL_ID),
                            "GANTRY_CONFIG", "/var/task/gantry.yml",
                            "POWERTOOLS_SERVICE_NAME", function[1],
                            "JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1"))));
        }
    }

    @Test
    void stackHoldsExactlyTheResourcesOfTheTableTheDeployAutomationTheReleaseGatesAndTheImageRebuilds() {
        Map<String, Integer> types = new java.util.TreeMap<>();
        resources(template).values().forEach(resource -> types.merge(String.valueOf(((Map<?, ?>) resource).get("Type")), 1, Integer::sum));

        // Seven functions (four deploy, two gate, image-rebuild), each with a log group, role, policy, published version,
        // the alias 'live' and its async config, and an errors and a throttles alarm; the two shared queues with their
        // policies and a depth alarm each; eight rules (deploy: three event patterns and the gate sweep; image-rebuild:
        // pushes, CodeBuild, pipelines and the resume sweep), each with its invoke permission; the role ECS invokes the hook
        // with and its policy; the operations topic, its key and policy, and the dashboard; per log group a metric filter
        // for deploy results and one for gate answers, and one for rebuilds in flight. The example has no Image
        // Builder pipeline and no schedule.
        assertThat(types).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("AWS::DynamoDB::Table", 1),
                Map.entry("AWS::Lambda::Function", 7),
                Map.entry("AWS::Lambda::Version", 7),
                Map.entry("AWS::Lambda::Alias", 7),
                Map.entry("AWS::Lambda::EventInvokeConfig", 7),
                Map.entry("AWS::Logs::LogGroup", 7),
                Map.entry("AWS::IAM::Role", 7 + 1),
                Map.entry("AWS::IAM::Policy", 7 + 1),
                Map.entry("AWS::SQS::Queue", 2),
                Map.entry("AWS::SQS::QueuePolicy", 2),
                Map.entry("AWS::Events::Rule", 8),
                Map.entry("AWS::Lambda::Permission", 8),
                Map.entry("AWS::CloudWatch::Alarm", 7 * 3 + 2),
                Map.entry("AWS::Logs::MetricFilter", 7 * 3 + 1),
                Map.entry("AWS::SNS::Topic", 1),
                Map.entry("AWS::SNS::TopicPolicy", 1),
                Map.entry("AWS::KMS::Key", 1),
                Map.entry("AWS::CloudWatch::Dashboard", 1)));
    }

    @Test
    void stackOutputsTheTopicEveryOperationsAlarmNotifies() {
        template.hasOutput(GantryStack.OPERATIONS_TOPIC_OUTPUT, Map.of("Value", Map.of("Ref", "OperationsC48D56F6")));
        Map<String, Map<String, Object>> alarms = template.findResources("AWS::CloudWatch::Alarm");
        assertThat(alarms).hasSize(7 * 3 + 2).allSatisfy((id, alarm) -> assertThat(alarm.get("Properties")).asString()
                .contains("AlarmActions=[{Ref=OperationsC48D56F6}]").contains("AlarmName=Gantry-"));
    }

    @Test
    void withChatOpsGantrysOwnAlarmsReachTheNotifyFunctionThroughItsEventQueueAndNoOtherAlarmDoes() {
        String eventQueue = logicalIdOf(chatOpsTemplate, "AWS::SQS::Queue", "ChatOpsEventQueue");

        chatOpsTemplate.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "dev.gantry.fn.chatops.ChatOpsNotifyHandler::handleRequest",
                "Environment", Map.of("Variables", Match.objectLike(Map.of("GANTRY_OPERATIONS_ALARM_PREFIX", "Gantry-")))));
        chatOpsTemplate.hasResourceProperties("AWS::Events::Rule", Map.of(
                "EventPattern", Map.of(
                        "source", List.of("aws.cloudwatch"),
                        "detail-type", List.of("CloudWatch Alarm State Change"),
                        "detail", Map.of("alarmName", List.of(Map.of("prefix", "Gantry-")))),
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", Map.of("Fn::GetAtt", List.of(eventQueue, "Arn")),
                        "DeadLetterConfig", Match.objectLike(Map.of()),
                        "RetryPolicy", Match.objectLike(Map.of()))))));
        // Without ChatOps there is nobody in Slack to tell: the topic alone carries them.
        template.resourcePropertiesCountIs("AWS::Events::Rule", Map.of("EventPattern", Match.objectLike(Map.of(
                "detail-type", List.of("CloudWatch Alarm State Change")))), 0);
    }

    @Test
    void whatTheAutomationRefusesEndsSynthesisWithItsReasonAndNoStackTrace(@TempDir Path dir) {
        // A GitHub source for a golden-image pipeline whose repository is not named: only the automation's props see it.
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(new App(appProps(dir.resolve("cdk.out"), jarContext(Map.of(
                        GantryApp.GOLDEN_IMAGE_PIPELINES_CONTEXT, "golden-java21",
                        ReleasePipelineSettings.CONNECTION_CONTEXT, "arn:aws:codestar-connections:eu-west-1:111111111111:connection/0000-example")))),
                Map.of(), CDK_DIR, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing for: golden-java21")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(dir.resolve("cdk.out/manifest.json")).doesNotExist();
    }

    @Test
    void stackOutputsTheImageRebuildFunctionsNameAndSharesTheDeployQueues() {
        String imageRebuild = onlyFunction("dev.gantry.fn.imagerebuild.ImageRebuildHandler::handleRequest");

        template.hasOutput("ImageRebuildFunctionName", Map.of("Value", liveNameOf(template, imageRebuild)));
        template.resourceCountIs("AWS::SQS::Queue", 2);
        template.resourceCountIs("AWS::Scheduler::Schedule", 0);
    }

    @Test
    void configurationWithBaseImagesNeedsTheImageRebuildJar(@TempDir Path dir) {
        App app = new App(appProps(dir.resolve("cdk.out")));

        assertThatThrownBy(() -> GantryApp.build(app, new GantryApp.Inputs(EXAMPLE, fakeJar, fakeReleaseGateJar,
                dir.resolve("nowhere/image-rebuild.jar"), fakeChatOpsJar, fakeSlackInteractionsJar), Map.of()))
                .isInstanceOf(GantryApp.MissingJarException.class)
                .hasMessageContaining("image-rebuild function jar")
                .hasMessageContaining("-c imageRebuildJar=<path>");
    }

    @Test
    void scheduleSchedulerCannotRunEndsSynthesisWithTheBaseNamed(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("gantry.yml"), """
                version: 1
                baseImages:
                  - name: golden
                    repository: golden/base
                    schedule:
                      cron: "0 3 1 * MON"
                    dependents:
                      - name: app
                        codebuild: app-image
                        produces: team/app
                """);
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(new App(appProps(dir.resolve("cdk.out"), Map.of(GantryApp.CONFIG_CONTEXT, config.toString(),
                GantryApp.IMAGE_REBUILD_JAR_CONTEXT, fakeImageRebuildJar.toString()))), Map.of(), CDK_DIR,
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("base image 'golden'").contains("0 3 1 * MON");
    }

    @Test
    void gateSweepRunsEveryMinute() {
        Map<String, Map<String, Object>> sweep = template.findResources("AWS::Lambda::Function", Map.of("Properties", Map.of(
                "Handler", "dev.gantry.fn.ecsdeploy.GateSweepHandler::handleRequest")));
        assertThat(sweep).hasSize(1);

        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "ScheduleExpression", "rate(1 minute)",
                "Targets", List.of(Match.objectLike(Map.of("Arn", Map.of("Ref", aliasOf(template, sweep.keySet().iterator().next())))))));
    }

    @Test
    void ecsDeployResourcesKeepTheirLogicalIdsInTheStack() {
        // Stateful resources that predate the pipeline and rollout functions: a new id would mean an empty new queue or
        // log group, and a replaced function.
        assertThat(resources(template)).containsKeys(
                "EcsDeployLogGroup82583B6F",
                "EcsDeployFEAC3EB0",
                "EcsDeployServiceRoleDC086BD7",
                "EcsDeployDeliveryDeadLetterQueueE5805E7A",
                "EcsDeployFailedInvocationQueue3F1D8DE7",
                "EcsDeployImagePushRule9770AF05");
    }

    @Test
    void stackOutputsThePipelineDeployFunctionsNameForAPipelineToInvoke() {
        Map<String, Map<String, Object>> functions = template.findResources("AWS::Lambda::Function", Map.of("Properties", Map.of(
                "Handler", "dev.gantry.fn.ecsdeploy.PipelineDeployHandler::handleRequest")));
        assertThat(functions).hasSize(1);

        template.hasOutput("PipelineDeployFunctionName", Map.of("Value", liveNameOf(template, functions.keySet().iterator().next())));
    }

    @Test
    void stackOutputsThePipelineGateAndWhatAServiceLifecycleHookNames() {
        String pipelineGate = onlyFunction("dev.gantry.fn.releasegate.PipelineGateHandler::handleRequest");
        String hook = onlyFunction("dev.gantry.fn.releasegate.EcsHookHandler::handleRequest");
        Map<String, Map<String, Object>> invokeRoles = template.findResources("AWS::IAM::Role", Map.of("Properties", Map.of(
                "AssumeRolePolicyDocument", Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Principal", Map.of("Service", "ecs.amazonaws.com"))))))));
        assertThat(invokeRoles).hasSize(1);

        template.hasOutput("PipelineGateFunctionName", Map.of("Value", liveNameOf(template, pipelineGate)));
        template.hasOutput("EcsGateHookFunctionArn", Map.of("Value", Map.of("Ref", aliasOf(template, hook))));
        template.hasOutput("EcsGateHookRoleArn", Map.of("Value", Map.of("Fn::GetAtt", List.of(invokeRoles.keySet().iterator().next(), "Arn"))));
    }

    @Test
    void configurationWithoutGatesNeedsNoReleaseGateJarAndGetsNoGateResources(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("gantry.yml"), """
                version: 1
                services:
                  - name: payments-api
                    repository: payments-api
                    tagPolicy:
                      semver: ">=1.0.0"
                    environments:
                      - name: prod
                        account: "111111111111"
                        region: eu-west-1
                        cluster: prod
                        service: payments-api
                """);
        App app = new App(appProps(dir.resolve("cdk.out")));

        GantryStack stack = GantryApp.build(app, new GantryApp.Inputs(config, fakeJar, dir.resolve("nowhere/release-gate.jar"),
                dir.resolve("nowhere/image-rebuild.jar"), dir.resolve("nowhere/chatops.jar"), dir.resolve("nowhere/slack-interactions.jar")),
                Map.of());

        assertThat(stack.getReleaseGates()).isEmpty();
        Template ungated = Template.fromStack(stack);
        ungated.resourceCountIs("AWS::Lambda::Function", 3);
        assertThat(ungated.findOutputs("*")).containsOnlyKeys("PipelineDeployFunctionName", GantryStack.OPERATIONS_TOPIC_OUTPUT);
    }
    @Test
    void releasePipelinesContextAddsThePipelineAndItsSourceBucketAndNothingElseChanges(@TempDir Path dir) {
        App app = new App(appProps(dir.resolve("cdk.out"), Map.of(ReleasePipelineSettings.SERVICES_CONTEXT, "payments-api")));

        GantryStack stack = build(app, Map.of());
        Template withPipeline = Template.fromStack(stack);

        assertThat(stack.getReleasePipelines()).singleElement().satisfies(p -> assertThat(p.getService().name()).isEqualTo("payments-api"));
        withPipeline.resourceCountIs("AWS::CodePipeline::Pipeline", 1);
        withPipeline.hasResourceProperties("AWS::CodePipeline::Pipeline", Map.of(
                "PipelineType", "V2",
                "ExecutionMode", "SUPERSEDED",
                "Stages", List.of(
                        Match.objectLike(Map.of("Name", "Source")),
                        Match.objectLike(Map.of("Name", "Build")),
                        Match.objectLike(Map.of("Name", "Deploy-staging")),
                        Match.objectLike(Map.of("Name", "Gate-prod")),
                        Match.objectLike(Map.of("Name", "Deploy-prod")))));
        withPipeline.hasOutput("ReleaseSourceBucketName", Map.of("Value", Map.of("Ref", logicalIdOf(withPipeline, "AWS::S3::Bucket",
                "ReleaseSourceBucket"))));
        withPipeline.hasResourceProperties("AWS::S3::Bucket", Map.of(
                "VersioningConfiguration", Map.of("Status", "Enabled"),
                "NotificationConfiguration", Map.of("EventBridgeConfiguration", Map.of("EventBridgeEnabled", true))));
        // The pipeline adds its own resources only: every resource of the stack without it is still there, unchanged, but
        // for the shared dead-letter queue's policy, which now lets the source rule park an undelivered start.
        Map<String, Object> before = withoutType(resources(template), "AWS::SQS::QueuePolicy");
        Map<String, Object> after = resources(withPipeline);
        assertThat(after).containsAllEntriesOf(before);
        // The source bucket and its policy; the artifacts bucket and its policy; the pipeline, its role and policy; per
        // action (source, build, two deploys, the gate) a role and policy; the project, its role, policy and log group; the
        // source rule, its role and policy.
        assertThat(withoutType(after, "AWS::SQS::QueuePolicy")).hasSize(before.size() + 2 + 2 + 3 + 5 * 2 + 4 + 3);
        withPipeline.hasResourceProperties("AWS::Events::Rule", Map.of(
                "EventPattern", Match.objectLike(Map.of("detail-type", List.of("Object Created"))),
                "Targets", List.of(Match.objectLike(Map.of(
                        "DeadLetterConfig", Map.of("Arn", Map.of("Fn::GetAtt", List.of("EcsDeployDeliveryDeadLetterQueueE5805E7A", "Arn"))),
                        "RetryPolicy", Map.of("MaximumEventAgeInSeconds", 3600, "MaximumRetryAttempts", 8))))));
        // The buckets hold what was uploaded and what runs left behind: a new logical id would orphan them.
        assertThat(after).containsKeys("ReleaseSourceBucket10BBBB92", "ReleasePipelinepaymentsapiArtifactsBucketF7B175E2");
    }

    @Test
    void withoutReleasePipelinesContextTheStackHasNoPipeline() {
        template.resourceCountIs("AWS::CodePipeline::Pipeline", 0);
        template.resourceCountIs("AWS::CodeBuild::Project", 0);
        template.resourceCountIs("AWS::S3::Bucket", 0);
        assertThat(template.findOutputs("ReleaseSourceBucketName")).isEmpty();
    }

    @Test
    void connectionContextReadsEachServiceFromGitHubAndCreatesNoSourceBucket(@TempDir Path dir) {
        App app = new App(appProps(dir.resolve("cdk.out"), Map.of(
                ReleasePipelineSettings.SERVICES_CONTEXT, "payments-api",
                ReleasePipelineSettings.CONNECTION_CONTEXT, "arn:aws:codestar-connections:eu-west-1:111111111111:connection/example",
                ReleasePipelineSettings.REPOSITORIES_CONTEXT, "payments-api=example-org/payments-api")));

        GantryStack stack = build(app, Map.of());
        Template fromGitHub = Template.fromStack(stack);

        assertThat(stack.getReleaseSourceBucket()).isEmpty();
        assertThat(fromGitHub.findOutputs("ReleaseSourceBucketName")).isEmpty();
        fromGitHub.hasResourceProperties("AWS::CodePipeline::Pipeline", Map.of("Stages", Match.arrayWith(List.of(Match.objectLike(Map.of(
                "Name", "Source",
                "Actions", List.of(Match.objectLike(Map.of(
                        "ActionTypeId", Match.objectLike(Map.of("Provider", "CodeStarSourceConnection")),
                        "Configuration", Map.of(
                                "ConnectionArn", "arn:aws:codestar-connections:eu-west-1:111111111111:connection/example",
                                "FullRepositoryId", "example-org/payments-api",
                                "BranchName", "main"))))))))));
    }

    @Test
    void releasePipelineForAServiceThatCannotHaveOneFailsWithTheReason(@TempDir Path dir) {
        for (String[] contextAndMessage : new String[][] {
                {"payment-api", "-c releasePipelines: service 'payment-api' is not in Gantry's configuration"},
                {"checkout-web", "-c releasePipelines: service 'checkout-web' has 1 environment"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int status = GantryApp.run(new App(appProps(dir.resolve(contextAndMessage[0] + ".out"), Map.of(
                            GantryApp.CONFIG_CONTEXT, EXAMPLE.toString(),
                            GantryApp.ECS_DEPLOY_JAR_CONTEXT, fakeJar.toString(),
                            GantryApp.RELEASE_GATE_JAR_CONTEXT, fakeReleaseGateJar.toString(),
                            ReleasePipelineSettings.SERVICES_CONTEXT, contextAndMessage[0]))),
                    Map.of(), CDK_DIR, new PrintStream(err, true, StandardCharsets.UTF_8));

            assertThat(status).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains(contextAndMessage[1]).doesNotContain("Exception");
            assertThat(dir.resolve(contextAndMessage[0] + ".out/manifest.json")).doesNotExist();
        }
    }

    @Test
    void stackIsNamedGantryAndEnvironmentAgnosticWithoutCdkDefaults() {
        GantryStack stack = build(new App(appProps(workDir.resolve("agnostic.out"))), Map.of());

        assertThat(stack.getStackName()).isEqualTo("Gantry");
        assertThat(Token.isUnresolved(stack.getAccount())).isTrue();
        assertThat(Token.isUnresolved(stack.getRegion())).isTrue();
    }

    @Test
    void stackTakesAccountAndRegionFromCdkDefaults() {
        GantryStack stack = build(new App(appProps(workDir.resolve("env.out"))),
                Map.of("CDK_DEFAULT_ACCOUNT", "123456789012", "CDK_DEFAULT_REGION", "eu-central-1"));

        assertThat(stack.getAccount()).isEqualTo("123456789012");
        assertThat(stack.getRegion()).isEqualTo("eu-central-1");
    }

    @Test
    void invalidConfigurationFailsWithTheLineNumberedMessage(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("gantry.yml"), """
                version: 1
                services:
                  - name: payments-api
                    repository: payments-api
                    tagPolicy:
                      semver: ">=1.0.0"
                    environments:
                      - name: prod
                        account: "12345"
                        region: eu-west-1
                        cluster: prod
                        service: payments-api
                """);
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(new App(appProps(dir.resolve("cdk.out"), Map.of(
                        GantryApp.CONFIG_CONTEXT, config.toString(),
                        GantryApp.ECS_DEPLOY_JAR_CONTEXT, fakeJar.toString()))),
                Map.of(), CDK_DIR, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("gantry.yml is invalid")
                .contains("gantry.yml:9: services[0].environments[0].account:")
                .contains(config.toString())
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        assertThat(dir.resolve("cdk.out/manifest.json")).doesNotExist();
    }

    @Test
    void missingFunctionJarFailsWithTheBuildCommand(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere/gantry-ecs-deploy-lambda.jar");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(new App(appProps(dir.resolve("cdk.out"), Map.of(
                        GantryApp.CONFIG_CONTEXT, EXAMPLE.toString(),
                        GantryApp.ECS_DEPLOY_JAR_CONTEXT, missing.toString(),
                        GantryApp.RELEASE_GATE_JAR_CONTEXT, fakeReleaseGateJar.toString()))),
                Map.of(), CDK_DIR, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("The ecs-deploy function jar " + missing)
                .contains("./mvnw -DskipTests package")
                .contains("-c ecsDeployJar=<path>");
    }

    @Test
    void missingReleaseGateJarFailsWithTheBuildCommandWhenAnEnvironmentHasAGate(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere/gantry-release-gate-lambda.jar");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(new App(appProps(dir.resolve("cdk.out"), Map.of(
                        GantryApp.CONFIG_CONTEXT, EXAMPLE.toString(),
                        GantryApp.ECS_DEPLOY_JAR_CONTEXT, fakeJar.toString(),
                        GantryApp.RELEASE_GATE_JAR_CONTEXT, missing.toString()))),
                Map.of(), CDK_DIR, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("The release-gate function jar " + missing)
                .contains("./mvnw -DskipTests package")
                .contains("-c releaseGateJar=<path>");
        assertThat(dir.resolve("cdk.out/manifest.json")).doesNotExist();
    }

    @Test
    void defaultsResolveToTheExampleAndTheBuiltJarWhateverTheWorkingDirectory(@TempDir Path dir) {
        GantryApp.Inputs inputs = GantryApp.Inputs.resolve(new App(appProps(dir.resolve("cdk.out"))), Map.of(), CDK_DIR);

        assertThat(inputs.configFile()).isEqualTo(EXAMPLE);
        assertThat(inputs.ecsDeployJar())
                .isEqualTo(REPOSITORY.resolve("functions/ecs-deploy/target/gantry-ecs-deploy-lambda.jar"));
        assertThat(inputs.releaseGateJar())
                .isEqualTo(REPOSITORY.resolve("functions/release-gate/target/gantry-release-gate-lambda.jar"));
        assertThat(inputs.chatOpsJar())
                .isEqualTo(REPOSITORY.resolve("functions/chatops/target/gantry-chatops-lambda.jar"));
        assertThat(inputs.slackInteractionsJar())
                .isEqualTo(REPOSITORY.resolve("functions/slack-interactions/target/gantry-slack-interactions-lambda.jar"));
    }

    @Test
    void chatOpsJarComesFromContextRelativeToTheCdkDirectory(@TempDir Path dir) {
        GantryApp.Inputs inputs = GantryApp.Inputs.resolve(new App(appProps(dir.resolve("cdk.out"),
                Map.of(GantryApp.CHATOPS_JAR_CONTEXT, "../build/chatops.jar"))), Map.of(), CDK_DIR);

        assertThat(inputs.chatOpsJar()).isEqualTo(REPOSITORY.resolve("build/chatops.jar"));
    }

    @Test
    void slackInteractionsJarComesFromContextRelativeToTheCdkDirectory(@TempDir Path dir) {
        GantryApp.Inputs inputs = GantryApp.Inputs.resolve(new App(appProps(dir.resolve("cdk.out"),
                Map.of(GantryApp.SLACK_INTERACTIONS_JAR_CONTEXT, "../build/slack-interactions.jar"))), Map.of(), CDK_DIR);

        assertThat(inputs.slackInteractionsJar()).isEqualTo(REPOSITORY.resolve("build/slack-interactions.jar"));
    }

    @Test
    void withoutTheSlackSecretsTheExampleGetsNoChatOpsAndNoPublicEndpoint() {
        template.resourceCountIs("AWS::Lambda::Url", 0);
        assertThat(template.findOutputs("*")).doesNotContainKeys("SlackInteractivityUrl", "ApprovalTopicArn");
        assertThat(template.toJSON().toString()).doesNotContain("GANTRY_NOTIFY_QUEUE_URL").doesNotContain("dev.gantry.fn.chatops");
    }

    @Test
    void slackSecretsAddChatOpsAndNothingOfTheStackBeforeItGoes() {
        Map<String, Object> before = resources(template);
        Map<String, Object> after = resources(chatOpsTemplate);

        assertThat(chatOpsStack.getChatOps()).isPresent();
        // Every function learns where news goes, which publishes each a new version: only the versions' ids change.
        before = withoutType(before, "AWS::Lambda::Version");
        after = withoutType(after, "AWS::Lambda::Version");
        assertThat(after).containsKeys(before.keySet().toArray(String[]::new));
        // Per function a log group, role, policy, function and alias, an errors, a throttles and an untold-news alarm, and
        // the three metric filters of its log group; worker and notify an async config and an SQS event source mapping
        // each, and notify a second one for the event queue; slack-interactions its URL and the two permissions Lambda asks
        // for on a public one; the request, notify and event queues and their dead-letter queues, each with its policy; the
        // three dead-letter queues' depth alarms; five rules (pipelines, manual approvals' ends, builds, gate alarms and
        // Gantry's own alarms), sending to the event queue; the approval topic, its policy and the subscription. The undelivered-event and
        // failed-invocation queues are the deploy automation's.
        assertThat(after).hasSize(before.size() + 3 * 5 + 3 * 3 + 3 * 3 + 2 * 2 + 1 + 3 + 6 * 2 + 3 + 5 + 3);
        chatOpsTemplate.resourceCountIs("AWS::SQS::Queue", 2 + 6);
    }

    @Test
    void theSlackInteractivityUrlIsTheStacksOnlyPublicEndpointAndAnOutput() {
        Map<String, Map<String, Object>> urls = chatOpsTemplate.findResources("AWS::Lambda::Url");

        assertThat(urls).hasSize(1);
        String urlId = urls.keySet().iterator().next();
        String interactions = onlyFunction(chatOpsTemplate, "dev.gantry.fn.interactions.SlackInteractionsHandler::handleRequest");
        assertThat(urls.get(urlId).get("Properties")).isEqualTo(Map.of("AuthType", "NONE",
                "TargetFunctionArn", Map.of("Fn::GetAtt", List.of(interactions, "Arn")), "Qualifier", "live"));
        chatOpsTemplate.hasOutput("SlackInteractivityUrl", Map.of("Value", Map.of("Fn::GetAtt", List.of(urlId, "FunctionUrl"))));
        chatOpsTemplate.hasOutput("ApprovalTopicArn", Map.of("Value", Map.of("Ref", logicalIdOf(chatOpsTemplate, "AWS::SNS::Topic", "ChatOpsApprovalTopic"))));
        assertThat(ChatOps.INTERACTIVITY_URL_PLACEHOLDER).as("infra/slack/manifest.yml tells people which output to paste")
                .contains(GantryStack.SLACK_INTERACTIVITY_URL_OUTPUT);
    }

    @Test
    void slackInteractionsShipsTheSlackInteractionsJarInAPackageOfItsOwn() {
        Object interactions = codeOf(chatOpsTemplate, "dev.gantry.fn.interactions.SlackInteractionsHandler::handleRequest");
        Object worker = codeOf(chatOpsTemplate, "dev.gantry.fn.chatops.ChatOpsWorkerHandler::handleRequest");

        assertThat(interactions).isNotEqualTo(worker);
        assertThat(codeOf(chatOpsTemplate, "dev.gantry.fn.chatops.ChatOpsNotifyHandler::handleRequest")).isEqualTo(worker);
        Path asset = workDir.resolve("chatops.out/asset." + interactions.toString().replace(".zip", ""));
        assertThat(asset.resolve("lib/gantry-slack-interactions-lambda.jar")).hasSameBinaryContentAs(fakeSlackInteractionsJar);
        assertThat(asset.resolve("gantry.yml")).doesNotExist();
    }

    @Test
    void everyFunctionWithNewsForSlackGetsTheNotifyQueue() {
        String notifyQueue = logicalIdOf(chatOpsTemplate, "AWS::SQS::Queue", "ChatOpsNotifyQueue");
        List<String> handlers = List.of(
                "dev.gantry.fn.ecsdeploy.EcsDeployHandler::handleRequest",
                "dev.gantry.fn.ecsdeploy.PipelineDeployHandler::handleRequest",
                "dev.gantry.fn.ecsdeploy.RolloutHandler::handleRequest",
                "dev.gantry.fn.ecsdeploy.GateSweepHandler::handleRequest",
                "dev.gantry.fn.releasegate.PipelineGateHandler::handleRequest",
                "dev.gantry.fn.releasegate.EcsHookHandler::handleRequest",
                "dev.gantry.fn.imagerebuild.ImageRebuildHandler::handleRequest",
                "dev.gantry.fn.chatops.ChatOpsWorkerHandler::handleRequest");

        for (String handler : handlers) {
            chatOpsTemplate.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", handler,
                    "Environment", Map.of("Variables", Match.objectLike(Map.of("GANTRY_NOTIFY_QUEUE_URL", Map.of("Ref", notifyQueue))))));
        }
        chatOpsTemplate.resourcePropertiesCountIs("AWS::Lambda::Function", Map.of("Environment", Map.of("Variables",
                Match.objectLike(Map.of("GANTRY_NOTIFY_QUEUE_URL", Match.anyValue())))), handlers.size());
        chatOpsTemplate.resourcePropertiesCountIs("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                Map.of("Action", "sqs:SendMessage", "Effect", "Allow", "Resource", Map.of("Fn::GetAtt", List.of(notifyQueue, "Arn"))))))),
                handlers.size());
    }

    @Test
    void chatOpsFunctionsAreNotRetriedByLambdaEither() {
        // Every function but slack-interactions, which Slack calls synchronously through its URL, has an async config;
        // all retry none but rollout-follow, decision 8's one exception.
        chatOpsTemplate.resourceCountIs("AWS::Lambda::EventInvokeConfig", 9);
        chatOpsTemplate.resourcePropertiesCountIs("AWS::Lambda::EventInvokeConfig", Map.of("MaximumRetryAttempts", 0), 8);
        chatOpsTemplate.resourcePropertiesCountIs("AWS::Lambda::EventInvokeConfig", Map.of("MaximumRetryAttempts", 2), 1);
    }

    @Test
    void chatOpsQueuesKeepTheirLogicalIdsInTheStack() {
        // Messages wait in these queues, for days when Slack is down: a new logical id would be an empty new queue and the
        // old one, with what it held, deleted.
        assertThat(resources(chatOpsTemplate)).containsKeys(
                "ChatOpsNotifyQueue2790AC8B",
                "ChatOpsNotifyDeadLetterQueue4370487C",
                "ChatOpsEventQueue763B0280",
                "ChatOpsEventDeadLetterQueueC027105F",
                "ChatOpsRequestQueueAD419511",
                "ChatOpsRequestDeadLetterQueue9D379B37");
    }

    @Test
    void aSlackBotTokenAloneStillServesGatesOnlyAndAddsNoPublicEndpoint(@TempDir Path dir) {
        GantryStack stack = build(new App(appProps(dir.resolve("cdk.out"), Map.of(GantryApp.SLACK_BOT_TOKEN_SECRET_CONTEXT, BOT_TOKEN_SECRET))),
                Map.of());
        Template gatesOnly = Template.fromStack(stack);

        assertThat(stack.getChatOps()).isEmpty();
        gatesOnly.resourceCountIs("AWS::Lambda::Url", 0);
        gatesOnly.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", "dev.gantry.fn.releasegate.PipelineGateHandler::handleRequest",
                "Environment", Map.of("Variables", Match.objectLike(Map.of("GANTRY_SLACK_BOT_TOKEN_SECRET_ARN", BOT_TOKEN_SECRET)))));
    }

    @Test
    void aConfigurationWithoutSlackGetsNoChatOpsFromTheBotToken(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("gantry.yml"), Files.readString(EXAMPLE)
                .replaceAll("\nslack:\n(  .*\n)+", "\n"));
        assertThat(Files.readString(config)).doesNotContain("slack:");
        App app = new App(appProps(dir.resolve("cdk.out"), Map.of(GantryApp.SLACK_BOT_TOKEN_SECRET_CONTEXT, BOT_TOKEN_SECRET)));

        GantryStack stack = GantryApp.build(app, new GantryApp.Inputs(config, fakeJar, fakeReleaseGateJar, fakeImageRebuildJar,
                dir.resolve("nowhere/chatops.jar"), dir.resolve("nowhere/slack-interactions.jar")), Map.of());

        assertThat(stack.getChatOps()).isEmpty();
        Template.fromStack(stack).resourceCountIs("AWS::Lambda::Url", 0);
    }

    @Test
    void chatOpsWithoutTheBotTokenFailsNamingTheMissingContext(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(new App(appProps(dir.resolve("cdk.out"), jarContext(Map.of(
                        GantryApp.SLACK_SIGNING_SECRET_CONTEXT, SIGNING_SECRET)))),
                Map.of(), CDK_DIR, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("ChatOps needs -c slackBotTokenSecretArn=")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(dir.resolve("cdk.out/manifest.json")).doesNotExist();
    }

    @Test
    void chatOpsWithoutASlackSectionFailsNamingTheSection(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("gantry.yml"), Files.readString(EXAMPLE)
                .replaceAll("\nslack:\n(  .*\n)+", "\n"));
        Map<String, Object> context = new LinkedHashMap<>(jarContext(SLACK));
        context.put(GantryApp.CONFIG_CONTEXT, config.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(new App(appProps(dir.resolve("cdk.out"), context)), Map.of(), CDK_DIR,
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("-c slackSigningSecretArn asks for ChatOps, but gantry.yml has no 'slack' section");
        assertThat(dir.resolve("cdk.out/manifest.json")).doesNotExist();
    }

    @Test
    void aSlackContextThatIsNotASecretArnFailsWithoutRepeatingTheValue(@TempDir Path dir) {
        String pasted = "test-bot-token-pasted-by-mistake";
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(new App(appProps(dir.resolve("cdk.out"), jarContext(Map.of(
                        GantryApp.SLACK_SIGNING_SECRET_CONTEXT, SIGNING_SECRET,
                        GantryApp.SLACK_BOT_TOKEN_SECRET_CONTEXT, pasted)))),
                Map.of(), CDK_DIR, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("-c slackBotTokenSecretArn must be the ARN of a Secrets Manager secret")
                .doesNotContain(pasted);
    }

    @Test
    void chatOpsNeedsTheChatOpsJar(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere/gantry-chatops-lambda.jar");
        Map<String, Object> context = new LinkedHashMap<>(jarContext(SLACK));
        context.put(GantryApp.CHATOPS_JAR_CONTEXT, missing.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(new App(appProps(dir.resolve("cdk.out"), context)), Map.of(), CDK_DIR,
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("The chatops function jar " + missing).contains("-c chatOpsJar=<path>");
    }

    @Test
    void chatOpsNeedsTheSlackInteractionsJar(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere/gantry-slack-interactions-lambda.jar");
        Map<String, Object> context = new LinkedHashMap<>(jarContext(SLACK));
        context.put(GantryApp.SLACK_INTERACTIONS_JAR_CONTEXT, missing.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = GantryApp.run(new App(appProps(dir.resolve("cdk.out"), context)), Map.of(), CDK_DIR,
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("The slack-interactions function jar " + missing)
                .contains("-c slackInteractionsJar=<path>");
        assertThat(dir.resolve("cdk.out/manifest.json")).doesNotExist();
    }

    @Test
    void configurationComesFromContextThenEnvironmentRelativeToTheCdkDirectory(@TempDir Path dir) {
        Map<String, String> env = Map.of("GANTRY_CONFIG", "from-env.yml");

        GantryApp.Inputs fromEnv = GantryApp.Inputs.resolve(new App(appProps(dir.resolve("a.out"))), env, CDK_DIR);
        GantryApp.Inputs fromContext = GantryApp.Inputs.resolve(
                new App(appProps(dir.resolve("b.out"), Map.of(GantryApp.CONFIG_CONTEXT, "../from-context.yml"))), env, CDK_DIR);

        assertThat(fromEnv.configFile()).isEqualTo(CDK_DIR.resolve("from-env.yml"));
        assertThat(fromContext.configFile()).isEqualTo(REPOSITORY.resolve("from-context.yml"));
    }

    @Test
    void releaseGateJarComesFromContextRelativeToTheCdkDirectory(@TempDir Path dir) {
        GantryApp.Inputs inputs = GantryApp.Inputs.resolve(new App(appProps(dir.resolve("cdk.out"),
                Map.of(GantryApp.RELEASE_GATE_JAR_CONTEXT, "../build/gate.jar"))), Map.of(), CDK_DIR);

        assertThat(inputs.releaseGateJar()).isEqualTo(REPOSITORY.resolve("build/gate.jar"));
    }

    @Test
    void synthesizesWithTheRealFunctionJars(@TempDir Path dir) throws IOException {
        GantryApp.Inputs defaults = GantryApp.Inputs.resolve(new App(appProps(dir.resolve("probe.out"))), Map.of(), CDK_DIR);
        assumeTrue(Files.isRegularFile(defaults.ecsDeployJar()) && Files.isRegularFile(defaults.releaseGateJar())
                        && Files.isRegularFile(defaults.imageRebuildJar()),
                "needs the shaded jars that `./mvnw verify` (or `package`) builds before this module's tests");

        int status = GantryApp.run(new App(appProps(dir.resolve("cdk.out"))), Map.of(), CDK_DIR, System.err);

        assertThat(status).isZero();
        assertThat(dir.resolve("cdk.out/Gantry.template.json")).exists();
        try (Stream<Path> assets = Files.list(dir.resolve("cdk.out"))) {
            assertThat(assets.filter(p -> p.getFileName().toString().startsWith("asset.")))
                    .hasSize(3)
                    .anySatisfy(asset -> assertThat(asset.resolve("lib/gantry-ecs-deploy-lambda.jar")).hasSameBinaryContentAs(defaults.ecsDeployJar()))
                    .anySatisfy(asset -> assertThat(asset.resolve("lib/gantry-release-gate-lambda.jar"))
                            .hasSameBinaryContentAs(defaults.releaseGateJar()))
                    .anySatisfy(asset -> assertThat(asset.resolve("lib/gantry-image-rebuild-lambda.jar"))
                            .hasSameBinaryContentAs(defaults.imageRebuildJar()));
        }
    }

    private static String logicalIdOf(Template template, String type, String idPrefix) {
        List<String> ids = template.findResources(type).keySet().stream().filter(id -> id.startsWith(idPrefix)).toList();
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }

    /** The logical id of the alias 'live' of the function {@code functionId}. */
    private static String aliasOf(Template template, String functionId) {
        Map<String, Map<String, Object>> aliases = template.findResources("AWS::Lambda::Alias", Map.of("Properties", Map.of(
                "FunctionName", Map.of("Ref", functionId), "Name", "live")));
        assertThat(aliases).hasSize(1);
        return aliases.keySet().iterator().next();
    }

    /** The value a function-name output takes for the alias 'live': {@code <function name>:live}. */
    private static Map<String, Object> liveNameOf(Template template, String functionId) {
        return Map.of("Fn::Join", List.of("", List.of(Map.of("Fn::Select", List.of(6, Map.of("Fn::Split", List.of(":",
                Map.of("Ref", aliasOf(template, functionId)))))), ":live")));
    }

    private static Map<String, Object> withoutType(Map<String, Object> resources, String type) {
        Map<String, Object> kept = new LinkedHashMap<>();
        resources.forEach((id, resource) -> {
            if (!type.equals(((Map<?, ?>) resource).get("Type"))) {
                kept.put(id, resource);
            }
        });
        return kept;
    }

    /** The S3 key of the code asset of the one function with {@code handler}. */
    private static Object codeOf(Template template, String handler) {
        Map<String, Object> function = template.findResources("AWS::Lambda::Function", Map.of("Properties", Map.of(
                "Handler", handler))).get(onlyFunction(template, handler));
        return ((Map<?, ?>) ((Map<?, ?>) function.get("Properties")).get("Code")).get("S3Key");
    }

    private static String onlyFunction(String handler) {
        return onlyFunction(template, handler);
    }

    private static String onlyFunction(Template template, String handler) {
        Map<String, Map<String, Object>> functions = template.findResources("AWS::Lambda::Function", Map.of("Properties", Map.of(
                "Handler", handler)));
        assertThat(functions).hasSize(1);
        return functions.keySet().iterator().next();
    }

    /** {@code extra} beside the context naming the example and stand-ins for every jar. */
    private static Map<String, Object> jarContext(Map<String, Object> extra) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put(GantryApp.CONFIG_CONTEXT, EXAMPLE.toString());
        context.put(GantryApp.ECS_DEPLOY_JAR_CONTEXT, fakeJar.toString());
        context.put(GantryApp.RELEASE_GATE_JAR_CONTEXT, fakeReleaseGateJar.toString());
        context.put(GantryApp.IMAGE_REBUILD_JAR_CONTEXT, fakeImageRebuildJar.toString());
        context.put(GantryApp.CHATOPS_JAR_CONTEXT, fakeChatOpsJar.toString());
        context.put(GantryApp.SLACK_INTERACTIONS_JAR_CONTEXT, fakeSlackInteractionsJar.toString());
        context.putAll(extra);
        return context;
    }

    private static Map<String, Object> resources(Template template) {
        return (Map<String, Object>) template.toJSON().get("Resources");
    }

    private static GantryStack synthesize(Path outdir) {
        return build(new App(appProps(outdir)), Map.of());
    }

    private static GantryStack build(App app, Map<String, String> environment) {
        GantryApp.Inputs inputs = new GantryApp.Inputs(EXAMPLE, fakeJar, fakeReleaseGateJar, fakeImageRebuildJar, fakeChatOpsJar,
                fakeSlackInteractionsJar);
        return GantryApp.build(app, inputs, environment);
    }

    private static AppProps appProps(Path outdir) {
        return appProps(outdir, Map.of());
    }

    /** The context `cdk synth` passes: cdk.json's feature flags, plus whatever the test adds. */
    private static AppProps appProps(Path outdir, Map<String, Object> extraContext) {
        Map<String, Object> context = new LinkedHashMap<>(CdkJson.CONTEXT);
        context.putAll(extraContext);
        return AppProps.builder().outdir(outdir.toString()).context(context).build();
    }

    private static final class CdkJson {
        static final Map<String, Object> CONTEXT = read();

        private static Map<String, Object> read() {
            try {
                Map<String, Object> cdkJson = new ObjectMapper().readValue(CDK_DIR.resolve("cdk.json").toFile(),
                        new TypeReference<Map<String, Object>>() {});
                @SuppressWarnings("unchecked")
                Map<String, Object> context = (Map<String, Object>) cdkJson.get("context");
                return context;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
