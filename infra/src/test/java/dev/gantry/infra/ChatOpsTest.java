package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.GantryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.StageOptions;
import software.amazon.awscdk.services.codepipeline.actions.ManualApprovalAction;
import software.amazon.awscdk.services.codepipeline.actions.S3SourceAction;
import software.amazon.awscdk.services.codepipeline.actions.S3Trigger;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;

class ChatOpsTest {

    static final String SIGNING_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-AbCdEf";
    static final String BOT_TOKEN_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-token-AbCdEf";

    private static final String JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";

    /** Slack, two environments without gates, no base images: nothing for the rules to match. */
    private static final String SLACK_WITHOUT_GATES_OR_REBUILDS = """
            version: 1
            slack:
              defaultChannel: "#releases"
            services:
              - name: orders
                repository: team/orders
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: staging
                    account: "222222222222"
                    region: us-east-1
                    cluster: main
                    service: orders
            """;

    /** The three functions of ChatOps, with the name prefix of their resources. */
    enum Fn {
        INTERACTIONS("ChatOpsInteractions"),
        WORKER("ChatOpsWorker"),
        NOTIFY("ChatOpsNotify");

        final String prefix;

        Fn(String prefix) {
            this.prefix = prefix;
        }

        String functionId(TemplateJson template) {
            return template.idOf("AWS::Lambda::Function", prefix);
        }

        /** The published version the live alias points at. */
        String versionId(TemplateJson template) {
            String function = functionId(template);
            List<String> versions = template.resources("AWS::Lambda::Version").entrySet().stream()
                    .filter(version -> Map.of("Ref", function).equals(TemplateJson.properties(version.getValue()).get("FunctionName")))
                    .map(Map.Entry::getKey)
                    .toList();
            assertThat(versions).as("versions of %s", function).hasSize(1);
            return versions.get(0);
        }

        /** The live alias, what the URL, the queues, the rules and the topic invoke. */
        String aliasId(TemplateJson template) {
            return template.idOf("AWS::Lambda::Alias", prefix + "Alias");
        }

        Map<String, Object> properties(TemplateJson template) {
            return TemplateJson.properties(template.resources("AWS::Lambda::Function").get(functionId(template)));
        }

        Map<String, Object> environment(TemplateJson template) {
            return TemplateJson.map(TemplateJson.map(properties(template).get("Environment")).get("Variables"));
        }

        /** The asset the function's code is, by its content hash, which also names its directory in the cloud assembly. */
        String assetHash(TemplateJson template) {
            String key = (String) TemplateJson.map(properties(template).get("Code")).get("S3Key");
            assertThat(key).as(name()).endsWith(".zip");
            return key.substring(0, key.length() - ".zip".length());
        }

        List<TemplateJson.Statement> statements(TemplateJson template) {
            return template.statementsOfRole(template.idOf("AWS::IAM::Role", prefix + "ServiceRole"));
        }

        List<String> actions(TemplateJson template) {
            return statements(template).stream().flatMap(s -> s.actions().stream()).toList();
        }

        List<String> resourcesOf(TemplateJson template, String action) {
            return statements(template).stream().filter(s -> s.actions().contains(action)).flatMap(s -> s.resources().stream()).toList();
        }
    }

    @TempDir
    static Path workDir;

    private static Path jar;
    private static Path interactionsJar;
    private static Path exampleOut;
    private static Template template;
    private static TemplateJson json;

    @BeforeAll
    static void synthesizeExample() {
        jar = fakeChatOpsJar(mkdir("jar"));
        interactionsJar = fakeSlackInteractionsJar(mkdir("interactions-jar"));
        exampleOut = workDir.resolve("example.out");
        Stack stack = testStack(exampleOut);
        chatOps(stack, TestConfigs.example(), TestConfigs.EXAMPLE, List.of());
        template = Template.fromStack(stack);
        json = new TemplateJson(template);
    }

    @Test
    void theFunctionUrlOfSlackInteractionsLiveAliasIsTheOnlyPublicEndpoint() {
        String interactions = Fn.INTERACTIONS.functionId(json);
        String alias = Fn.INTERACTIONS.aliasId(json);

        assertThat(json.resources("AWS::Lambda::Url").values()).singleElement().satisfies(url -> assertThat(TemplateJson.properties(url))
                .isEqualTo(Map.of("AuthType", "NONE", "Qualifier", "live",
                        "TargetFunctionArn", Map.of("Fn::GetAtt", List.of(interactions, "Arn")))));
        assertThat(template.toJSON().get("Resources").toString()).doesNotContain("AWS::ApiGateway").doesNotContain("AWS::ElasticLoadBalancing");
        // Lambda now asks for both actions on a public URL; the plain invoke is allowed only when it comes through the URL.
        assertThat(json.resources("AWS::Lambda::Permission").values().stream().map(TemplateJson::properties)
                .filter(permission -> "*".equals(permission.get("Principal"))))
                .containsExactlyInAnyOrder(
                        Map.of("Action", "lambda:InvokeFunctionUrl", "FunctionName", Map.of("Ref", alias),
                                "FunctionUrlAuthType", "NONE", "Principal", "*"),
                        Map.of("Action", "lambda:InvokeFunction", "FunctionName", Map.of("Ref", alias),
                                "InvokedViaFunctionUrl", true, "Principal", "*"));
    }

