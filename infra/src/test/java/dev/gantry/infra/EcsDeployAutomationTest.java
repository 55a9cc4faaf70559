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
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.sqs.Queue;

class EcsDeployAutomationTest {

    private static final List<String> EXAMPLE_SERVICE_ARNS = List.of(
            "arn:aws:ecs:eu-west-1:111111111111:service/prod/payments-api",
            "arn:aws:ecs:eu-west-1:111111111111:service/staging/checkout-web",
            "arn:aws:ecs:eu-west-1:111111111111:service/staging/payments-api");

    private static final List<String> EXAMPLE_ROLE_ARNS = List.of(
            "arn:aws:iam::111111111111:role/checkout-web-task",
            "arn:aws:iam::111111111111:role/ecs-task-execution",
            "arn:aws:iam::111111111111:role/payments-api-task");

    private static final List<String> DEPLOY_TABLE_ACTIONS =
            List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query");

    /** A gate record is written together with its due-index entry, which is deleted again; the sweep reads in batches. */
    private static final List<String> GATE_TABLE_ACTIONS = List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
            "dynamodb:Query", "dynamodb:DeleteItem", "dynamodb:BatchGetItem");

    /** What active tracing adds to every function's role; X-Ray's write actions have no resource-level permissions. */
    private static final List<String> XRAY_ACTIONS = List.of("xray:PutTraceSegments", "xray:PutTelemetryRecords");

    private static final List<String> TASK_DEFINITION_ACTIONS = List.of("ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition",
            "ecs:ListTaskDefinitions", "ecs:DeregisterTaskDefinition");

    /**
     * The ecs-deploy resources as they were before the other functions joined the construct. A new logical id replaces
     * the resource: the queues would lose their messages, the log group its history. If this fails, undo the change.
     */
    private static final Map<String, String> PINNED_LOGICAL_IDS = Map.of(
            "EcsDeployLogGroup82583B6F", "AWS::Logs::LogGroup",
            "EcsDeployFEAC3EB0", "AWS::Lambda::Function",
            "EcsDeployServiceRoleDC086BD7", "AWS::IAM::Role",
            "EcsDeployDeliveryDeadLetterQueueE5805E7A", "AWS::SQS::Queue",
            "EcsDeployFailedInvocationQueue3F1D8DE7", "AWS::SQS::Queue",
            "EcsDeployImagePushRule9770AF05", "AWS::Events::Rule");

    /** The functions the package serves, with the name prefix of their resources; gate-sweep only where a gate is named. */
    enum Fn {
        ECS_DEPLOY("EcsDeploy", "dev.gantry.fn.ecsdeploy.EcsDeployHandler::handleRequest", "gantry-ecs-deploy"),
        PIPELINE_DEPLOY("EcsDeployPipelineDeploy", "dev.gantry.fn.ecsdeploy.PipelineDeployHandler::handleRequest", "gantry-pipeline-deploy"),
        ROLLOUT_FOLLOW("EcsDeployRolloutFollow", "dev.gantry.fn.ecsdeploy.RolloutHandler::handleRequest", "gantry-rollout-follow"),
        GATE_SWEEP("EcsDeployGateSweep", "dev.gantry.fn.ecsdeploy.GateSweepHandler::handleRequest", "gantry-gate-sweep");

        /** The functions of a configuration in which no environment names a gate. */
        static final List<Fn> WITHOUT_GATES = List.of(ECS_DEPLOY, PIPELINE_DEPLOY, ROLLOUT_FOLLOW);

        /** The functions that move releases into environments, and so evaluate gates on the way. */
        static final List<Fn> DEPLOYERS = List.of(ECS_DEPLOY, PIPELINE_DEPLOY, GATE_SWEEP);

        final String prefix;
        final String handler;
        final String powertoolsService;

        Fn(String prefix, String handler, String powertoolsService) {
            this.prefix = prefix;
            this.handler = handler;
            this.powertoolsService = powertoolsService;
        }

        String functionId(TemplateJson template) {
            return template.idOf("AWS::Lambda::Function", prefix);
        }

        /** The live alias, what the function's triggers invoke. */
        String aliasId(TemplateJson template) {
            return template.idOf("AWS::Lambda::Alias", prefix + "Alias");
        }

        String roleId(TemplateJson template) {
            return template.idOf("AWS::IAM::Role", prefix + "ServiceRole");
        }

        String logGroupId(TemplateJson template) {
            return template.idOf("AWS::Logs::LogGroup", prefix + "LogGroup");
        }

        List<TemplateJson.Statement> statements(TemplateJson template) {
            return template.statementsOfRole(roleId(template));
        }

        List<String> actions(TemplateJson template) {
            return statements(template).stream().flatMap(s -> s.actions().stream()).toList();
        }

        /** The resources of every statement of this function's role allowing {@code action}. */
        List<String> resourcesOf(TemplateJson template, String action) {
            return statements(template).stream().filter(s -> s.actions().contains(action)).flatMap(s -> s.resources().stream()).toList();
        }
    }

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
    void ecsDeployResourcesKeepTheLogicalIdsTheyHad() {
        PINNED_LOGICAL_IDS.forEach((id, type) ->
                assertThat(json.resources(type)).as(type).containsKey(id));
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void eachFunctionRunsItsHandlerOnJava25Arm64(Fn fn) {
        Map<String, Object> properties = TemplateJson.properties(json.resources("AWS::Lambda::Function").get(fn.functionId(json)));

        assertThat(properties).containsEntry("Runtime", "java25")
                .containsEntry("Architectures", List.of("arm64"))
                .containsEntry("Handler", fn.handler)
                .containsEntry("MemorySize", 1024)
                .containsEntry("Timeout", 60);
    }

    @Test
    void handlersAreTheOnesTheFunctionJarDeclares() throws IOException {
        // The jar lists the functions it serves as "name=handler class"; the construct must name the same classes.
        Properties declared = new Properties();
        try (var in = Files.newInputStream(Path.of("../functions/ecs-deploy/src/main/resources/META-INF/gantry/functions.properties"))) {
            declared.load(in);
        }

        assertThat(declared).containsEntry("ecs-deploy", EcsDeployAutomation.HANDLER.replace("::handleRequest", ""))
                .containsEntry("pipeline-deploy", EcsDeployAutomation.PIPELINE_DEPLOY_HANDLER.replace("::handleRequest", ""))
                .containsEntry("rollout-follow", EcsDeployAutomation.ROLLOUT_FOLLOW_HANDLER.replace("::handleRequest", ""))
                .containsEntry("gate-sweep", EcsDeployAutomation.GATE_SWEEP_HANDLER.replace("::handleRequest", ""));
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void eachFunctionEnvironmentNamesConfigTableAndItsPowertoolsService(Fn fn) {
        String tableId = template.getResourceId("AWS::DynamoDB::Table");
        Map<String, Object> properties = TemplateJson.properties(json.resources("AWS::Lambda::Function").get(fn.functionId(json)));

        assertThat(properties.get("Environment")).isEqualTo(Map.of("Variables", Map.of(
                "GANTRY_CONFIG", "/var/task/gantry.yml",
                "GANTRY_TABLE", Map.of("Ref", tableId),
                "POWERTOOLS_SERVICE_NAME", fn.powertoolsService,
                "JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1")));
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void eachFunctionLogsJsonToItsOwnLogGroupKeptOneMonthAndMayWriteNoOther(Fn fn) {
        String logGroupId = fn.logGroupId(json);
        Map<String, Object> properties = TemplateJson.properties(json.resources("AWS::Lambda::Function").get(fn.functionId(json)));

        assertThat(properties.get("LoggingConfig")).isEqualTo(Map.of("LogGroup", Map.of("Ref", logGroupId),
                "LogFormat", "JSON", "ApplicationLogLevel", "INFO", "SystemLogLevel", "WARN"));
        assertThat(TemplateJson.properties(json.resources("AWS::Logs::LogGroup").get(logGroupId))).containsEntry("RetentionInDays", 30);
        assertThat(fn.statements(json).stream().filter(s -> s.actions().stream().anyMatch(a -> a.startsWith("logs:")))
                .flatMap(s -> s.resources().stream())).containsOnly("${" + logGroupId + ".Arn}");
    }

    @Test
    void noRoleHasAnAccountWideManagedPolicy() {
        template.resourceCountIs("AWS::IAM::Role", Fn.values().length);
        template.allResourcesProperties("AWS::IAM::Role", Map.of("ManagedPolicyArns", Match.absent()));
    }

    @Test
    void allFunctionsShareOnePackageHoldingTheJarUnderLibAndTheConfigAtItsRoot() throws IOException {
        List<Object> keys = json.resources("AWS::Lambda::Function").values().stream()
                .map(f -> TemplateJson.map(TemplateJson.properties(f).get("Code")).get("S3Key"))
                .distinct()
                .toList();
        assertThat(keys).hasSize(1);
        Path asset = outdir.resolve("asset." + assetHash(json));

        assertThat(asset.resolve("lib/gantry-ecs-deploy-lambda.jar")).hasSameBinaryContentAs(jar);
        assertThat(asset.resolve("gantry.yml")).hasSameBinaryContentAs(TestConfigs.EXAMPLE);
        try (var entries = Files.list(asset)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("lib", "gantry.yml");
        }
        try (var assets = Files.list(outdir)) {
            assertThat(assets.filter(p -> p.getFileName().toString().startsWith("asset."))).hasSize(1);
        }
    }

    @Test
    void imagePushRuleMatchesSuccessfulPushesToExactlyTheServiceRepositories() {
        Map<String, Object> rule = TemplateJson.properties(json.resources("AWS::Events::Rule").get(json.idOf("AWS::Events::Rule", "EcsDeployImagePushRule")));

        assertThat(rule.get("EventPattern")).isEqualTo(Map.of(
                "source", List.of("aws.ecr"),
                "detail-type", List.of("ECR Image Action"),
                "detail", Map.of(
                        "action-type", List.of("PUSH"),
                        "result", List.of("SUCCESS"),
                        "repository-name", List.of("checkout-web", "payments-api"))));
        assertThat(rule).containsEntry("State", "ENABLED").doesNotContainKey("EventBusName");
        assertThat(targetOf(rule).get("Arn")).isEqualTo(Map.of("Ref", Fn.ECS_DEPLOY.aliasId(json)));
    }

    @Test
    void rolloutDeploymentRuleMatchesDeploymentChangesOfExactlyTheConfiguredServices() {
        Map<String, Object> rule = TemplateJson.properties(json.resources("AWS::Events::Rule")
                .get(json.idOf("AWS::Events::Rule", "EcsDeployRolloutDeploymentRule")));
        Map<String, Object> pattern = TemplateJson.map(rule.get("EventPattern"));

        assertThat(pattern).containsOnlyKeys("source", "detail-type", "resources");
        assertThat(pattern.get("source")).isEqualTo(List.of("aws.ecs"));
        assertThat(pattern.get("detail-type")).isEqualTo(List.of("ECS Deployment State Change"));
        assertThat(TemplateJson.list(pattern.get("resources"))).extracting(TemplateJson::render)
                .containsExactlyElementsOf(EXAMPLE_SERVICE_ARNS);
        assertThat(targetOf(rule).get("Arn")).isEqualTo(Map.of("Ref", Fn.ROLLOUT_FOLLOW.aliasId(json)));
    }

    @Test
    void rolloutTaskRuleMatchesStoppedTasksOfTheConfiguredClustersAndServices() {
        Map<String, Object> rule = TemplateJson.properties(json.resources("AWS::Events::Rule")
                .get(json.idOf("AWS::Events::Rule", "EcsDeployRolloutTaskStoppedRule")));
        Map<String, Object> pattern = TemplateJson.map(rule.get("EventPattern"));
        Map<String, Object> detail = TemplateJson.map(pattern.get("detail"));

        assertThat(pattern.get("source")).isEqualTo(List.of("aws.ecs"));
        assertThat(pattern.get("detail-type")).isEqualTo(List.of("ECS Task State Change"));
        assertThat(detail).containsOnlyKeys("lastStatus", "clusterArn", "group");
        assertThat(detail.get("lastStatus")).isEqualTo(List.of("STOPPED"));
        assertThat(TemplateJson.list(detail.get("clusterArn"))).extracting(TemplateJson::render).containsExactly(
                "arn:aws:ecs:eu-west-1:111111111111:cluster/prod",
                "arn:aws:ecs:eu-west-1:111111111111:cluster/staging");
        assertThat(detail.get("group")).isEqualTo(List.of("service:checkout-web", "service:payments-api"));
        assertThat(targetOf(rule).get("Arn")).isEqualTo(Map.of("Ref", Fn.ROLLOUT_FOLLOW.aliasId(json)));
    }

    @Test
    void everyRuleParksEventsInTheSharedDeliveryDeadLetterQueueAndEventRulesRetryFirst() {
        String dlqId = json.idOf("AWS::SQS::Queue", "EcsDeployDeliveryDeadLetterQueue");
        String sweepRuleId = json.idOf("AWS::Events::Rule", "EcsDeployGateSweepRule");
        assertThat(json.resources("AWS::Events::Rule")).hasSize(4);
        json.resources("AWS::Events::Rule").forEach((ruleId, resource) -> {
            Map<String, Object> target = targetOf(TemplateJson.properties(resource));
            assertThat(target.get("DeadLetterConfig")).as(ruleId).isEqualTo(Map.of("Arn", Map.of("Fn::GetAtt", List.of(dlqId, "Arn"))));
            if (!ruleId.equals(sweepRuleId)) {
                assertThat(target.get("RetryPolicy")).as(ruleId).isEqualTo(Map.of("MaximumEventAgeInSeconds", 3600, "MaximumRetryAttempts", 8));
            }
            // EventBridge may write to the dead-letter queue, but only on behalf of a Gantry rule.
            template.hasResourceProperties("AWS::SQS::QueuePolicy", Map.of(
                    "Queues", List.of(Map.of("Ref", dlqId)),
                    "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                            "Action", "sqs:SendMessage",
                            "Principal", Map.of("Service", "events.amazonaws.com"),
                            "Condition", Map.of("ArnEquals", Map.of("aws:SourceArn", Map.of("Fn::GetAtt", List.of(ruleId, "Arn")))))))))));
        });
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void failedInvocationsOfTheLiveAliasGoToTheSharedFailureQueueAfterTheirRetries(Fn fn) {
        String failureQueueId = json.idOf("AWS::SQS::Queue", "EcsDeployFailedInvocationQueue");
        int retries = fn == Fn.ROLLOUT_FOLLOW ? 2 : 0;

        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                "FunctionName", Map.of("Ref", fn.functionId(json)),
                "Qualifier", TemplateJson.qualifierOf(fn.aliasId(json)),
                "MaximumRetryAttempts", retries,
                "MaximumEventAgeInSeconds", 3600,
                "DestinationConfig", Map.of("OnFailure", Map.of(
                        "Destination", Map.of("Fn::GetAtt", List.of(failureQueueId, "Arn"))))));
        assertThat(fn.resourcesOf(json, "sqs:SendMessage")).containsOnly("${" + failureQueueId + ".Arn}");
    }

    @Test
    void gateSweepRuleRunsGateSweepEveryMinuteAndNeverDeliversALateSweep() {
        Map<String, Object> rule = TemplateJson.properties(json.resources("AWS::Events::Rule").get(json.idOf("AWS::Events::Rule", "EcsDeployGateSweepRule")));
        Map<String, Object> target = targetOf(rule);

        assertThat(rule).containsEntry("ScheduleExpression", "rate(1 minute)").containsEntry("State", "ENABLED").doesNotContainKey("EventPattern");
        assertThat(target.get("Arn")).isEqualTo(Map.of("Ref", Fn.GATE_SWEEP.aliasId(json)));
        // The next minute's sweep does the same work: neither EventBridge nor Lambda tries a failed one again.
        assertThat(target.get("RetryPolicy")).isEqualTo(Map.of("MaximumEventAgeInSeconds", 60, "MaximumRetryAttempts", 0));
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                "FunctionName", Map.of("Ref", Fn.GATE_SWEEP.functionId(json)),
                "Qualifier", TemplateJson.qualifierOf(Fn.GATE_SWEEP.aliasId(json)),
                "MaximumRetryAttempts", 0));
        template.hasResourceProperties("AWS::Lambda::Permission", Map.of(
                "Action", "lambda:InvokeFunction",
                "FunctionName", Map.of("Ref", Fn.GATE_SWEEP.aliasId(json)),
                "Principal", "events.amazonaws.com",
                "SourceArn", Map.of("Fn::GetAtt", List.of(json.idOf("AWS::Events::Rule", "EcsDeployGateSweepRule"), "Arn"))));
    }

    @Test
    void onlyRolloutFollowingRetriesAFailedInvocation() {
        template.resourceCountIs("AWS::Lambda::EventInvokeConfig", 4);
        template.resourcePropertiesCountIs("AWS::Lambda::EventInvokeConfig", Map.of("MaximumRetryAttempts", 0), 3);
        template.resourcePropertiesCountIs("AWS::Lambda::EventInvokeConfig", Map.of("MaximumRetryAttempts", 2), 1);
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
    void deployersDescribeAndUpdateOnlyTheConfiguredServices() {
        for (Fn fn : Fn.DEPLOYERS) {
            for (String action : List.of("ecs:UpdateService", "ecs:DescribeServices")) {
                assertThat(fn.resourcesOf(json, action)).as(fn + " " + action).containsExactlyInAnyOrderElementsOf(EXAMPLE_SERVICE_ARNS);
            }
        }
    }

    @Test
    void rolloutFollowMayDescribeTheConfiguredServicesAndUseTheTableButChangeNothingInEcs() {
        assertThat(Fn.ROLLOUT_FOLLOW.resourcesOf(json, "ecs:DescribeServices")).containsExactlyInAnyOrderElementsOf(EXAMPLE_SERVICE_ARNS);
        assertThat(Fn.ROLLOUT_FOLLOW.actions(json)).containsExactlyInAnyOrder(
                "ecs:DescribeServices", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query",
                "logs:CreateLogStream", "logs:PutLogEvents",
                // The failure destination: Lambda sends the invocation record with the function's role.
                "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                "xray:PutTraceSegments", "xray:PutTelemetryRecords");
    }

    @Test
    void onlyActionsWithoutResourceLevelPermissionsOrWithCompositeAlarmsAreAllowedOnEveryResource() {
        for (Fn fn : List.of(Fn.ECS_DEPLOY, Fn.GATE_SWEEP)) {
            assertThat(onEveryResource(fn, json)).as(fn.name())
                    .containsExactlyInAnyOrderElementsOf(concat(TASK_DEFINITION_ACTIONS,
                            concat(List.of("cloudwatch:DescribeAlarms"), XRAY_ACTIONS)));
        }
        assertThat(onEveryResource(Fn.PIPELINE_DEPLOY, json)).containsExactlyInAnyOrderElementsOf(concat(TASK_DEFINITION_ACTIONS,
                concat(List.of("cloudwatch:DescribeAlarms", "codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"),
                        XRAY_ACTIONS)));
        assertThat(onEveryResource(Fn.ROLLOUT_FOLLOW, json)).containsExactlyInAnyOrderElementsOf(XRAY_ACTIONS);
    }

    @Test
    void gateSweepMayDoInEcsExactlyWhatEcsDeployMay() {
        assertThat(ecsStatements(Fn.GATE_SWEEP, json)).isEqualTo(ecsStatements(Fn.ECS_DEPLOY, json)).isNotEmpty();
    }

    @Test
    void deployersReadTheAlarmsOfTheGatesInUseAndRolloutFollowReadsNoGate() {
        for (Fn fn : Fn.DEPLOYERS) {
            assertThat(fn.statements(json).stream().filter(s -> s.actions().contains("cloudwatch:DescribeAlarms"))).as(fn.name())
                    .singleElement().satisfies(s -> {
                        assertThat(s.actions()).containsExactly("cloudwatch:DescribeAlarms");
                        assertThat(s.resources()).containsExactly("*");
                    });
        }
        assertThat(Fn.ROLLOUT_FOLLOW.actions(json)).noneMatch(a -> a.startsWith("cloudwatch:") || a.startsWith("ssm:") || a.startsWith("lambda:"));
        // The example's gate has no change calendar and no custom check.
        assertThat(json.identityStatements()).flatMap(TemplateJson.Statement::actions)
                .noneMatch(a -> a.startsWith("ssm:") || a.startsWith("lambda:"));
    }

    @Test
    void deployersReadTheChangeCalendarsAndInvokeTheCustomChecksOfTheGatesInUseOnly(@TempDir Path dir) {
        TemplateJson other = synthesize(dir, TestConfigs.WITH_GATE_CHECKS);

        for (Fn fn : Fn.DEPLOYERS) {
            assertThat(fn.resourcesOf(other, "ssm:GetCalendarState")).as(fn.name()).containsExactly(
                    "arn:aws:ssm:us-east-1:999999999999:document/shared-freeze",
                    "arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:document/release-freeze");
            assertThat(fn.resourcesOf(other, "lambda:InvokeFunction")).as(fn.name()).containsExactly(
                    "arn:aws:lambda:${AWS::Region}:444444444444:function:load-test",
                    "arn:aws:lambda:us-east-1:999999999999:function:change-ticket:live",
                    "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:error-budget-check");
            // Only the unused gate watches alarms.
            assertThat(fn.actions(other)).as(fn.name()).doesNotContain("cloudwatch:DescribeAlarms");
        }
        assertThat(Fn.ROLLOUT_FOLLOW.actions(other)).noneMatch(a -> a.startsWith("ssm:") || a.startsWith("lambda:"));
        assertThat(other.identityStatements()).flatMap(TemplateJson.Statement::resources)
                .noneMatch(r -> r.contains("never-invoked"));
    }

    @Test
    void aGateThatOnlyNeedsApprovalsGrantsNoAlarmCalendarOrFunctionAccess(@TempDir Path dir) {
        TemplateJson other = synthesize(dir, TestConfigs.GATE_WITHOUT_READS);

        assertThat(other.identityStatements()).flatMap(TemplateJson.Statement::actions)
                .noneMatch(a -> a.startsWith("cloudwatch:") || a.startsWith("ssm:") || a.startsWith("lambda:"));
        // The sweep still looks at the releases the approvals hold, and keeps their gate records.
        assertThat(other.resources("AWS::Lambda::Function")).hasSize(4);
        assertThat(Fn.GATE_SWEEP.actions(other)).filteredOn(a -> a.startsWith("dynamodb:")).containsExactlyInAnyOrderElementsOf(GATE_TABLE_ACTIONS);
    }

    @Test
    void withoutAGatedEnvironmentThereIsNoSweepAndNoGateAccess(@TempDir Path dir) {
        TemplateJson other = synthesize(dir, TestConfigs.WITHOUT_ROLES);

        assertThat(other.resources("AWS::Lambda::Function")).hasSize(3);
        assertThat(other.resources("AWS::Events::Rule")).hasSize(3)
                .allSatisfy((id, rule) -> assertThat(TemplateJson.properties(rule)).doesNotContainKey("ScheduleExpression"));
        assertThat(other.identityStatements()).flatMap(TemplateJson.Statement::actions)
                .noneMatch(a -> a.startsWith("cloudwatch:") || a.startsWith("ssm:") || a.startsWith("lambda:")
                        || a.equals("dynamodb:DeleteItem") || a.equals("dynamodb:BatchGetItem"));
    }

    @Test
    void onlyPipelineDeployMayReportJobResults() {
        assertThat(json.identityStatements()).flatMap(TemplateJson.Statement::actions)
                .filteredOn(a -> a.startsWith("codepipeline:"))
                .containsExactlyInAnyOrder("codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult");
        assertThat(Fn.PIPELINE_DEPLOY.actions(json)).contains("codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult");
    }

    @Test
    void pipelineDeployDescribesImagesOnlyInTheServiceRepositoriesWhereTheyRun() {
        assertThat(json.statementsAllowing("ecr:DescribeImages")).singleElement().satisfies(s -> {
            assertThat(s.actions()).containsExactly("ecr:DescribeImages");
            assertThat(s.resources()).containsExactly(
                    "arn:aws:ecr:eu-west-1:111111111111:repository/checkout-web",
                    "arn:aws:ecr:eu-west-1:111111111111:repository/payments-api");
        });
        assertThat(Fn.PIPELINE_DEPLOY.actions(json)).contains("ecr:DescribeImages");
    }

    @Test
    void noFunctionMayReadS3TheJobsOwnCredentialsReadTheArtifacts() {
        assertThat(json.identityStatements()).flatMap(TemplateJson.Statement::actions).noneMatch(a -> a.startsWith("s3:"));
    }

    @Test
    void taggingIsAllowedOnlyWhileRegisteringATaskDefinition() {
        for (Fn fn : Fn.DEPLOYERS) {
            assertThat(fn.statements(json).stream().filter(s -> s.actions().contains("ecs:TagResource"))).as(fn.name())
                    .singleElement().satisfies(s -> {
                        assertThat(s.actions()).containsExactly("ecs:TagResource");
                        assertThat(s.resources()).containsExactly("arn:aws:ecs:eu-west-1:111111111111:task-definition/*");
                        assertThat(s.condition()).isEqualTo(Map.of("StringEquals", Map.of("ecs:CreateAction", "RegisterTaskDefinition")));
                    });
        }
        assertThat(Fn.ROLLOUT_FOLLOW.actions(json)).doesNotContain("ecs:TagResource");
    }

    @Test
    void passRoleOnlyOnTheConfiguredRolesAndOnlyToEcsTasks() {
        for (Fn fn : Fn.DEPLOYERS) {
            assertThat(fn.statements(json).stream().filter(s -> s.actions().contains("iam:PassRole"))).as(fn.name())
                    .singleElement().satisfies(s -> {
                        assertThat(s.actions()).containsExactly("iam:PassRole");
                        assertThat(s.resources()).containsExactlyElementsOf(EXAMPLE_ROLE_ARNS);
                        assertThat(s.condition()).isEqualTo(Map.of("StringEquals", Map.of("iam:PassedToService", "ecs-tasks.amazonaws.com")));
                    });
        }
        assertThat(Fn.ROLLOUT_FOLLOW.actions(json)).noneMatch(a -> a.startsWith("iam:"));
    }

    @Test
    void noRoleMayAssumeARoleWhenTheConfigurationNamesNone() {
        assertThat(json.identityStatements()).flatMap(TemplateJson.Statement::actions).noneMatch(a -> a.startsWith("sts:"));
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void stateTableAccessIsLimitedToItemReadsWritesQueriesAndWhatGateRecordsNeed(Fn fn) {
        String tableId = template.getResourceId("AWS::DynamoDB::Table");
        List<String> expected = Fn.DEPLOYERS.contains(fn) ? GATE_TABLE_ACTIONS : DEPLOY_TABLE_ACTIONS;
        List<TemplateJson.Statement> onTable = fn.statements(json).stream()
                .filter(s -> s.resources().contains("${" + tableId + ".Arn}"))
                .toList();

        assertThat(onTable).flatMap(TemplateJson.Statement::actions).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(fn.actions(json)).filteredOn(a -> a.startsWith("dynamodb:")).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void noStatementAllowsEveryActionOfAService() {
        assertThat(json.identityStatements()).isNotEmpty().allSatisfy(s -> {
            assertThat(s.effect()).isEqualTo("Allow");
            assertThat(s.actions()).noneMatch(a -> a.equals("*") || a.endsWith(":*"));
        });
    }

    @Test
    void sameInputsSynthesizeTheSameTemplate(@TempDir Path otherOut) {
        Template again = synthesize(TestConfigs.example(), TestConfigs.EXAMPLE, jar, otherOut);

        assertThat(again.toJSON()).isEqualTo(template.toJSON());
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void theLiveAliasPointsAtAVersionPublishedFromTheFunctionAsFinallyConfigured(Fn fn, @TempDir Path dir) {
        // The notify queue reaches the environment after the function is built, as the stack wires ChatOps last.
        App app = new App(AppProps.builder().outdir(dir.toString()).build());
        Stack stack = new Stack(app, "Test");
        EcsDeployAutomation automation = new EcsDeployAutomation(stack, "EcsDeploy", EcsDeployAutomationProps.builder()
                .config(TestConfigs.example())
                .configFile(TestConfigs.EXAMPLE)
                .functionJar(jar)
                .table(new GantryStateTable(stack, "State").getTable())
                .build());
        automation.sendNotificationsTo(Queue.Builder.create(stack, "Notify").fifo(true).build());
        TemplateJson notifying = new TemplateJson(Template.fromStack(stack));

        String version = versionBehind(fn.aliasId(notifying), notifying);
        assertThat(TemplateJson.properties(notifying.resources("AWS::Lambda::Version").get(version)))
                .isEqualTo(Map.of("FunctionName", Map.of("Ref", fn.functionId(notifying))));
        // A version is named after the configuration it was published from: a change made after the function was built
        // publishes a new one, rather than leaving the alias on the version without it.
        assertThat(version).isNotEqualTo(versionBehind(fn.aliasId(json), json));
    }

    @Test
    void environmentsReachedThroughARoleGetTheirEcsPermissionsFromThatRole(@TempDir Path dir) {
        TemplateJson other = synthesize(dir, TestConfigs.WITH_ROLES);
        List<String> roles = List.of("arn:aws:iam::333333333333:role/gantry-deployer", "arn:aws:iam::444444444444:role/gantry-deployer");

        for (Fn fn : Fn.WITHOUT_GATES) {
            assertThat(fn.statements(other).stream().filter(s -> s.actions().contains("sts:AssumeRole"))).as(fn.name())
                    .singleElement().satisfies(s -> {
                        assertThat(s.actions()).containsExactly("sts:AssumeRole");
                        assertThat(s.resources()).containsExactlyElementsOf(roles);
                    });
            assertThat(fn.resourcesOf(other, "ecs:DescribeServices")).as(fn.name())
                    .containsExactly("arn:aws:ecs:us-east-1:222222222222:service/main/orders");
        }
        for (Fn fn : List.of(Fn.ECS_DEPLOY, Fn.PIPELINE_DEPLOY)) {
            assertThat(fn.resourcesOf(other, "ecs:UpdateService")).containsExactly("arn:aws:ecs:us-east-1:222222222222:service/main/orders");
            assertThat(fn.resourcesOf(other, "ecs:TagResource")).containsExactly("arn:aws:ecs:us-east-1:222222222222:task-definition/*");
            assertThat(fn.resourcesOf(other, "iam:PassRole")).containsExactly("arn:aws:iam::222222222222:role/orders-task");
        }
        // Rollouts are followed in every account, whichever credentials describe them.
        Map<String, Object> deployments = TemplateJson.map(TemplateJson.properties(other.resources("AWS::Events::Rule")
                .get(other.idOf("AWS::Events::Rule", "EcsDeployRolloutDeploymentRule"))).get("EventPattern"));
        assertThat(TemplateJson.list(deployments.get("resources"))).extracting(TemplateJson::render).containsExactly(
                "arn:aws:ecs:us-east-1:222222222222:service/main/orders",
                "arn:aws:ecs:us-west-2:333333333333:service/main/orders",
                "arn:aws:ecs:us-west-2:444444444444:service/main/billing");
    }

    @Test
    void whenEveryEnvironmentIsReachedThroughARoleGantrysRolesHoldNoEcsOrPassRolePermission(@TempDir Path dir) {
        TemplateJson other = synthesize(dir, TestConfigs.ONLY_ROLES);

        assertThat(other.identityStatements()).flatMap(TemplateJson.Statement::actions)
                .noneMatch(a -> a.startsWith("ecs:") || a.startsWith("iam:"));
        assertThat(other.identityStatements().stream().filter(s -> s.resources().contains("*")).flatMap(s -> s.actions().stream())
                        .filter(a -> !XRAY_ACTIONS.contains(a)))
                .as("only the job results remain on every resource, beside the traces")
                .containsExactlyInAnyOrder("codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult");
        assertThat(other.statementsAllowing("sts:AssumeRole")).hasSize(3);
    }

    @Test
    void configurationWithoutRolesGrantsNoPassRoleAndNoAssumeRole(@TempDir Path dir) {
        TemplateJson other = synthesize(dir, TestConfigs.WITHOUT_ROLES);

        assertThat(other.statementsAllowing("iam:PassRole")).isEmpty();
        assertThat(other.identityStatements()).flatMap(TemplateJson.Statement::actions)
                .noneMatch(a -> a.startsWith("iam:") || a.startsWith("sts:"));
        // The other inputs are still honoured: every environment's service, and task definitions in each
        // account and region the services run in.
        assertThat(Fn.ECS_DEPLOY.resourcesOf(other, "ecs:UpdateService")).containsExactlyInAnyOrder(
                "arn:aws:ecs:us-east-1:222222222222:service/main/orders",
                "arn:aws:ecs:us-west-2:333333333333:service/main/billing",
                "arn:aws:ecs:us-west-2:333333333333:service/main/orders");
        assertThat(Fn.ECS_DEPLOY.resourcesOf(other, "ecs:TagResource")).containsExactly(
                "arn:aws:ecs:us-east-1:222222222222:task-definition/*",
                "arn:aws:ecs:us-west-2:333333333333:task-definition/*");
        assertThat(Fn.PIPELINE_DEPLOY.resourcesOf(other, "ecr:DescribeImages")).containsExactly(
                "arn:aws:ecr:us-east-1:222222222222:repository/team/orders",
                "arn:aws:ecr:us-west-2:333333333333:repository/team/billing",
                "arn:aws:ecr:us-west-2:333333333333:repository/team/orders");
        assertThat(TemplateJson.map(TemplateJson.map(TemplateJson.properties(other.resources("AWS::Events::Rule")
                .get(other.idOf("AWS::Events::Rule", "EcsDeployImagePushRule"))).get("EventPattern")).get("detail")).get("repository-name"))
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

    @Test
    void publicGettersHandOutTheResourcesTheyName(@TempDir Path dir) {
        App app = new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).build());
        Stack stack = new Stack(app, "Test");
        EcsDeployAutomation automation = new EcsDeployAutomation(stack, "EcsDeploy", EcsDeployAutomationProps.builder()
                .config(TestConfigs.example())
                .configFile(TestConfigs.EXAMPLE)
                .functionJar(jar)
                .table(new GantryStateTable(stack, "State").getTable())
                .build());

        // The getters hand out the live aliases, which is what anything invoking a function must name.
        assertThat(automation.getFunction().getNode().getPath()).isEqualTo("Test/EcsDeploy/Alias");
        assertThat(automation.getFunction().getAliasName()).isEqualTo("live");
        assertThat(automation.getFunction().getLambda().getNode().getPath()).isEqualTo("Test/EcsDeploy/Resource");
        assertThat(automation.getPipelineDeployFunction().getNode().getPath()).isEqualTo("Test/EcsDeploy/PipelineDeployAlias");
        assertThat(automation.getPipelineDeployFunction().getLambda().getNode().getPath()).isEqualTo("Test/EcsDeploy/PipelineDeploy");
        assertThat(automation.getRolloutFollowFunction().getNode().getPath()).isEqualTo("Test/EcsDeploy/RolloutFollowAlias");
        assertThat(automation.getLogGroup().getNode().getPath()).isEqualTo("Test/EcsDeploy/LogGroup");
        assertThat(automation.getRule().getNode().getPath()).isEqualTo("Test/EcsDeploy/ImagePushRule");
        assertThat(automation.getRolloutDeploymentRule().getNode().getPath()).isEqualTo("Test/EcsDeploy/RolloutDeploymentRule");
        assertThat(automation.getRolloutTaskRule().getNode().getPath()).isEqualTo("Test/EcsDeploy/RolloutTaskStoppedRule");
        assertThat(automation.getGateSweepFunction()).get().extracting(f -> f.getNode().getPath())
                .isEqualTo("Test/EcsDeploy/GateSweepAlias");
        assertThat(automation.getGateSweepRule()).get().extracting(r -> r.getNode().getPath()).isEqualTo("Test/EcsDeploy/GateSweepRule");
        assertThat(automation.getDeliveryDeadLetterQueue().getNode().getPath()).isEqualTo("Test/EcsDeploy/DeliveryDeadLetterQueue");
        assertThat(automation.getFailedInvocationQueue().getNode().getPath()).isEqualTo("Test/EcsDeploy/FailedInvocationQueue");
        assertThat(automation.getNode().getDefaultChild()).isSameAs(automation.getFunction().getLambda());
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

    private static TemplateJson synthesize(Path dir, String yaml) {
        Path config = TestConfigs.write(dir, "gantry.yml", yaml);
        return new TemplateJson(synthesize(TestConfigs.parse(yaml), config, jar, dir.resolve("cdk.out")));
    }

    private static List<String> onEveryResource(Fn fn, TemplateJson template) {
        return fn.statements(template).stream().filter(s -> s.resources().contains("*")).flatMap(s -> s.actions().stream()).toList();
    }

    /** The ECS, PassRole and AssumeRole statements of a function, as comparable maps. */
    private static List<Map<String, Object>> ecsStatements(Fn fn, TemplateJson template) {
        return fn.statements(template).stream()
                .filter(s -> s.actions().stream().anyMatch(a -> a.startsWith("ecs:") || a.startsWith("iam:") || a.startsWith("sts:")))
                .map(TemplateJson.Statement::raw)
                .toList();
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
    }

    /** The logical id of the version an alias points at. */
    private static String versionBehind(String aliasId, TemplateJson template) {
        Map<String, Object> alias = TemplateJson.properties(template.resources("AWS::Lambda::Alias").get(aliasId));
        assertThat(alias).containsEntry("Name", "live");
        return (String) TemplateJson.list(TemplateJson.map(alias.get("FunctionVersion")).get("Fn::GetAtt")).get(0);
    }

    private static Map<String, Object> targetOf(Map<String, Object> ruleProperties) {
        List<Object> targets = TemplateJson.list(ruleProperties.get("Targets"));
        assertThat(targets).hasSize(1);
        return TemplateJson.map(targets.get(0));
    }

    /** The asset hash the functions' code points at, which names its directory in the cloud assembly. */
    private static String assetHash(TemplateJson template) {
        Map<String, Object> code = TemplateJson.map(TemplateJson.properties(
                template.resources("AWS::Lambda::Function").get(template.idOf("AWS::Lambda::Function", "EcsDeploy"))).get("Code"));
        String key = (String) code.get("S3Key");
        assertThat(key).endsWith(".zip");
        return key.substring(0, key.length() - ".zip".length());
    }

    private static Path mkdir(String name) {
        try {
            return Files.createDirectories(workDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
