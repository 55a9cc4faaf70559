package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.pipeline.PipelineTarget;
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
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.StageOptions;
import software.amazon.awscdk.services.codepipeline.actions.S3SourceAction;
import software.amazon.awscdk.services.codepipeline.actions.S3Trigger;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.sqs.Queue;

class ReleaseGatesTest {

    private static final List<String> EXAMPLE_REVISION_ARNS = List.of(
            "arn:aws:ecs:eu-west-1:111111111111:service-revision/prod/payments-api/*",
            "arn:aws:ecs:eu-west-1:111111111111:service-revision/staging/checkout-web/*",
            "arn:aws:ecs:eu-west-1:111111111111:service-revision/staging/payments-api/*");

    private static final List<String> GATE_TABLE_ACTIONS = List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
            "dynamodb:Query", "dynamodb:DeleteItem", "dynamodb:BatchGetItem");

    private static final String TRIGGERED_BY = "#{SourceVariables.AuthorDisplayName}";

    /** The two functions the release-gate package serves, with the name prefix of their resources. */
    enum Fn {
        PIPELINE_GATE("ReleaseGatesPipelineGate", "dev.gantry.fn.releasegate.PipelineGateHandler::handleRequest", "gantry-pipeline-gate"),
        ECS_GATE_HOOK("ReleaseGatesEcsGateHook", "dev.gantry.fn.releasegate.EcsHookHandler::handleRequest", "gantry-ecs-gate-hook");

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

        /** The live alias, what the gate action and ECS invoke. */
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

        List<String> resourcesOf(TemplateJson template, String action) {
            return statements(template).stream().filter(s -> s.actions().contains(action)).flatMap(s -> s.resources().stream()).toList();
        }
    }

    @TempDir
    static Path workDir;

    private static Path jar;
    private static Path outdir;
    private static Template template;
    private static TemplateJson json;

    @BeforeAll
    static void synthesizeExample() {
        jar = TestConfigs.fakeReleaseGateJar(mkdir("jar"), "example");
        outdir = workDir.resolve("example.out");
        template = Template.fromStack(Stack.of(build(TestConfigs.example(), TestConfigs.EXAMPLE, jar, outdir)));
        json = new TemplateJson(template);
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void eachFunctionRunsItsHandlerOnJava25Arm64WithTheConfigTableAndItsPowertoolsService(Fn fn) {
        String tableId = template.getResourceId("AWS::DynamoDB::Table");
        Map<String, Object> properties = TemplateJson.properties(json.resources("AWS::Lambda::Function").get(fn.functionId(json)));

        assertThat(properties).containsEntry("Runtime", "java25")
                .containsEntry("Architectures", List.of("arm64"))
                .containsEntry("Handler", fn.handler)
                .containsEntry("MemorySize", 1024)
                .containsEntry("Timeout", 60);
        assertThat(properties.get("Environment")).isEqualTo(Map.of("Variables", Map.of(
                "GANTRY_CONFIG", "/var/task/gantry.yml",
                "GANTRY_TABLE", Map.of("Ref", tableId),
                "POWERTOOLS_SERVICE_NAME", fn.powertoolsService,
                "JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1")));
    }

    @Test
    void handlersAreTheOnesTheReleaseGateJarDeclares() throws IOException {
        Properties declared = new Properties();
        try (var in = Files.newInputStream(Path.of("../functions/release-gate/src/main/resources/META-INF/gantry/functions.properties"))) {
            declared.load(in);
        }

        assertThat(declared).containsEntry("pipeline-gate", ReleaseGates.PIPELINE_GATE_HANDLER.replace("::handleRequest", ""))
                .containsEntry("ecs-gate-hook", ReleaseGates.ECS_GATE_HOOK_HANDLER.replace("::handleRequest", ""));
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void eachFunctionLogsJsonToItsOwnLogGroupAndMayWriteNoOther(Fn fn) {
        String logGroupId = fn.logGroupId(json);
        Map<String, Object> properties = TemplateJson.properties(json.resources("AWS::Lambda::Function").get(fn.functionId(json)));

        assertThat(properties.get("LoggingConfig")).isEqualTo(Map.of("LogGroup", Map.of("Ref", logGroupId),
                "LogFormat", "JSON", "ApplicationLogLevel", "INFO", "SystemLogLevel", "WARN"));
        assertThat(TemplateJson.properties(json.resources("AWS::Logs::LogGroup").get(logGroupId))).containsEntry("RetentionInDays", 30);
        assertThat(fn.resourcesOf(json, "logs:PutLogEvents")).containsOnly("${" + logGroupId + ".Arn}");
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void failedInvocationsOfTheLiveAliasAreNotRetriedAndGoToTheGivenQueue(Fn fn) {
        String queueId = json.idOf("AWS::SQS::Queue", "Failures");

        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                "FunctionName", Map.of("Ref", fn.functionId(json)),
                "Qualifier", TemplateJson.qualifierOf(fn.aliasId(json)),
                "MaximumRetryAttempts", 0,
                "MaximumEventAgeInSeconds", 3600,
                "DestinationConfig", Map.of("OnFailure", Map.of("Destination", Map.of("Fn::GetAtt", List.of(queueId, "Arn"))))));
        assertThat(fn.resourcesOf(json, "sqs:SendMessage")).containsOnly("${" + queueId + ".Arn}");
    }

    @Test
    void bothFunctionsShareOnePackageHoldingTheReleaseGateJarAndTheConfig() throws IOException {
        List<Object> keys = json.resources("AWS::Lambda::Function").values().stream()
                .map(f -> TemplateJson.map(TemplateJson.properties(f).get("Code")).get("S3Key"))
                .distinct()
                .toList();
        assertThat(keys).singleElement().asString().endsWith(".zip");
        Path asset = outdir.resolve("asset." + ((String) keys.get(0)).replace(".zip", ""));

        assertThat(asset.resolve("lib/gantry-release-gate-lambda.jar")).hasSameBinaryContentAs(jar);
        assertThat(asset.resolve("gantry.yml")).hasSameBinaryContentAs(TestConfigs.EXAMPLE);
        try (var entries = Files.list(asset)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("lib", "gantry.yml");
        }
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void eachFunctionKeepsGateRecordsInTheStateTable(Fn fn) {
        String tableId = template.getResourceId("AWS::DynamoDB::Table");

        assertThat(fn.statements(json).stream().filter(s -> s.resources().contains("${" + tableId + ".Arn}")))
                .flatMap(TemplateJson.Statement::actions).containsExactlyInAnyOrderElementsOf(GATE_TABLE_ACTIONS);
        assertThat(fn.actions(json)).filteredOn(a -> a.startsWith("dynamodb:")).containsExactlyInAnyOrderElementsOf(GATE_TABLE_ACTIONS);
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void eachFunctionReadsTheAlarmsOfTheGatesInUse(Fn fn) {
        assertThat(fn.statements(json).stream().filter(s -> s.actions().contains("cloudwatch:DescribeAlarms")))
                .singleElement().satisfies(s -> {
                    assertThat(s.actions()).containsExactly("cloudwatch:DescribeAlarms");
                    assertThat(s.resources()).containsExactly("*");
                });
    }

    @Test
    void pipelineGateMayDoExactlyWhatAGateActionNeeds() {
        assertThat(Fn.PIPELINE_GATE.statements(json).stream().filter(s -> s.resources().contains("*")).flatMap(s -> s.actions().stream()))
                .containsExactlyInAnyOrder("codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult", "cloudwatch:DescribeAlarms",
                        "xray:PutTraceSegments", "xray:PutTelemetryRecords");
        assertThat(Fn.PIPELINE_GATE.resourcesOf(json, "ecr:DescribeImages")).containsExactly(
                "arn:aws:ecr:eu-west-1:111111111111:repository/checkout-web",
                "arn:aws:ecr:eu-west-1:111111111111:repository/payments-api");
        assertThat(Fn.PIPELINE_GATE.actions(json)).noneMatch(a -> a.startsWith("ecs:") || a.startsWith("s3:") || a.startsWith("iam:"));
    }

    @Test
    void ecsGateHookDescribesOnlyTheRevisionsOfTheConfiguredServicesAndChangesNothing() {
        assertThat(Fn.ECS_GATE_HOOK.statements(json).stream().filter(s -> s.actions().contains("ecs:DescribeServiceRevisions")))
                .singleElement().satisfies(s -> {
                    assertThat(s.actions()).containsExactly("ecs:DescribeServiceRevisions");
                    assertThat(s.resources()).containsExactlyElementsOf(EXAMPLE_REVISION_ARNS);
                });
        assertThat(Fn.ECS_GATE_HOOK.actions(json)).filteredOn(a -> a.startsWith("ecs:")).containsExactly("ecs:DescribeServiceRevisions");
        assertThat(Fn.ECS_GATE_HOOK.actions(json)).noneMatch(a -> a.startsWith("codepipeline:") || a.startsWith("ecr:")
                || a.startsWith("iam:") || a.startsWith("sts:"));
        assertThat(Fn.ECS_GATE_HOOK.statements(json).stream().filter(s -> s.resources().contains("*")).flatMap(s -> s.actions().stream()))
                .containsExactlyInAnyOrder("cloudwatch:DescribeAlarms", "xray:PutTraceSegments", "xray:PutTelemetryRecords");
    }

    @Test
    void ecsAssumesTheHookInvokeRoleWhichMayInvokeTheHooksLiveAliasAndNothingElse() {
        String roleId = json.idOf("AWS::IAM::Role", "ReleaseGatesEcsHookInvokeRole");
        Map<String, Object> role = TemplateJson.properties(json.resources("AWS::IAM::Role").get(roleId));

        assertThat(role.get("AssumeRolePolicyDocument")).isEqualTo(Map.of(
                "Version", "2012-10-17",
                "Statement", List.of(Map.of(
                        "Effect", "Allow",
                        "Principal", Map.of("Service", "ecs.amazonaws.com"),
                        "Action", "sts:AssumeRole"))));
        assertThat(role).doesNotContainKey("ManagedPolicyArns");
        assertThat(json.statementsOfRole(roleId)).singleElement().satisfies(s -> {
            assertThat(s.actions()).containsExactly("lambda:InvokeFunction");
            assertThat(s.resources()).containsExactly("${" + Fn.ECS_GATE_HOOK.aliasId(json) + "}");
        });
    }

    @Test
    void noRoleHasAnAccountWideManagedPolicyOrAServiceWideAction() {
        template.resourceCountIs("AWS::IAM::Role", 3);
        template.allResourcesProperties("AWS::IAM::Role", Map.of("ManagedPolicyArns", Match.absent()));
        assertThat(json.identityStatements()).isNotEmpty().allSatisfy(s -> {
            assertThat(s.effect()).isEqualTo("Allow");
            assertThat(s.actions()).noneMatch(a -> a.equals("*") || a.endsWith(":*"));
        });
    }

    @Test
    void gateChecksGrantTheCalendarsAndFunctionsOfTheGatesInUseAndTheHookAssumesTheEnvironmentRoles(@TempDir Path dir) {
        TemplateJson other = synthesize(dir, TestConfigs.WITH_GATE_CHECKS);

        for (Fn fn : Fn.values()) {
            assertThat(fn.resourcesOf(other, "ssm:GetCalendarState")).as(fn.name()).containsExactly(
                    "arn:aws:ssm:us-east-1:999999999999:document/shared-freeze",
                    "arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:document/release-freeze");
            assertThat(fn.resourcesOf(other, "lambda:InvokeFunction")).as(fn.name()).containsExactly(
                    "arn:aws:lambda:${AWS::Region}:444444444444:function:load-test",
                    "arn:aws:lambda:us-east-1:999999999999:function:change-ticket:live",
                    "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:error-budget-check");
            assertThat(fn.actions(other)).as(fn.name()).doesNotContain("cloudwatch:DescribeAlarms");
        }
        // orders/prod is reached through its role, which carries the ECS permission in its own account.
        assertThat(Fn.ECS_GATE_HOOK.resourcesOf(other, "ecs:DescribeServiceRevisions")).containsExactly(
                "arn:aws:ecs:us-east-1:222222222222:service-revision/main/billing/*",
                "arn:aws:ecs:us-east-1:222222222222:service-revision/main/orders/*");
        assertThat(Fn.ECS_GATE_HOOK.resourcesOf(other, "sts:AssumeRole")).containsExactly("arn:aws:iam::333333333333:role/gantry-deployer");
        assertThat(Fn.PIPELINE_GATE.actions(other)).doesNotContain("sts:AssumeRole");
        assertThat(other.identityStatements()).flatMap(TemplateJson.Statement::resources).noneMatch(r -> r.contains("never-invoked"));
    }

    @Test
    void aGateThatOnlyNeedsApprovalsGrantsNoAlarmCalendarOrCheckFunctionAccess(@TempDir Path dir) {
        TemplateJson other = synthesize(dir, TestConfigs.GATE_WITHOUT_READS);

        for (Fn fn : Fn.values()) {
            assertThat(fn.actions(other)).as(fn.name()).noneMatch(a -> a.startsWith("cloudwatch:") || a.startsWith("ssm:") || a.startsWith("lambda:"));
            assertThat(fn.actions(other)).as(fn.name()).filteredOn(a -> a.startsWith("dynamodb:")).containsExactlyInAnyOrderElementsOf(GATE_TABLE_ACTIONS);
        }
        // The one lambda:InvokeFunction left is ECS's, on the hook's live alias.
        assertThat(other.statementsAllowing("lambda:InvokeFunction")).singleElement()
                .satisfies(s -> assertThat(s.resources()).containsExactly("${" + Fn.ECS_GATE_HOOK.aliasId(other) + "}"));
    }

    @Test
    void gatesWithSlackGroupApproversGetTheBotTokensSecretArnAndMayReadThatSecretOnly(@TempDir Path dir) {
        String secretArn = "arn:aws:secretsmanager:us-east-1:222222222222:secret:gantry/slack-bot-token-AbCdEf";
        String withGroups = TestConfigs.GATE_WITHOUT_READS.replace("users: [U0EXAMPLE1]", "users: [U0EXAMPLE1]\n      groups: [S0EXAMPLE1]");
        Stack stack = testStack(dir);
        Path config = TestConfigs.write(dir, "gantry.yml", withGroups);
        new ReleaseGates(stack, "ReleaseGates", ReleaseGatesProps.builder()
                .config(TestConfigs.parse(withGroups))
                .configFile(config)
                .functionJar(jar)
                .table(new GantryStateTable(stack, "State").getTable())
                .failedInvocationQueue(new Queue(stack, "Failures"))
                .slackBotTokenSecretArn(secretArn)
                .build());
        Template synthesized = Template.fromStack(stack);
        TemplateJson json = new TemplateJson(synthesized);

        synthesized.resourcePropertiesCountIs("AWS::Lambda::Function", Match.objectLike(Map.of("Environment", Map.of("Variables",
                Match.objectLike(Map.of("GANTRY_SLACK_BOT_TOKEN_SECRET_ARN", secretArn))))), 2);
        assertThat(json.statementsAllowing("secretsmanager:GetSecretValue")).hasSize(2)
                .allSatisfy(statement -> assertThat(statement.resources()).containsExactly(secretArn));
        assertThat(synthesized.toJSON().toString()).as("the secret is never resolved into the template, only its ARN is passed").doesNotContain("{{resolve:secretsmanager");
    }

    @Test
    void withoutGroupApproversNoFunctionLearnsOfTheSlackSecret(@TempDir Path dir) {
        Stack stack = testStack(dir);
        Path config = TestConfigs.write(dir, "gantry.yml", TestConfigs.GATE_WITHOUT_READS);
        new ReleaseGates(stack, "ReleaseGates", ReleaseGatesProps.builder()
                .config(TestConfigs.parse(TestConfigs.GATE_WITHOUT_READS))
                .configFile(config)
                .functionJar(jar)
                .table(new GantryStateTable(stack, "State").getTable())
                .failedInvocationQueue(new Queue(stack, "Failures"))
                .slackBotTokenSecretArn("arn:aws:secretsmanager:us-east-1:222222222222:secret:gantry/slack-bot-token-AbCdEf")
                .build());

        assertThat(new TemplateJson(Template.fromStack(stack)).statementsAllowing("secretsmanager:GetSecretValue")).isEmpty();
    }

    @Test
    void gateStageInvokesPipelineGateWithTheImageDefinitionsAndUserParametersTheFunctionReads(@TempDir Path dir) {
        Stack stack = testStack(dir);
        ReleaseGates gates = releaseGates(stack, TestConfigs.example(), TestConfigs.EXAMPLE, jar);
        Artifact imageDefinitions = Artifact.artifact("ImageDefinitions");
        Pipeline pipeline = pipelineWithSource(stack, imageDefinitions);

        gates.addGateStage(pipeline, "ProdGate", "payments-api", "prod", imageDefinitions, TRIGGERED_BY);

        TemplateJson synthesized = new TemplateJson(Template.fromStack(stack));
        Map<String, Object> gateStage = stage(synthesized, "ProdGate");
        Map<String, Object> action = TemplateJson.map(TemplateJson.list(gateStage.get("Actions")).get(0));
        assertThat(TemplateJson.list(gateStage.get("Actions"))).hasSize(1);
        assertThat(action.get("ActionTypeId")).isEqualTo(Map.of("Category", "Invoke", "Owner", "AWS", "Provider", "Lambda", "Version", "1"));
        assertThat(action.get("InputArtifacts")).isEqualTo(List.of(Map.of("Name", "ImageDefinitions")));
        Map<String, Object> configuration = TemplateJson.map(action.get("Configuration"));
        // <function name>:live, so CodePipeline invokes the published version.
        assertThat(configuration.get("FunctionName")).isEqualTo(TemplateJson.qualifiedNameOf(Fn.PIPELINE_GATE.aliasId(synthesized), "live"));
        PipelineTarget target = PipelineTarget.fromUserParameters(CodePipelineVariables.resolved((String) configuration.get("UserParameters")));
        assertThat(target).isEqualTo(new PipelineTarget("payments-api", "prod", List.of(TRIGGERED_BY), CodePipelineVariables.EXECUTION_ID));
        // The action's role may invoke the gate's live alias, and nothing else of it.
        assertThat(synthesized.statementsAllowing("lambda:InvokeFunction")).flatMap(TemplateJson.Statement::resources)
                .contains("${" + Fn.PIPELINE_GATE.aliasId(synthesized) + "}")
                .noneMatch(resource -> resource.startsWith("${" + Fn.PIPELINE_GATE.functionId(synthesized)));
    }

    @Test
    void userParametersStayValidJsonWhateverTheNamesHoldAndLeaveOutAMissingTrigger(@TempDir Path dir) {
        Stack stack = testStack(dir);
        ReleaseGates gates = releaseGates(stack, TestConfigs.example(), TestConfigs.EXAMPLE, jar);
        Artifact imageDefinitions = Artifact.artifact("ImageDefinitions");
        Pipeline pipeline = pipelineWithSource(stack, imageDefinitions);

        gates.addGateStage(pipeline, "QuotedGate", "payments-api", "prod", imageDefinitions, "O\"Brien \\ #{SourceVariables.Author}");
        gates.addGateStage(pipeline, "AnonymousGate", "payments-api", "prod", imageDefinitions, null);

        TemplateJson synthesized = new TemplateJson(Template.fromStack(stack));
        assertThat(PipelineTarget.fromUserParameters(CodePipelineVariables.resolved(userParameters(synthesized, "QuotedGate"))).triggeredBy())
                .containsExactly("O\"Brien \\ #{SourceVariables.Author}");
        assertThat(userParameters(synthesized, "AnonymousGate"))
                .isEqualTo("{\"service\":\"payments-api\",\"environment\":\"prod\",\"pipelineExecutionId\":\"#{codepipeline.PipelineExecutionId}\"}");
    }

    @Test
    void gateStageRefusesAServiceOrEnvironmentWithoutAGate(@TempDir Path dir) {
        Stack stack = testStack(dir);
        ReleaseGates gates = releaseGates(stack, TestConfigs.example(), TestConfigs.EXAMPLE, jar);
        Artifact imageDefinitions = Artifact.artifact("ImageDefinitions");
        Pipeline pipeline = pipelineWithSource(stack, imageDefinitions);

        assertThatThrownBy(() -> gates.addGateStage(pipeline, "Gate", "payment-api", "prod", imageDefinitions, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("service 'payment-api' is not in Gantry's configuration (services: payments-api, checkout-web)");
        assertThatThrownBy(() -> gates.addGateStage(pipeline, "Gate", "payments-api", "production", imageDefinitions, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no environment 'production' (it has: staging, prod)");
        assertThatThrownBy(() -> gates.addGateStage(pipeline, "Gate", "payments-api", "staging", imageDefinitions, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("environment 'staging' of service 'payments-api' has no gate");
        assertThat(pipeline.getStageCount()).isEqualTo(1);
    }

    @Test
    void refusesAConfigurationInWhichNoEnvironmentNamesAGate(@TempDir Path dir) {
        Path config = TestConfigs.write(dir, "gantry.yml", TestConfigs.WITHOUT_ROLES);

        assertThatThrownBy(() -> releaseGates(testStack(dir), TestConfigs.parse(TestConfigs.WITHOUT_ROLES), config, jar))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no environment in the configuration names a gate");
    }

    @Test
    void refusesAMissingJarNamingItsPath(@TempDir Path dir) {
        Path missing = dir.resolve("missing.jar");

        assertThatThrownBy(() -> releaseGates(testStack(dir), TestConfigs.example(), TestConfigs.EXAMPLE, missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void sameInputsSynthesizeTheSameTemplate(@TempDir Path otherOut) {
        Template again = Template.fromStack(Stack.of(build(TestConfigs.example(), TestConfigs.EXAMPLE, jar, otherOut)));

        assertThat(again.toJSON()).isEqualTo(template.toJSON());
    }

    @Test
    void publicGettersHandOutTheResourcesTheyName(@TempDir Path dir) {
        ReleaseGates gates = releaseGates(testStack(dir), TestConfigs.example(), TestConfigs.EXAMPLE, jar);

        // The live aliases: what a gate action and a service's lifecycle hook must name.
        assertThat(gates.getPipelineGateFunction().getNode().getPath()).isEqualTo("Test/ReleaseGates/PipelineGateAlias");
        assertThat(gates.getPipelineGateFunction().getLambda().getNode().getPath()).isEqualTo("Test/ReleaseGates/PipelineGate");
        assertThat(gates.getEcsGateHookFunction().getNode().getPath()).isEqualTo("Test/ReleaseGates/EcsGateHookAlias");
        assertThat(gates.getEcsGateHookFunction().getAliasName()).isEqualTo("live");
        assertThat(gates.getEcsHookInvokeRole().getNode().getPath()).isEqualTo("Test/ReleaseGates/EcsHookInvokeRole");
    }

    private static ReleaseGates build(GantryConfig config, Path configFile, Path functionJar, Path outdir) {
        return releaseGates(new Stack(new App(AppProps.builder().outdir(outdir.toString()).build()), "Test"), config, configFile, functionJar);
    }

    private static ReleaseGates releaseGates(Stack stack, GantryConfig config, Path configFile, Path functionJar) {
        GantryStateTable table = new GantryStateTable(stack, "State");
        Queue failures = new Queue(stack, "Failures");
        return new ReleaseGates(stack, "ReleaseGates", ReleaseGatesProps.builder()
                .config(config)
                .configFile(configFile)
                .functionJar(functionJar)
                .table(table.getTable())
                .failedInvocationQueue(failures)
                .build());
    }

    private static TemplateJson synthesize(Path dir, String yaml) {
        Path config = TestConfigs.write(dir, "gantry.yml", yaml);
        return new TemplateJson(Template.fromStack(Stack.of(build(TestConfigs.parse(yaml), config, jar, dir.resolve("cdk.out")))));
    }

    private static Stack testStack(Path dir) {
        return new Stack(new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).build()), "Test");
    }

    /** A pipeline whose one stage takes {@code output} from an S3 object, as a build would hand it over. */
    private static Pipeline pipelineWithSource(Stack stack, Artifact output) {
        Bucket source = Bucket.Builder.create(stack, "Source")
                .versioned(true)
                .encryption(BucketEncryption.S3_MANAGED)
                .build();
        Pipeline pipeline = Pipeline.Builder.create(stack, "Pipeline").build();
        pipeline.addStage(StageOptions.builder()
                .stageName("Source")
                .actions(List.of(S3SourceAction.Builder.create()
                        .actionName("ImageDefinitions")
                        .bucket(source)
                        .bucketKey("release/imagedefinitions.zip")
                        .trigger(S3Trigger.NONE)
                        .output(output)
                        .build()))
                .build());
        return pipeline;
    }

    private static Map<String, Object> stage(TemplateJson template, String name) {
        Map<String, Object> pipeline = TemplateJson.properties(template.only("AWS::CodePipeline::Pipeline"));
        return TemplateJson.list(pipeline.get("Stages")).stream()
                .map(TemplateJson::map)
                .filter(stage -> name.equals(stage.get("Name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + name + " in " + pipeline.get("Stages")));
    }

    private static String userParameters(TemplateJson template, String stageName) {
        Map<String, Object> action = TemplateJson.map(TemplateJson.list(stage(template, stageName).get("Actions")).get(0));
        return (String) TemplateJson.map(action.get("Configuration")).get("UserParameters");
    }

    private static Path mkdir(String name) {
        try {
            return Files.createDirectories(workDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