    @Test
    void slackInteractionsAnswersWithinSlacksThreeSecondsOutsideAnyVpc() {
        Map<String, Object> properties = Fn.INTERACTIONS.properties(json);

        assertThat(properties).containsEntry("Runtime", "java25")
                .containsEntry("Architectures", List.of("arm64"))
                .containsEntry("Handler", "dev.gantry.fn.interactions.SlackInteractionsHandler::handleRequest")
                .containsEntry("MemorySize", 2048)
                .containsEntry("Timeout", 10)
                .doesNotContainKey("VpcConfig");
        // No GANTRY_CONFIG: its package holds no gantry.yml, and it reads none.
        assertThat(Fn.INTERACTIONS.environment(json)).isEqualTo(Map.of(
                "GANTRY_SLACK_SIGNING_SECRET_ARN", SIGNING_SECRET,
                "GANTRY_CHATOPS_REQUEST_QUEUE_URL", Map.of("Ref", json.idOf("AWS::SQS::Queue", "ChatOpsRequestQueue")),
                "POWERTOOLS_SERVICE_NAME", "gantry-slack-interactions",
                "JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS));
    }

    @Test
    void slackInteractionsShipsItsOwnJarAloneWhileWorkerAndNotifyShareTheChatOpsJarAndTheConfiguration() throws IOException {
        String interactions = Fn.INTERACTIONS.assetHash(json);
        String chatOps = Fn.WORKER.assetHash(json);

        assertThat(interactions).isNotEqualTo(chatOps);
        assertThat(Fn.NOTIFY.assetHash(json)).isEqualTo(chatOps);
        Path interactionsAsset = exampleOut.resolve("asset." + interactions);
        assertThat(interactionsAsset.resolve("lib/gantry-slack-interactions-lambda.jar")).hasSameBinaryContentAs(interactionsJar);
        assertThat(entries(interactionsAsset)).containsExactly("lib", "lib/gantry-slack-interactions-lambda.jar");
        Path chatOpsAsset = exampleOut.resolve("asset." + chatOps);
        assertThat(chatOpsAsset.resolve("lib/gantry-chatops-lambda.jar")).hasSameBinaryContentAs(jar);
        assertThat(chatOpsAsset.resolve("gantry.yml")).hasSameBinaryContentAs(TestConfigs.EXAMPLE);
        assertThat(entries(chatOpsAsset)).containsExactlyInAnyOrder("lib", "lib/gantry-chatops-lambda.jar", "gantry.yml");
    }

    @Test
    void anotherConfigurationRepackagesWorkerAndNotifyButLeavesSlackInteractionsAsItWas(@TempDir Path dir) {
        Path config = TestConfigs.write(dir, "gantry.yml", SLACK_WITHOUT_GATES_OR_REBUILDS);
        Stack stack = testStack(dir.resolve("cdk.out"));
        chatOps(stack, TestConfigs.parse(SLACK_WITHOUT_GATES_OR_REBUILDS), config, List.of());
        TemplateJson other = new TemplateJson(Template.fromStack(stack));

        assertThat(Fn.INTERACTIONS.assetHash(other)).isEqualTo(Fn.INTERACTIONS.assetHash(json));
        assertThat(Fn.WORKER.assetHash(other)).isNotEqualTo(Fn.WORKER.assetHash(json));
        assertThat(Fn.NOTIFY.assetHash(other)).isNotEqualTo(Fn.NOTIFY.assetHash(json));
        // The version's logical id hashes the function's settings and code: the same id is no new version to publish,
        // and so no new SnapStart snapshot of the public endpoint.
        assertThat(Fn.INTERACTIONS.versionId(other)).isEqualTo(Fn.INTERACTIONS.versionId(json));
        assertThat(Fn.WORKER.versionId(other)).isNotEqualTo(Fn.WORKER.versionId(json));
    }

    @Test
    void slackInteractionsMayReadTheSigningSecretAndQueueRequestsAndNothingElse() {
        String logGroup = json.idOf("AWS::Logs::LogGroup", "ChatOpsInteractionsLogGroup");
        Map<String, List<String>> allowed = new LinkedHashMap<>();
        for (TemplateJson.Statement statement : Fn.INTERACTIONS.statements(json)) {
            assertThat(statement.condition()).isNull();
            statement.actions().forEach(action -> allowed.put(action, statement.resources()));
        }

        assertThat(allowed).isEqualTo(Map.of(
                "logs:CreateLogStream", List.of("${" + logGroup + ".Arn}"),
                "logs:PutLogEvents", List.of("${" + logGroup + ".Arn}"),
                "secretsmanager:GetSecretValue", List.of(SIGNING_SECRET),
                "sqs:SendMessage", List.of("${" + json.idOf("AWS::SQS::Queue", "ChatOpsRequestQueue") + ".Arn}"),
                // Active tracing: X-Ray's write actions have no resource-level permissions.
                "xray:PutTraceSegments", List.of("*"),
                "xray:PutTelemetryRecords", List.of("*")));
    }

    @Test
    void workerAndNotifyGetTheConfigTableAndTheBotTokensSecretArn() {
        String table = template.getResourceId("AWS::DynamoDB::Table");
        String notifyQueue = json.idOf("AWS::SQS::Queue", "ChatOpsNotifyQueue");

        assertThat(Fn.WORKER.environment(json)).isEqualTo(Map.of(
                "GANTRY_CONFIG", "/var/task/gantry.yml",
                "GANTRY_TABLE", Map.of("Ref", table),
                "POWERTOOLS_SERVICE_NAME", "gantry-chatops-worker",
                "JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS,
                // One name for the token's secret: the gate checks (Slack user groups) and ChatOps read the same one.
                "GANTRY_SLACK_BOT_TOKEN_SECRET_ARN", BOT_TOKEN_SECRET,
                "GANTRY_REGISTRY_ACCOUNT", Map.of("Ref", "AWS::AccountId"),
                "GANTRY_NOTIFY_QUEUE_URL", Map.of("Ref", notifyQueue)));
        assertThat(Fn.NOTIFY.environment(json)).isEqualTo(Map.of(
                "GANTRY_CONFIG", "/var/task/gantry.yml",
                "GANTRY_TABLE", Map.of("Ref", table),
                "POWERTOOLS_SERVICE_NAME", "gantry-chatops-notify",
                "JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS,
                "GANTRY_SLACK_BOT_TOKEN_SECRET_ARN", BOT_TOKEN_SECRET));
        for (Fn fn : List.of(Fn.WORKER, Fn.NOTIFY)) {
            assertThat(fn.properties(json)).as(fn.name())
                    .containsEntry("Handler", fn == Fn.WORKER
                            ? "dev.gantry.fn.chatops.ChatOpsWorkerHandler::handleRequest"
                            : "dev.gantry.fn.chatops.ChatOpsNotifyHandler::handleRequest")
                    .containsEntry("MemorySize", 1024)
                    .containsEntry("Timeout", 60)
                    .doesNotContainKey("VpcConfig");
        }
    }

    @Test
    void everySecretIsReadByItsArnAloneAndNoneIsInTheTemplate() {
        assertThat(json.statementsAllowing("secretsmanager:GetSecretValue")).hasSize(3).allSatisfy(statement ->
                assertThat(statement.actions()).containsExactly("secretsmanager:GetSecretValue"));
        assertThat(Fn.INTERACTIONS.resourcesOf(json, "secretsmanager:GetSecretValue")).containsExactly(SIGNING_SECRET);
        assertThat(Fn.WORKER.resourcesOf(json, "secretsmanager:GetSecretValue")).containsExactly(BOT_TOKEN_SECRET);
        assertThat(Fn.NOTIFY.resourcesOf(json, "secretsmanager:GetSecretValue")).containsExactly(BOT_TOKEN_SECRET);
        assertThat(json.identityStatements()).flatMap(TemplateJson.Statement::actions)
                .noneMatch(action -> action.equals("*") || action.endsWith(":*"));
        template.resourceCountIs("AWS::SecretsManager::Secret", 0);
        assertThat(template.toJSON().toString()).doesNotContain("{{resolve:secretsmanager");
    }

    @Test
    void eachFunctionSendsOnlyToTheQueuesItNeeds() {
        String requestQueue = "${" + json.idOf("AWS::SQS::Queue", "ChatOpsRequestQueue") + ".Arn}";
        String notifyQueue = "${" + json.idOf("AWS::SQS::Queue", "ChatOpsNotifyQueue") + ".Arn}";
        // Lambda's on-failure destination for asynchronous invocations, which only chatops-notify gets.
        String failedInvocations = "${" + json.idOf("AWS::SQS::Queue", "ChatOpsFailedInvocationQueue") + ".Arn}";

        assertThat(Fn.INTERACTIONS.resourcesOf(json, "sqs:SendMessage")).containsExactly(requestQueue);
        assertThat(Fn.WORKER.resourcesOf(json, "sqs:SendMessage")).containsExactlyInAnyOrder(notifyQueue, failedInvocations);
        assertThat(Fn.NOTIFY.resourcesOf(json, "sqs:SendMessage")).containsExactly(failedInvocations);
    }

    @Test
    void workerDeploysAsEcsDeployDoesAndStartsTheConfiguredRebuilds() {
        assertThat(Fn.WORKER.resourcesOf(json, "ecs:UpdateService")).containsExactly(
                "arn:aws:ecs:eu-west-1:111111111111:service/prod/payments-api",
                "arn:aws:ecs:eu-west-1:111111111111:service/staging/checkout-web",
                "arn:aws:ecs:eu-west-1:111111111111:service/staging/payments-api");
        assertThat(Fn.WORKER.resourcesOf(json, "iam:PassRole")).containsExactly(
                "arn:aws:iam::111111111111:role/checkout-web-task",
                "arn:aws:iam::111111111111:role/ecs-task-execution",
                "arn:aws:iam::111111111111:role/payments-api-task");
        assertThat(Fn.WORKER.actions(json)).contains("ecs:RegisterTaskDefinition", "ecs:TagResource", "cloudwatch:DescribeAlarms");
        assertThat(Fn.WORKER.resourcesOf(json, "ecr:DescribeImages")).containsExactlyInAnyOrder(
                "arn:aws:ecr:eu-west-1:111111111111:repository/checkout-web",
                "arn:aws:ecr:eu-west-1:111111111111:repository/payments-api",
                "arn:aws:ecr:${AWS::Region}:${AWS::AccountId}:repository/checkout-web",
                "arn:aws:ecr:${AWS::Region}:${AWS::AccountId}:repository/golden/java21",
                "arn:aws:ecr:${AWS::Region}:${AWS::AccountId}:repository/payments-api",
                "arn:aws:ecr:${AWS::Region}:${AWS::AccountId}:repository/runtime/java");
        assertThat(Fn.WORKER.resourcesOf(json, "codebuild:StartBuild")).containsExactly(
                "arn:aws:codebuild:${AWS::Region}:${AWS::AccountId}:project/payments-api-image",
                "arn:aws:codebuild:${AWS::Region}:${AWS::AccountId}:project/runtime-java-image");
        // A manual rebuild may take over a start that died: it looks for that start's build in the same projects only.
        for (String action : List.of("codebuild:ListBuildsForProject", "codebuild:BatchGetBuilds")) {
            assertThat(Fn.WORKER.resourcesOf(json, action)).as(action).containsExactly(
                    "arn:aws:codebuild:${AWS::Region}:${AWS::AccountId}:project/payments-api-image",
                    "arn:aws:codebuild:${AWS::Region}:${AWS::AccountId}:project/runtime-java-image");
        }
        assertThat(Fn.WORKER.resourcesOf(json, "codepipeline:StartPipelineExecution")).containsExactly(
                "arn:aws:codepipeline:${AWS::Region}:${AWS::AccountId}:checkout-web-release");
        String table = "${" + template.getResourceId("AWS::DynamoDB::Table") + ".Arn}";
        assertThat(Fn.WORKER.statements(json).stream().filter(s -> s.resources().contains(table)).flatMap(s -> s.actions().stream()))
                .containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query",
                        "dynamodb:DeleteItem", "dynamodb:BatchGetItem");
    }

    @Test
    void workerAnswersManualApprovalsOfTheKnownPipelinesOnly() {
        assertThat(Fn.WORKER.statements(json).stream().filter(s -> s.actions().contains("codepipeline:PutApprovalResult")))
                .singleElement().satisfies(s -> {
                    assertThat(s.actions()).containsExactly("codepipeline:PutApprovalResult");
                    assertThat(s.resources()).containsExactly("arn:aws:codepipeline:${AWS::Region}:${AWS::AccountId}:checkout-web-release/*");
                });
        assertThat(json.statementsAllowing("codepipeline:PutApprovalResult")).hasSize(1);
    }

    @Test
    void notifyReadsTheTableAndTheBotTokenAndChangesNothingInAws() {
        assertThat(Fn.NOTIFY.actions(json)).filteredOn(a -> !a.startsWith("logs:") && !a.startsWith("sqs:") && !a.startsWith("xray:"))
                .containsExactlyInAnyOrder(
                "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "secretsmanager:GetSecretValue");
    }

    @Test
    void requestsWaitInAnEncryptedStandardQueueAndGoToADeadLetterQueueAfterFiveReceives() {
        String deadLetters = json.idOf("AWS::SQS::Queue", "ChatOpsRequestDeadLetterQueue");

        assertThat(TemplateJson.properties(json.resources("AWS::SQS::Queue").get(json.idOf("AWS::SQS::Queue", "ChatOpsRequestQueue"))))
                .isEqualTo(Map.of(
                        "SqsManagedSseEnabled", true,
                        "MessageRetentionPeriod", 3600,
                        "VisibilityTimeout", 6 * 60,
                        "RedrivePolicy", Map.of("deadLetterTargetArn", Map.of("Fn::GetAtt", List.of(deadLetters, "Arn")), "maxReceiveCount", 5)));
        assertThat(TemplateJson.properties(json.resources("AWS::SQS::Queue").get(deadLetters)))
                .isEqualTo(Map.of("SqsManagedSseEnabled", true, "MessageRetentionPeriod", 14 * 24 * 3600));
    }

    @Test
    void notificationsWaitInAnEncryptedFifoQueueForFourteenDaysAndMoveToAFifoDeadLetterQueue() {
        String deadLetters = json.idOf("AWS::SQS::Queue", "ChatOpsNotifyDeadLetterQueue");

        assertThat(TemplateJson.properties(json.resources("AWS::SQS::Queue").get(json.idOf("AWS::SQS::Queue", "ChatOpsNotifyQueue"))))
                .isEqualTo(Map.of(
                        "FifoQueue", true,
                        "ContentBasedDeduplication", false,
                        "SqsManagedSseEnabled", true,
                        "MessageRetentionPeriod", 14 * 24 * 3600,
                        "VisibilityTimeout", 6 * 60,
                        "RedrivePolicy", Map.of("deadLetterTargetArn", Map.of("Fn::GetAtt", List.of(deadLetters, "Arn")), "maxReceiveCount", 50)));
        assertThat(TemplateJson.properties(json.resources("AWS::SQS::Queue").get(deadLetters))).isEqualTo(Map.of(
                "FifoQueue", true,
                "ContentBasedDeduplication", false,
                "SqsManagedSseEnabled", true,
                "MessageRetentionPeriod", 14 * 24 * 3600));
    }

    @Test
    void everyQueueRefusesUnencryptedTransport() {
        assertThat(json.resources("AWS::SQS::Queue")).hasSize(8);
        assertThat(json.resources("AWS::SQS::QueuePolicy").values().stream().map(TemplateJson::properties)
                .map(policy -> TemplateJson.list(policy.get("Queues")).get(0)))
                .containsExactlyInAnyOrderElementsOf(json.resources("AWS::SQS::Queue").keySet().stream().map(id -> Map.of("Ref", id)).toList());
        Map<String, Object> denyWithoutTls = Map.of("Effect", "Deny", "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")));
        template.allResourcesProperties("AWS::SQS::QueuePolicy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(denyWithoutTls))))));
    }

    @Test
    void queuesFeedTheWorkerOneCommandAtATimeAndNotifyTenAtATimeReportingFailuresPerMessage() {
        template.resourceCountIs("AWS::Lambda::EventSourceMapping", 3);
        // The mappings name the live aliases, <function name>:live.
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
                "FunctionName", TemplateJson.qualifiedNameOf(Fn.WORKER.aliasId(json), "live"),
                "EventSourceArn", Map.of("Fn::GetAtt", List.of(json.idOf("AWS::SQS::Queue", "ChatOpsRequestQueue"), "Arn")),
                "BatchSize", 1,
                "FunctionResponseTypes", List.of("ReportBatchItemFailures")));
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
                "FunctionName", TemplateJson.qualifiedNameOf(Fn.NOTIFY.aliasId(json), "live"),
                "EventSourceArn", Map.of("Fn::GetAtt", List.of(json.idOf("AWS::SQS::Queue", "ChatOpsNotifyQueue"), "Arn")),
                "BatchSize", 10,
                "FunctionResponseTypes", List.of("ReportBatchItemFailures")));
    }

    @Test
    void notifyHearsOfTheKnownPipelinesTheRebuildProjectsAndTheWatchedAlarms() {
        assertThat(rulePattern(json, "ChatOpsPipelineRule")).isEqualTo(Map.of(
                "source", List.of("aws.codepipeline"),
                "detail-type", List.of("CodePipeline Pipeline Execution State Change", "CodePipeline Stage Execution State Change"),
                "detail", Map.of("pipeline", List.of("checkout-web-release"))));
        assertThat(rulePattern(json, "ChatOpsApprovalRule")).isEqualTo(Map.of(
                "source", List.of("aws.codepipeline"),
                "detail-type", List.of("CodePipeline Action Execution State Change"),
                "detail", Map.of("pipeline", List.of("checkout-web-release"), "type", Map.of("category", List.of("Approval")),
                        "state", List.of("SUCCEEDED", "FAILED", "ABANDONED"))));
        assertThat(rulePattern(json, "ChatOpsBuildRule")).isEqualTo(Map.of(
                "source", List.of("aws.codebuild"),
                "detail-type", List.of("CodeBuild Build State Change"),
                "detail", Map.of("project-name", List.of("payments-api-image", "runtime-java-image"))));
        assertThat(rulePattern(json, "ChatOpsAlarmRule")).isEqualTo(Map.of(
                "source", List.of("aws.cloudwatch"),
                "detail-type", List.of("CloudWatch Alarm State Change"),
                "detail", Map.of("alarmName", List.of("payments-api-5xx", Map.of("prefix", "payments-api-")))));
    }

    @Test
    void awsChangesAndApprovalsWaitInAStandardQueueThatNotifyIsRetriedFromForHoursBeforeItsDeadLetterQueue() {
        String eventQueue = json.idOf("AWS::SQS::Queue", "ChatOpsEventQueue");
        String deadLetters = json.idOf("AWS::SQS::Queue", "ChatOpsEventDeadLetterQueue");

        // Standard: a standard SNS topic cannot deliver to a FIFO queue, and these events have no order to keep.
        assertThat(TemplateJson.properties(json.resources("AWS::SQS::Queue").get(eventQueue))).isEqualTo(Map.of(
                "SqsManagedSseEnabled", true,
                "MessageRetentionPeriod", 14 * 24 * 3600,
                "VisibilityTimeout", 6 * 60,
                "RedrivePolicy", Map.of("deadLetterTargetArn", Map.of("Fn::GetAtt", List.of(deadLetters, "Arn")), "maxReceiveCount", 50)));
        assertThat(TemplateJson.properties(json.resources("AWS::SQS::Queue").get(deadLetters)))
                .isEqualTo(Map.of("SqsManagedSseEnabled", true, "MessageRetentionPeriod", 14 * 24 * 3600));
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
                "FunctionName", TemplateJson.qualifiedNameOf(Fn.NOTIFY.aliasId(json), "live"),
                "EventSourceArn", Map.of("Fn::GetAtt", List.of(eventQueue, "Arn")),
                "BatchSize", 10,
                "FunctionResponseTypes", List.of("ReportBatchItemFailures")));
        // Nothing invokes chatops-notify asynchronously: Lambda would retry a failure at most twice, then park it.
        assertThat(json.resources("AWS::Lambda::Permission").values().stream().map(TemplateJson::properties)
                .filter(permission -> Map.of("Ref", Fn.NOTIFY.aliasId(json)).equals(permission.get("FunctionName"))
                        || Map.of("Ref", Fn.NOTIFY.functionId(json)).equals(permission.get("FunctionName"))))
                .isEmpty();
    }

    @Test
    void everyRuleDeliversToTheEventQueueRetryingAndParkingWhatItCannotDeliver() {
        String eventQueue = json.idOf("AWS::SQS::Queue", "ChatOpsEventQueue");
        String deadLetters = json.idOf("AWS::SQS::Queue", "ChatOpsDeliveryDeadLetterQueue");

        assertThat(json.resources("AWS::Events::Rule")).hasSize(4).allSatisfy((id, rule) ->
                assertThat(TemplateJson.list(TemplateJson.properties(rule).get("Targets"))).as(id).singleElement().isEqualTo(Map.of(
                        "Arn", Map.of("Fn::GetAtt", List.of(eventQueue, "Arn")),
                        "Id", "Target0",
                        "DeadLetterConfig", Map.of("Arn", Map.of("Fn::GetAtt", List.of(deadLetters, "Arn"))),
                        "RetryPolicy", Map.of("MaximumEventAgeInSeconds", 3600, "MaximumRetryAttempts", 8))));
        List<Object> rules = json.resources("AWS::Events::Rule").keySet().stream()
                .map(rule -> (Object) Map.of("Fn::GetAtt", List.of(rule, "Arn"))).toList();
        assertThat(sendersTo(eventQueue, "events.amazonaws.com")).containsExactlyInAnyOrderElementsOf(rules);
    }

    @Test
    void notifyIsNotRetriedByLambdaAndItsFailuresGoToTheFailedInvocationQueue() {
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                "FunctionName", Map.of("Ref", Fn.NOTIFY.functionId(json)),
                "Qualifier", TemplateJson.qualifierOf(Fn.NOTIFY.aliasId(json)),
                "MaximumRetryAttempts", 0,
                "MaximumEventAgeInSeconds", 3600,
                "DestinationConfig", Map.of("OnFailure", Map.of("Destination",
                        Map.of("Fn::GetAtt", List.of(json.idOf("AWS::SQS::Queue", "ChatOpsFailedInvocationQueue"), "Arn"))))));
    }

    @Test
    void manualApprovalsArriveThroughAnEncryptedTopicWhoseNotificationsWaitInTheEventQueue() {
        String topic = json.idOf("AWS::SNS::Topic", "ChatOpsApprovalTopic");
        String eventQueue = json.idOf("AWS::SQS::Queue", "ChatOpsEventQueue");

        assertThat(TemplateJson.render(TemplateJson.properties(json.only("AWS::SNS::Topic")).get("KmsMasterKeyId")))
                .isEqualTo("arn:aws:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/sns");
        // Not raw: the notification keeps SNS's envelope, whose MessageId the log lines carry.
        assertThat(TemplateJson.properties(json.only("AWS::SNS::Subscription"))).isEqualTo(Map.of(
                "Protocol", "sqs",
                "TopicArn", Map.of("Ref", topic),
                "Endpoint", Map.of("Fn::GetAtt", List.of(eventQueue, "Arn")),
                "RedrivePolicy", Map.of("deadLetterTargetArn",
                        Map.of("Fn::GetAtt", List.of(json.idOf("AWS::SQS::Queue", "ChatOpsDeliveryDeadLetterQueue"), "Arn")))));
        assertThat(sendersTo(eventQueue, "sns.amazonaws.com")).containsExactly(Map.of("Ref", topic));
        template.hasResourceProperties("AWS::SNS::TopicPolicy", Map.of("PolicyDocument", Map.of("Statement", List.of(Match.objectLike(Map.of(
                "Effect", "Deny",
                "Action", "sns:Publish",
                "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))))));
    }

    @Test
    void approvalPipelinesAreWatchedAndMayBeApprovedBesideTheConfiguredOnes(@TempDir Path dir) {
        Stack stack = testStack(dir.resolve("cdk.out"));
        Pipeline pipeline = pipelineWithApproval(stack);
        chatOps(stack, TestConfigs.example(), TestConfigs.EXAMPLE, List.of(pipeline));
        TemplateJson withPipeline = new TemplateJson(Template.fromStack(stack));
        String pipelineId = withPipeline.idOf("AWS::CodePipeline::Pipeline", "Pipeline");

        assertThat(Fn.WORKER.resourcesOf(withPipeline, "codepipeline:PutApprovalResult")).containsExactly(
                "arn:aws:codepipeline:${AWS::Region}:${AWS::AccountId}:checkout-web-release/*",
                "arn:aws:codepipeline:${AWS::Region}:${AWS::AccountId}:${" + pipelineId + "}/*");
        assertThat(TemplateJson.map(rulePattern(withPipeline, "ChatOpsPipelineRule").get("detail")))
                .isEqualTo(Map.of("pipeline", List.of("checkout-web-release", Map.of("Ref", pipelineId))));
    }

    @Test
    void withoutGatesPipelinesOrRebuildsThereIsNoRuleAndNoApprovalToAnswer(@TempDir Path dir) {
        Path config = TestConfigs.write(dir, "gantry.yml", SLACK_WITHOUT_GATES_OR_REBUILDS);
        Stack stack = testStack(dir.resolve("cdk.out"));
        chatOps(stack, TestConfigs.parse(SLACK_WITHOUT_GATES_OR_REBUILDS), config, List.of());
        Template quiet = Template.fromStack(stack);
        TemplateJson quietJson = new TemplateJson(quiet);

        quiet.resourceCountIs("AWS::Events::Rule", 0);
        quiet.resourceCountIs("AWS::SNS::Subscription", 1);
        assertThat(quietJson.statementsAllowing("codepipeline:PutApprovalResult")).isEmpty();
        assertThat(Fn.WORKER.actions(quietJson)).noneMatch(a -> a.startsWith("codebuild:") || a.startsWith("codepipeline:")
                || a.startsWith("cloudwatch:"));
        assertThat(Fn.WORKER.environment(quietJson)).containsEntry("GANTRY_SLACK_BOT_TOKEN_SECRET_ARN", BOT_TOKEN_SECRET);
    }

    @Test
    void automationsSendNotificationsToTheNotifyQueueFromEveryFunction(@TempDir Path dir) {
        Stack stack = testStack(dir.resolve("cdk.out"));
        GantryStateTable table = new GantryStateTable(stack, "State");
        EcsDeployAutomation deploy = new EcsDeployAutomation(stack, "EcsDeploy", EcsDeployAutomationProps.builder()
                .config(TestConfigs.example())
                .configFile(TestConfigs.EXAMPLE)
                .functionJar(TestConfigs.fakeJar(mkdir(dir, "deploy"), "notify"))
                .table(table.getTable())
                .build());
        ReleaseGates gates = new ReleaseGates(stack, "ReleaseGates", ReleaseGatesProps.builder()
                .config(TestConfigs.example())
                .configFile(TestConfigs.EXAMPLE)
                .functionJar(TestConfigs.fakeReleaseGateJar(mkdir(dir, "gates"), "notify"))
                .table(table.getTable())
                .failedInvocationQueue(deploy.getFailedInvocationQueue())
                .build());
        ImageRebuildAutomation rebuild = new ImageRebuildAutomation(stack, "ImageRebuild", ImageRebuildAutomationProps.builder()
                .config(TestConfigs.example())
                .configFile(TestConfigs.EXAMPLE)
                .functionJar(TestConfigs.write(mkdir(dir, "rebuild"), "gantry-image-rebuild-lambda.jar", "not a real jar"))
                .table(table.getTable())
                .deliveryDeadLetterQueue(deploy.getDeliveryDeadLetterQueue())
                .failedInvocationQueue(deploy.getFailedInvocationQueue())
                .build());
        ChatOps chatOps = new ChatOps(stack, "ChatOps", props(TestConfigs.example(), TestConfigs.EXAMPLE, table, List.of())
                .deliveryDeadLetterQueue(deploy.getDeliveryDeadLetterQueue())
                .failedInvocationQueue(deploy.getFailedInvocationQueue())
                .build());

        deploy.sendNotificationsTo(chatOps.getNotifyQueue());
        gates.sendNotificationsTo(chatOps.getNotifyQueue());
        rebuild.sendNotificationsTo(chatOps.getNotifyQueue());

        TemplateJson all = new TemplateJson(Template.fromStack(stack));
        String notifyQueue = all.idOf("AWS::SQS::Queue", "ChatOpsNotifyQueue");
        List<String> senders = all.resources("AWS::Lambda::Function").entrySet().stream()
                .filter(f -> Map.of("Ref", notifyQueue).equals(TemplateJson.map(TemplateJson.map(
                        TemplateJson.properties(f.getValue()).get("Environment")).get("Variables")).get("GANTRY_NOTIFY_QUEUE_URL")))
                .map(Map.Entry::getKey)
                .toList();
        // Every function but slack-interactions, which only queues requests, and chatops-notify, which only reads the queue.
        assertThat(senders).hasSize(all.resources("AWS::Lambda::Function").size() - 2)
                .doesNotContain(Fn.INTERACTIONS.functionId(all), Fn.NOTIFY.functionId(all));
        assertThat(all.statementsAllowing("sqs:SendMessage").stream().filter(s -> s.resources().contains("${" + notifyQueue + ".Arn}")))
                .hasSize(senders.size())
                .allSatisfy(s -> assertThat(s.actions()).containsExactly("sqs:SendMessage"));
        // Only the queues Gantry owns; the two in-stack queues of EcsDeploy are shared, so ChatOps made none of its own.
        assertThat(all.resources("AWS::SQS::Queue")).hasSize(8);
    }

    @Test
    void refusesAConfigurationWithoutSlack(@TempDir Path dir) {
        Path config = TestConfigs.write(dir, "gantry.yml", TestConfigs.WITHOUT_ROLES);

        assertThatThrownBy(() -> chatOps(testStack(dir.resolve("cdk.out")), TestConfigs.parse(TestConfigs.WITHOUT_ROLES), config, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no 'slack' section");
    }

    @Test
    void refusesASecretValueWhereAnArnBelongsWithoutRepeatingIt() {
        String pasted = "test-bot-token-not-an-arn";

        assertThatThrownBy(() -> ChatOpsProps.builder().slackBotTokenSecretArn(pasted))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slackBotTokenSecretArn must be a Secrets Manager secret ARN")
                .message().doesNotContain(pasted);
        assertThatThrownBy(() -> ChatOpsProps.builder().slackSigningSecretArn("arn:aws:ssm:eu-west-1:111111111111:parameter/signing"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slackSigningSecretArn must be a Secrets Manager secret ARN");
    }

    @Test
    void refusesPropsWithoutTheSlackInteractionsJar() {
        assertThatThrownBy(() -> ChatOpsProps.builder()
                        .config(TestConfigs.example())
                        .configFile(TestConfigs.EXAMPLE)
                        .functionJar(jar)
                        .table(new GantryStateTable(testStack(workDir.resolve("no-interactions-jar.out")), "State").getTable())
                        .slackSigningSecretArn(SIGNING_SECRET)
                        .slackBotTokenSecretArn(BOT_TOKEN_SECRET)
                        .build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("interactionsJar is required");
    }

    @Test
    void refusesAMissingSlackInteractionsJarNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere/" + ChatOps.INTERACTIONS_JAR_NAME);
        Stack stack = testStack(dir.resolve("cdk.out"));
        GantryStateTable table = new GantryStateTable(stack, "State");

        assertThatThrownBy(() -> new ChatOps(stack, "ChatOps", props(TestConfigs.example(), TestConfigs.EXAMPLE, table, List.of())
                        .interactionsJar(missing).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the function jar " + missing + " does not exist");
    }

    @Test
    void refusesATimeoutPastTheReleaseLease() {
        assertThatThrownBy(() -> ChatOpsProps.builder().timeout(software.amazon.awscdk.Duration.seconds(90)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 and 75 seconds");
    }

    @Test
    void sameInputsSynthesizeTheSameTemplate(@TempDir Path dir) {
        Stack again = testStack(dir.resolve("cdk.out"));
        chatOps(again, TestConfigs.example(), TestConfigs.EXAMPLE, List.of());

        assertThat(Template.fromStack(again).toJSON()).isEqualTo(template.toJSON());
    }

    @Test
    void publicGettersHandOutTheResourcesTheyName(@TempDir Path dir) {
        Stack stack = testStack(dir.resolve("cdk.out"));
        ChatOps chatOps = chatOps(stack, TestConfigs.example(), TestConfigs.EXAMPLE, List.of());

        // The live aliases, what anything invoking a ChatOps function must name; the URL belongs to slack-interactions' alias.
        assertThat(chatOps.getInteractionsFunction().getNode().getPath()).isEqualTo("Test/ChatOps/InteractionsAlias");
        assertThat(chatOps.getInteractionsFunction().getLambda().getNode().getPath()).isEqualTo("Test/ChatOps/Interactions");
        assertThat(chatOps.getInteractivityUrl().getNode().getPath()).isEqualTo("Test/ChatOps/InteractionsAlias/FunctionUrl");
        assertThat(chatOps.getWorkerFunction().getNode().getPath()).isEqualTo("Test/ChatOps/WorkerAlias");
        assertThat(chatOps.getNotifyFunction().getNode().getPath()).isEqualTo("Test/ChatOps/NotifyAlias");
        assertThat(chatOps.getNotifyFunction().getAliasName()).isEqualTo("live");
        assertThat(chatOps.getRequestQueue().getNode().getPath()).isEqualTo("Test/ChatOps/RequestQueue");
        assertThat(chatOps.getNotifyQueue().getNode().getPath()).isEqualTo("Test/ChatOps/NotifyQueue");
        assertThat(chatOps.getEventQueue().getNode().getPath()).isEqualTo("Test/ChatOps/EventQueue");
        assertThat(chatOps.getEventDeadLetterQueue().getNode().getPath()).isEqualTo("Test/ChatOps/EventDeadLetterQueue");
        assertThat(chatOps.getApprovalTopic().getNode().getPath()).isEqualTo("Test/ChatOps/ApprovalTopic");
        assertThat(chatOps.getPipelineRule()).isPresent();
        assertThat(chatOps.getBuildRule()).isPresent();
        assertThat(chatOps.getAlarmRule()).isPresent();
    }

    @Test
    void subscribesToAnApprovalTopicMadeBeforeItInsteadOfMakingItsOwn(@TempDir Path dir) {
        Stack stack = testStack(dir.resolve("cdk.out"));
        Topic earlier = ChatOps.approvalTopic(stack);
        GantryStateTable table = new GantryStateTable(stack, "State");

        ChatOps chatOps = new ChatOps(stack, "ChatOps", props(TestConfigs.example(), TestConfigs.EXAMPLE, table, List.of())
                .approvalTopic(earlier).build());

        TemplateJson json = new TemplateJson(Template.fromStack(stack));
        assertThat(chatOps.getApprovalTopic()).isSameAs(earlier);
        assertThat(json.resources("AWS::SNS::Topic")).hasSize(1);
        assertThat(TemplateJson.properties(json.only("AWS::SNS::Subscription")))
                .containsEntry("TopicArn", Map.of("Ref", json.idOf("AWS::SNS::Topic", "ApprovalTopic")));
    }

    /** The sources {@code service} may send to {@code queue} from, as its queue policy names them in aws:SourceArn. */
    private static List<Object> sendersTo(String queue, String service) {
        return json.resources("AWS::SQS::QueuePolicy").values().stream().map(TemplateJson::properties)
                .filter(policy -> Map.of("Ref", queue).equals(TemplateJson.list(policy.get("Queues")).get(0)))
                .flatMap(policy -> TemplateJson.list(TemplateJson.map(policy.get("PolicyDocument")).get("Statement")).stream())
                .map(TemplateJson::map)
                .filter(statement -> "Allow".equals(statement.get("Effect"))
                        && Map.of("Service", service).equals(statement.get("Principal"))
                        && (statement.get("Action").equals("sqs:SendMessage") || TemplateJson.list(statement.get("Action")).contains("sqs:SendMessage")))
                .map(statement -> TemplateJson.map(TemplateJson.map(statement.get("Condition")).get("ArnEquals")).get("aws:SourceArn"))
                .toList();
    }

    private static Map<String, Object> rulePattern(TemplateJson template, String prefix) {
        return TemplateJson.map(TemplateJson.properties(template.resources("AWS::Events::Rule").get(template.idOf("AWS::Events::Rule", prefix)))
                .get("EventPattern"));
    }

    private static ChatOps chatOps(Stack stack, GantryConfig config, Path configFile, List<Pipeline> approvalPipelines) {
        GantryStateTable table = new GantryStateTable(stack, "State");
        return new ChatOps(stack, "ChatOps", props(config, configFile, table, approvalPipelines).build());
    }

    private static ChatOpsProps.Builder props(GantryConfig config, Path configFile, GantryStateTable table, List<Pipeline> approvalPipelines) {
        return ChatOpsProps.builder()
                .config(config)
                .configFile(configFile)
                .functionJar(jar)
                .interactionsJar(interactionsJar)
                .table(table.getTable())
                .slackSigningSecretArn(SIGNING_SECRET)
                .slackBotTokenSecretArn(BOT_TOKEN_SECRET)
                .approvalPipelines(approvalPipelines);
    }

    /** A stand-in for the shaded ChatOps jar: the construct only copies it, never opens it. */
    static Path fakeChatOpsJar(Path dir) {
        return TestConfigs.write(dir, ChatOps.JAR_NAME, "not a real jar: chatops");
    }

    /** A stand-in for the shaded slack-interactions jar, its content unlike the ChatOps jar's. */
    static Path fakeSlackInteractionsJar(Path dir) {
        return TestConfigs.write(dir, ChatOps.INTERACTIONS_JAR_NAME, "not a real jar: slack-interactions");
    }

    /** Every file and directory under {@code dir}, relative to it. */
    private static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    private static Stack testStack(Path outdir) {
        return new Stack(new App(AppProps.builder().outdir(outdir.toString()).build()), "Test");
    }

    /** A pipeline whose second stage waits for a manual approval, as a release pipeline with one does. */
    private static Pipeline pipelineWithApproval(Stack stack) {
        Bucket source = Bucket.Builder.create(stack, "Source").versioned(true).encryption(BucketEncryption.S3_MANAGED).build();
        Pipeline pipeline = Pipeline.Builder.create(stack, "Pipeline").build();
        pipeline.addStage(StageOptions.builder()
                .stageName("Source")
                .actions(List.of(S3SourceAction.Builder.create()
                        .actionName("Source")
                        .bucket(source)
                        .bucketKey("release/source.zip")
                        .trigger(S3Trigger.NONE)
                        .output(Artifact.artifact("Source"))
                        .build()))
                .build());
        pipeline.addStage(StageOptions.builder()
                .stageName("Approve")
                .actions(List.of(ManualApprovalAction.Builder.create().actionName("Approve").build()))
                .build());
        return pipeline;
    }

    private static Path mkdir(String name) {
        return mkdir(workDir, name);
    }

    private static Path mkdir(Path parent, String name) {
        try {
            return Files.createDirectories(parent.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
