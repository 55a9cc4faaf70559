package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.GantryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class EcsDeployAutomationTest {

    private static final List<String> EXAMPLE_SERVICE_ARNS = List.of(
            "arn:aws:ecs:eu-west-1:111111111111:service/prod/payments-api",
            "arn:aws:ecs:eu-west-1:111111111111:service/staging/checkout-web",
            "arn:aws:ecs:eu-west-1:111111111111:service/staging/payments-api");

    private static final List<String> EXAMPLE_ROLE_ARNS = List.of(
            "arn:aws:iam::111111111111:role/checkout-web-task",
            "arn:aws:iam::111111111111:role/ecs-task-execution",
            "arn:aws:iam::111111111111:role/payments-api-task");

    @TempDir
    static Path workDir;

    private static Path outdir;
    private static Path jar;
    private static Template template;
    private static TemplateJson json;

    @BeforeAll
    static void synthesizeExample() {
        jar = TestConfigs.fakeJar(mkdir("jar"), "example");
        outdir = workDir.resolve("example.out");
        template = synthesize(TestConfigs.example(), TestConfigs.EXAMPLE, jar, outdir);
        json = new TemplateJson(template);
    }

    @Test
    void functionRunsTheEcsDeployHandlerOnJava21Arm64() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Runtime", "java21",
                "Architectures", List.of("arm64"),
                "Handler", "dev.gantry.fn.ecsdeploy.EcsDeployHandler::handleRequest",
                "MemorySize", 1024,
                "Timeout", 60));
    }

    @Test
    void functionEnvironmentNamesConfigTableAndPowertoolsService() {
        String tableId = template.getResourceId("AWS::DynamoDB::Table");
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Environment", Map.of("Variables", Map.of(
                        "GANTRY_CONFIG", "/var/task/gantry.yml",
                        "GANTRY_TABLE", Map.of("Ref", tableId),
                        "POWERTOOLS_SERVICE_NAME", "gantry-ecs-deploy",
                        "POWERTOOLS_LOG_LEVEL", "INFO",
                        "JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1"))));
    }

    @Test
    void functionLogsToItsOwnLogGroupKeptOneMonth() {
        String logGroupId = template.getResourceId("AWS::Logs::LogGroup", Map.of("Properties", Map.of("RetentionInDays", 30)));
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "LoggingConfig", Map.of("LogGroup", Map.of("Ref", logGroupId))));

        // No account-wide AWSLambdaBasicExecutionRole: the only log permissions are on this log group.
        template.hasResourceProperties("AWS::IAM::Role", Map.of("ManagedPolicyArns", Match.absent()));
        List<String> logResources = json.identityStatements().stream()
                .filter(s -> s.actions().stream().anyMatch(a -> a.startsWith("logs:")))
                .flatMap(s -> s.resources().stream())
                .toList();
        assertThat(logResources).containsOnly("${" + logGroupId + ".Arn}");
    }

    @Test
    void deploymentPackageHoldsTheJarUnderLibAndTheConfigAtItsRoot() throws IOException {
        Path asset = outdir.resolve("asset." + assetHash(json));

        assertThat(asset.resolve("lib/gantry-ecs-deploy-lambda.jar")).hasSameBinaryContentAs(jar);
        assertThat(asset.resolve("gantry.yml")).hasSameBinaryContentAs(TestConfigs.EXAMPLE);
        try (var entries = Files.list(asset)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("lib", "gantry.yml");
        }
    }

    @Test
    void ruleMatchesSuccessfulPushesToExactlyTheServiceRepositories() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "EventPattern", Map.of(
                        "source", List.of("aws.ecr"),
                        "detail-type", List.of("ECR Image Action"),
                        "detail", Map.of(
                                "action-type", List.of("PUSH"),
                                "result", List.of("SUCCESS"),
                                "repository-name", List.of("checkout-web", "payments-api"))),
                "State", "ENABLED"));
        Map<String, Object> pattern = TemplateJson.map(TemplateJson.properties(json.only("AWS::Events::Rule")).get("EventPattern"));
        assertThat(pattern).doesNotContainKey("account").doesNotContainKey("resources");
        assertThat(TemplateJson.properties(json.only("AWS::Events::Rule"))).doesNotContainKey("EventBusName");
    }

    @Test
    void ruleTargetRetriesThenParksEventsInTheDeliveryDeadLetterQueue() {
        String functionId = template.getResourceId("AWS::Lambda::Function");
        String dlqId = queueId("DeliveryDeadLetterQueue");
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "Targets", List.of(Map.of(
                        "Arn", Map.of("Fn::GetAtt", List.of(functionId, "Arn")),
                        "DeadLetterConfig", Map.of("Arn", Map.of("Fn::GetAtt", List.of(dlqId, "Arn"))),
                        "RetryPolicy", Map.of("MaximumEventAgeInSeconds", 3600, "MaximumRetryAttempts", 8)))));
        // EventBridge may write to the dead-letter queue, but only on behalf of this rule.
        String ruleId = template.getResourceId("AWS::Events::Rule");
        template.hasResourceProperties("AWS::SQS::QueuePolicy", Map.of(
                "Queues", List.of(Map.of("Ref", dlqId)),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", "sqs:SendMessage",
                        "Principal", Map.of("Service", "events.amazonaws.com"),
                        "Condition", Map.of("ArnEquals", Map.of("aws:SourceArn", Map.of("Fn::GetAtt", List.of(ruleId, "Arn")))))))))));
    }

    @Test
    void failedInvocationsAreRetriedTwiceThenSentToTheFailureQueue() {
        String functionId = template.getResourceId("AWS::Lambda::Function");
        String failureQueueId = queueId("FailedInvocationQueue");
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                "FunctionName", Map.of("Ref", functionId),
                "Qualifier", "$LATEST",
                "MaximumRetryAttempts", 2,
                "MaximumEventAgeInSeconds", 3600,
                "DestinationConfig", Map.of("OnFailure", Map.of(
                        "Destination", Map.of("Fn::GetAtt", List.of(failureQueueId, "Arn"))))));
        assertThat(json.statementsAllowing("sqs:SendMessage"))
                .flatMap(TemplateJson.Statement::resources)
                .containsOnly("${" + failureQueueId + ".Arn}");
    }

    @Test
    void queuesAreEncryptedAndRefuseUnencryptedTransport() {
        template.resourceCountIs("AWS::SQS::Queue", 2);
        template.allResourcesProperties("AWS::SQS::Queue", Map.of(
                "SqsManagedSseEnabled", true,
                "MessageRetentionPeriod", 1_209_600));
        for (String queueId : json.resources("AWS::SQS::Queue").keySet()) {
            template.hasResourceProperties("AWS::SQS::QueuePolicy", Map.of(
                    "Queues", List.of(Map.of("Ref", queueId)),
                    "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                            "Effect", "Deny",
                            "Action", "sqs:*",
                            "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
        }
    }

    @Test
    void describeAndUpdateServiceOnlyOnTheConfiguredServices() {
        for (String action : List.of("ecs:UpdateService", "ecs:DescribeServices")) {
            List<TemplateJson.Statement> statements = json.statementsAllowing(action);
            assertThat(statements).as(action).isNotEmpty();
            assertThat(statements).flatMap(TemplateJson.Statement::resources)
                    .as(action).containsExactlyInAnyOrderElementsOf(EXAMPLE_SERVICE_ARNS);
        }
    }

    @Test
    void taskDefinitionCallsAreTheOnlyOnesOnEveryResource() {
        List<String> actionsOnEverything = json.identityStatements().stream()
                .filter(s -> s.resources().contains("*"))
                .flatMap(s -> s.actions().stream())
                .toList();
        assertThat(actionsOnEverything)
                .containsExactlyInAnyOrder("ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition");
    }

    @Test
    void taggingIsAllowedOnlyWhileRegisteringATaskDefinition() {
        List<TemplateJson.Statement> statements = json.statementsAllowing("ecs:TagResource");
        assertThat(statements).singleElement().satisfies(s -> {
            assertThat(s.actions()).containsExactly("ecs:TagResource");
            assertThat(s.resources()).containsExactly("arn:aws:ecs:eu-west-1:111111111111:task-definition/*");
            assertThat(s.condition()).isEqualTo(Map.of("StringEquals", Map.of("ecs:CreateAction", "RegisterTaskDefinition")));
        });
    }

    @Test
    void passRoleOnlyOnTheConfiguredRolesAndOnlyToEcsTasks() {
        List<TemplateJson.Statement> statements = json.statementsAllowing("iam:PassRole");
        assertThat(statements).singleElement().satisfies(s -> {
            assertThat(s.actions()).containsExactly("iam:PassRole");
            assertThat(s.resources()).containsExactlyElementsOf(EXAMPLE_ROLE_ARNS);
            assertThat(s.condition()).isEqualTo(
                    Map.of("StringEquals", Map.of("iam:PassedToService", "ecs-tasks.amazonaws.com")));
        });
    }

    @Test
    void stateTableAccessIsLimitedToItemReadsWritesAndQueries() {
        String tableId = template.getResourceId("AWS::DynamoDB::Table");
        List<TemplateJson.Statement> onTable = json.identityStatements().stream()
                .filter(s -> s.resources().contains("${" + tableId + ".Arn}"))
                .toList();
        assertThat(onTable).flatMap(TemplateJson.Statement::actions).containsExactlyInAnyOrder(
                "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query");
        assertThat(json.identityStatements()).flatMap(TemplateJson.Statement::actions)
                .filteredOn(a -> a.startsWith("dynamodb:"))
                .containsOnly("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query");
    }

    @Test
    void noStatementAllowsEveryActionOfAService() {
        assertThat(json.identityStatements()).allSatisfy(s -> {
            assertThat(s.effect()).isEqualTo("Allow");
            assertThat(s.actions()).noneMatch(a -> a.equals("*") || a.endsWith(":*"));
        });
    }

    @Test
    void sameInputsSynthesizeTheSameTemplate(@TempDir Path otherOut) {
        Template again = synthesize(TestConfigs.example(), TestConfigs.EXAMPLE, jar, otherOut);

        assertThat(again.toJSON()).isEqualTo(template.toJSON());
    }

    @Test
    void configurationWithoutRolesGrantsNoPassRole(@TempDir Path dir) {
        Path config = TestConfigs.write(dir, "gantry.yml", TestConfigs.WITHOUT_ROLES);
        TemplateJson other = new TemplateJson(
                synthesize(TestConfigs.parse(TestConfigs.WITHOUT_ROLES), config, jar, dir.resolve("cdk.out")));

        assertThat(other.statementsAllowing("iam:PassRole")).isEmpty();
        assertThat(other.identityStatements()).flatMap(TemplateJson.Statement::actions)
                .noneMatch(a -> a.startsWith("iam:"));
        // The other inputs are still honoured: every environment's service, and task definitions in each
        // account and region the services run in.
        assertThat(other.statementsAllowing("ecs:UpdateService")).flatMap(TemplateJson.Statement::resources)
                .containsExactlyInAnyOrder(
                        "arn:aws:ecs:us-east-1:222222222222:service/main/orders",
                        "arn:aws:ecs:us-west-2:333333333333:service/main/billing",
                        "arn:aws:ecs:us-west-2:333333333333:service/main/orders");
        assertThat(other.statementsAllowing("ecs:TagResource")).flatMap(TemplateJson.Statement::resources)
                .containsExactly(
                        "arn:aws:ecs:us-east-1:222222222222:task-definition/*",
                        "arn:aws:ecs:us-west-2:333333333333:task-definition/*");
        assertThat(TemplateJson.map(TemplateJson.map(TemplateJson.properties(other.only("AWS::Events::Rule"))
                .get("EventPattern")).get("detail")).get("repository-name"))
                .isEqualTo(List.of("team/billing", "team/orders"));
        // A different gantry.yml is a different package.
        assertThat(assetHash(other)).isNotEqualTo(assetHash(json));
    }

    @Test
    void refusesAConfigurationWithoutServices(@TempDir Path dir) {
        Path config = TestConfigs.write(dir, "gantry.yml", TestConfigs.WITHOUT_SERVICES);
        Stack stack = new Stack(new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).build()), "Test");
        GantryStateTable table = new GantryStateTable(stack, "State");

        assertThatThrownBy(() -> new EcsDeployAutomation(stack, "EcsDeploy", EcsDeployAutomationProps.builder()
                        .config(TestConfigs.parse(TestConfigs.WITHOUT_SERVICES))
                        .configFile(config)
                        .functionJar(jar)
                        .table(table.getTable())
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declares no services");
    }

    @Test
    void refusesAMissingJarNamingItsPath(@TempDir Path dir) {
        Stack stack = new Stack(new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).build()), "Test");
        GantryStateTable table = new GantryStateTable(stack, "State");
        Path missing = dir.resolve("missing.jar");

        assertThatThrownBy(() -> new EcsDeployAutomation(stack, "EcsDeploy", EcsDeployAutomationProps.builder()
                        .config(TestConfigs.example())
                        .configFile(TestConfigs.EXAMPLE)
                        .functionJar(missing)
                        .table(table.getTable())
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString());
    }

    private static Template synthesize(GantryConfig config, Path configFile, Path functionJar, Path outdir) {
        App app = new App(AppProps.builder().outdir(outdir.toString()).build());
        Stack stack = new Stack(app, "Test");
        GantryStateTable table = new GantryStateTable(stack, "State");
        new EcsDeployAutomation(stack, "EcsDeploy", EcsDeployAutomationProps.builder()
                .config(config)
                .configFile(configFile)
                .functionJar(functionJar)
                .table(table.getTable())
                .build());
        return Template.fromStack(stack);
    }

    /** The asset hash the function's code points at, which names its directory in the cloud assembly. */
    private static String assetHash(TemplateJson template) {
        Map<String, Object> code = TemplateJson.map(TemplateJson.properties(template.only("AWS::Lambda::Function")).get("Code"));
        String key = (String) code.get("S3Key");
        assertThat(key).endsWith(".zip");
        return key.substring(0, key.length() - ".zip".length());
    }

    private static String queueId(String constructId) {
        return json.resources("AWS::SQS::Queue").keySet().stream()
                .filter(id -> id.startsWith("EcsDeploy" + constructId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no queue " + constructId));
    }

    private static Path mkdir(String name) {
        try {
            return Files.createDirectories(workDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
