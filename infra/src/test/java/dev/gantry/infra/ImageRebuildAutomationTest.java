package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.sqs.Queue;

class ImageRebuildAutomationTest {

    private static final String ACCOUNT = "123456789012";
    private static final String REGION = "eu-west-1";
    private static final String IMAGE_PIPELINE = "arn:aws:imagebuilder:eu-west-1:555555555555:image-pipeline/golden-java21";

    /** Two bases, one built by Image Builder and scheduled in Berlin, one scheduled in UTC; CodeBuild and pipeline dependents. */
    static final String FULL = """
            version: 1
            baseImages:
              - name: golden
                repository: golden/java21
                schedule:
                  cron: "30 2 * * 1-5"
                  timezone: Europe/Berlin
                imageBuilderPipelines:
                  - %s
                dependents:
                  - name: runtime
                    codebuild: runtime-image
                    produces: runtime/java
              - name: runtime
                repository: runtime/java
                schedule:
                  cron: "0 4 1 * *"
                dependents:
                  - name: app
                    codebuild: app-image
                    produces: team/app
                  - name: web
                    pipeline: web-release
                    produces: team/web
            """.formatted(IMAGE_PIPELINE);

    @TempDir
    static Path workDir;

    private static Template template;
    private static TemplateJson json;
    private static Template codeBuildOnly;
    private static TemplateJson codeBuildOnlyJson;

    @BeforeAll
    static void synthesize() {
        template = Template.fromStack(build(FULL, "full"));
        json = new TemplateJson(template);
        codeBuildOnly = Template.fromStack(build(TestConfigs.WITHOUT_SERVICES, "codebuild-only"));
        codeBuildOnlyJson = new TemplateJson(codeBuildOnly);
    }

    @Test
    void functionRunsTheHandlerOnJava25Arm64WithTheConfigAndTable() {
        Map<String, Object> properties = TemplateJson.properties(json.resources("AWS::Lambda::Function").get(functionId(json)));

        assertThat(properties).containsEntry("Runtime", "java25")
                .containsEntry("Architectures", List.of("arm64"))
                .containsEntry("Handler", "dev.gantry.fn.imagerebuild.ImageRebuildHandler::handleRequest");
        assertThat(TemplateJson.map(TemplateJson.map(properties.get("Environment")).get("Variables")))
                .containsEntry("GANTRY_CONFIG", "/var/task/gantry.yml")
                .containsEntry("GANTRY_TABLE", Map.of("Ref", template.getResourceId("AWS::DynamoDB::Table")))
                .containsEntry("POWERTOOLS_SERVICE_NAME", "gantry-image-rebuild")
                .as("the test stack names its account, so the registry account is that account").containsEntry("GANTRY_REGISTRY_ACCOUNT", "123456789012");
    }

    @Test
    void refusesATimeoutThatReachesIntoTheLeaseOfARebuildsStart() {
        assertThatThrownBy(() -> ImageRebuildAutomationProps.builder().timeout(software.amazon.awscdk.Duration.seconds(90)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("90 s lease of a rebuild's start");
        assertThatCode(() -> ImageRebuildAutomationProps.builder().timeout(software.amazon.awscdk.Duration.seconds(75)))
                .doesNotThrowAnyException();
    }

    @Test
    void theFunctionGetterHandsOutTheLiveAliasEveryTriggerMustName() {
        ImageRebuildAutomation automation = (ImageRebuildAutomation) build(FULL, "getters").getNode().findChild("ImageRebuild");

        assertThat(automation.getFunction().getNode().getPath()).isEqualTo("Test/ImageRebuild/Alias");
        assertThat(automation.getFunction().getAliasName()).isEqualTo("live");
        assertThat(automation.getFunction().getLambda().getNode().getPath()).isEqualTo("Test/ImageRebuild/Resource");
    }

    @Test
    void asyncInvocationsOfTheLiveAliasAreNotRetriedAndFailuresGoToTheFailedInvocationQueue() {
        template.resourceCountIs("AWS::Lambda::EventInvokeConfig", 1);
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                "FunctionName", Map.of("Ref", functionId(json)),
                "Qualifier", TemplateJson.qualifierOf(aliasId(json)),
                "MaximumRetryAttempts", 0,
                "DestinationConfig", Map.of("OnFailure", Map.of("Destination",
                        Map.of("Fn::GetAtt", List.of(json.idOf("AWS::SQS::Queue", "ImageRebuildFailedInvocationQueue"), "Arn"))))));
    }

    @Test
    void pushRuleMatchesSuccessfulPushesToBaseAndProducedRepositories() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Map.of(
                "source", List.of("aws.ecr"),
                "detail-type", List.of("ECR Image Action"),
                "detail", Map.of(
                        "action-type", List.of("PUSH"),
                        "result", List.of("SUCCESS"),
                        "repository-name", List.of("golden/java21", "runtime/java", "team/app", "team/web")))));
    }

    @Test
    void imageBuilderRuleMatchesImageStateChangesFromThePipelinesAccounts() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Map.of(
                "source", List.of("aws.imagebuilder"),
                "detail-type", List.of("EC2 Image Builder Image State Change"),
                "account", List.of("555555555555"))));
    }

    @Test
    void codeBuildAndPipelineRulesMatchOnlyTheDependentsProjectsAndPipelines() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Map.of(
                "source", List.of("aws.codebuild"),
                "detail-type", List.of("CodeBuild Build State Change"),
                "detail", Map.of("project-name", List.of("app-image", "runtime-image")))));
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Map.of(
                "source", List.of("aws.codepipeline"),
                "detail-type", List.of("CodePipeline Pipeline Execution State Change"),
                "detail", Map.of("pipeline", List.of("web-release")))));
    }

    @Test
    void resumeSweepRunsEveryFiveMinutes() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "ScheduleExpression", "rate(5 minutes)",
                "Targets", List.of(Match.objectLike(Map.of(
                        "RetryPolicy", Map.of("MaximumRetryAttempts", 0, "MaximumEventAgeInSeconds", 60),
                        "DeadLetterConfig", Map.of("Arn", deadLetterArn(json)))))));
    }

    @Test
    void everyRuleDeliversToTheLiveAliasWithRetriesAndTheDeadLetterQueue() {
        Map<String, Map<String, Object>> rules = json.resources("AWS::Events::Rule");

        assertThat(rules).hasSize(5);
        for (Map<String, Object> rule : rules.values()) {
            Map<String, Object> target = TemplateJson.map(TemplateJson.list(TemplateJson.properties(rule).get("Targets")).get(0));
            assertThat(target.get("Arn")).isEqualTo(Map.of("Ref", aliasId(json)));
            assertThat(target.get("DeadLetterConfig")).isEqualTo(Map.of("Arn", deadLetterArn(json)));
            assertThat(target).containsKey("RetryPolicy");
        }
        template.hasResourceProperties("AWS::Events::Rule", Map.of("Targets", List.of(Match.objectLike(Map.of(
                "RetryPolicy", Map.of("MaximumRetryAttempts", 8, "MaximumEventAgeInSeconds", 3600))))));
    }

    @Test
    void eachScheduledBaseGetsASchedulerScheduleInItsTimeZone() throws IOException {
        Map<String, Map<String, Object>> schedules = json.resources("AWS::Scheduler::Schedule");
        assertThat(schedules).hasSize(2);

        Map<String, Object> golden = TemplateJson.properties(schedules.get(json.idOf("AWS::Scheduler::Schedule", "ImageRebuildSchedulegolden")));
        assertThat(golden).containsEntry("ScheduleExpression", "cron(30 2 ? * 2-6 *)")
                .containsEntry("ScheduleExpressionTimezone", "Europe/Berlin")
                .containsEntry("FlexibleTimeWindow", Map.of("Mode", "OFF"));
        Map<String, Object> target = TemplateJson.map(golden.get("Target"));
        assertThat(target.get("Arn")).isEqualTo(Map.of("Ref", aliasId(json)));
        assertThat(target.get("RoleArn")).isEqualTo(Map.of("Fn::GetAtt", List.of(json.idOf("AWS::IAM::Role", "ImageRebuildSchedulerRole"), "Arn")));
        assertThat(target.get("RetryPolicy")).isEqualTo(Map.of("MaximumRetryAttempts", 8, "MaximumEventAgeInSeconds", 3600));
        assertThat(target.get("DeadLetterConfig")).isEqualTo(Map.of("Arn", deadLetterArn(json)));
        assertThat(new ObjectMapper().readValue((String) target.get("Input"), Map.class)).isEqualTo(Map.of(
                "version", "0",
                "id", "<aws.scheduler.execution-id>",
                "detail-type", "Gantry Scheduled Rebuild",
                "source", "gantry.schedule",
                "time", "<aws.scheduler.scheduled-time>",
                "detail", Map.of("base", "golden")));

        Map<String, Object> runtime = TemplateJson.properties(schedules.get(json.idOf("AWS::Scheduler::Schedule", "ImageRebuildScheduleruntime")));
        assertThat(runtime).containsEntry("ScheduleExpression", "cron(0 4 1 * ? *)").containsEntry("ScheduleExpressionTimezone", "UTC");
    }

    @Test
    void schedulerRoleMayInvokeOnlyTheLiveAliasAndDeadLetterOnlyToTheQueue() {
        String roleId = json.idOf("AWS::IAM::Role", "ImageRebuildSchedulerRole");
        template.hasResourceProperties("AWS::IAM::Role", Map.of("AssumeRolePolicyDocument", Map.of("Statement", List.of(Map.of(
                "Action", "sts:AssumeRole",
                "Effect", "Allow",
                "Principal", Map.of("Service", "scheduler.amazonaws.com"),
                "Condition", Map.of("StringEquals", Map.of("aws:SourceAccount", ACCOUNT)))))));

        assertThat(json.statementsOfRole(roleId)).extracting(s -> s.actions(), s -> s.resources()).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(List.of("lambda:InvokeFunction"), List.of("${" + aliasId(json) + "}")),
                org.assertj.core.groups.Tuple.tuple(List.of("sqs:SendMessage"), List.of("${" + json.idOf("AWS::SQS::Queue",
                        "ImageRebuildDeliveryDeadLetterQueue") + ".Arn}")));
    }

    @Test
    void functionMayStartOnlyTheListedProjectsAndPipelines() {
        assertThat(resourcesOf(json, "codebuild:StartBuild")).containsExactly(
                "arn:aws:codebuild:eu-west-1:123456789012:project/app-image",
                "arn:aws:codebuild:eu-west-1:123456789012:project/runtime-image");
        // A later attempt looks for the build an earlier one started, in the same projects only.
        for (String action : List.of("codebuild:ListBuildsForProject", "codebuild:BatchGetBuilds")) {
            assertThat(resourcesOf(json, action)).as(action).containsExactly(
                    "arn:aws:codebuild:eu-west-1:123456789012:project/app-image",
                    "arn:aws:codebuild:eu-west-1:123456789012:project/runtime-image");
        }
        assertThat(resourcesOf(json, "codepipeline:StartPipelineExecution")).containsExactly(
                "arn:aws:codepipeline:eu-west-1:123456789012:web-release");
    }

    @Test
    void functionReadsImagesOnlyInTheBaseAndProducedRepositoriesWithoutARegistryLogin() {
        List<String> repositories = List.of(
                "arn:aws:ecr:eu-west-1:123456789012:repository/golden/java21",
                "arn:aws:ecr:eu-west-1:123456789012:repository/runtime/java",
                "arn:aws:ecr:eu-west-1:123456789012:repository/team/app",
                "arn:aws:ecr:eu-west-1:123456789012:repository/team/web");
        for (String action : List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages")) {
            assertThat(resourcesOf(json, action)).as(action).containsExactlyElementsOf(repositories);
        }
        assertThat(actions(json)).doesNotContain("ecr:GetAuthorizationToken");
    }

    @Test
    void functionReadsImageBuilderImagesOnlyInThePipelinesAccountAndRegion() {
        assertThat(resourcesOf(json, "imagebuilder:GetImage")).containsExactly("arn:aws:imagebuilder:eu-west-1:555555555555:image/*");
    }

    @Test
    void functionKeepsTheRebuildLedgerInTheStateTableAndNothingElse() {
        assertThat(actions(json)).contains("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query",
                "dynamodb:DeleteItem", "dynamodb:BatchGetItem");
        assertThat(actions(json)).filteredOn(a -> a.startsWith("dynamodb:")).doesNotContain("dynamodb:Scan", "dynamodb:DeleteTable");
        assertThat(actions(json)).filteredOn(a -> !a.startsWith("dynamodb:") && !a.startsWith("logs:") && !a.startsWith("sqs:")
                        && !a.startsWith("xray:"))
                .containsExactlyInAnyOrder("codebuild:StartBuild", "codebuild:ListBuildsForProject", "codebuild:BatchGetBuilds",
                        "codepipeline:StartPipelineExecution", "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages", "imagebuilder:GetImage");
        assertThat(actions(json)).noneMatch(a -> a.startsWith("ecs:"));
    }

    @Test
    void withoutPipelinesSchedulesOrImageBuilderNothingOfThemIsCreatedOrAllowed() {
        codeBuildOnly.resourceCountIs("AWS::Scheduler::Schedule", 0);
        codeBuildOnly.resourceCountIs("AWS::Events::Rule", 3);
        assertThat(codeBuildOnly.findResources("AWS::IAM::Role", Map.of("Properties", Map.of("AssumeRolePolicyDocument",
                Map.of("Statement", List.of(Match.objectLike(Map.of("Principal", Map.of("Service", "scheduler.amazonaws.com"))))))))).isEmpty();
        assertThat(actions(codeBuildOnlyJson)).doesNotContain("codepipeline:StartPipelineExecution", "imagebuilder:GetImage");
        assertThat(resourcesOf(codeBuildOnlyJson, "codebuild:StartBuild")).containsExactly("arn:aws:codebuild:eu-west-1:123456789012:project/app-image");
        assertThat(resourcesOf(codeBuildOnlyJson, "codebuild:BatchGetBuilds")).containsExactly("arn:aws:codebuild:eu-west-1:123456789012:project/app-image");
        assertThat(codeBuildOnly.findResources("AWS::Events::Rule", Map.of("Properties", Map.of("EventPattern",
                Map.of("source", List.of("aws.codepipeline")))))).isEmpty();
    }

    @Test
    void sharesTheQueuesItIsGiven() {
        Stack stack = stack("shared");
        GantryStateTable table = new GantryStateTable(stack, "State");
        Queue undelivered = new Queue(stack, "Undelivered");
        Queue failed = new Queue(stack, "Failed");
        Path dir = mkdir("shared");

        new ImageRebuildAutomation(stack, "ImageRebuild", ImageRebuildAutomationProps.builder()
                .config(TestConfigs.parse(FULL))
                .configFile(TestConfigs.write(dir, "gantry.yml", FULL))
                .functionJar(fakeJar(dir))
                .table(table.getTable())
                .deliveryDeadLetterQueue(undelivered)
                .failedInvocationQueue(failed)
                .build());
        Template shared = Template.fromStack(stack);

        shared.resourceCountIs("AWS::SQS::Queue", 2);
        shared.hasResourceProperties("AWS::Scheduler::Schedule", Map.of("Target", Match.objectLike(Map.of("DeadLetterConfig",
                Map.of("Arn", Map.of("Fn::GetAtt", List.of(new TemplateJson(shared).idOf("AWS::SQS::Queue", "Undelivered"), "Arn")))))));
        shared.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of("DestinationConfig", Map.of("OnFailure", Map.of(
                "Destination", Map.of("Fn::GetAtt", List.of(new TemplateJson(shared).idOf("AWS::SQS::Queue", "Failed"), "Arn"))))));
    }

    @Test
    void rejectsAConfigurationWithoutBaseImages() {
        Stack stack = stack("nobase");
        Path dir = mkdir("nobase");

        assertThatThrownBy(() -> new ImageRebuildAutomation(stack, "ImageRebuild", ImageRebuildAutomationProps.builder()
                .config(TestConfigs.parse(TestConfigs.WITHOUT_ROLES))
                .configFile(TestConfigs.write(dir, "gantry.yml", TestConfigs.WITHOUT_ROLES))
                .functionJar(fakeJar(dir))
                .table(new GantryStateTable(stack, "State").getTable())
                .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declares no base images");
    }

    @Test
    void rejectsAScheduleSchedulerCannotRunNamingTheBase() {
        String bothDays = FULL.replace("\"30 2 * * 1-5\"", "\"30 2 1 * 1-5\"");

        assertThatThrownBy(() -> ImageRebuildAutomation.schedulerExpressions(TestConfigs.parse(bothDays)))
                .isInstanceOf(SchedulerCron.UnconvertibleCronException.class)
                .hasMessageContaining("base image 'golden'")
                .hasMessageContaining("names both a day of month and a day of week");
    }

    private static Stack build(String yaml, String name) {
        Stack stack = stack(name);
        Path dir = mkdir(name);
        GantryConfig config = TestConfigs.parse(yaml);
        new ImageRebuildAutomation(stack, "ImageRebuild", ImageRebuildAutomationProps.builder()
                .config(config)
                .configFile(TestConfigs.write(dir, "gantry.yml", yaml))
                .functionJar(fakeJar(dir))
                .table(new GantryStateTable(stack, "State").getTable())
                .build());
        return stack;
    }

    private static Stack stack(String name) {
        App app = new App(AppProps.builder().outdir(workDir.resolve(name + ".out").toString()).build());
        return new Stack(app, "Test", StackProps.builder().env(Environment.builder().account(ACCOUNT).region(REGION).build()).build());
    }

    /** A stand-in for the shaded image-rebuild jar: the construct only copies it. */
    private static Path fakeJar(Path dir) {
        return TestConfigs.write(dir, "gantry-image-rebuild-lambda.jar", "not a real jar: image-rebuild");
    }

    private static String functionId(TemplateJson template) {
        return template.idOf("AWS::Lambda::Function", "ImageRebuild");
    }

    private static String aliasId(TemplateJson template) {
        return template.idOf("AWS::Lambda::Alias", "ImageRebuildAlias");
    }

    private static Map<String, Object> deadLetterArn(TemplateJson template) {
        return Map.of("Fn::GetAtt", List.of(template.idOf("AWS::SQS::Queue", "ImageRebuildDeliveryDeadLetterQueue"), "Arn"));
    }

    private static List<TemplateJson.Statement> functionStatements(TemplateJson template) {
        return template.statementsOfRole(template.idOf("AWS::IAM::Role", "ImageRebuildServiceRole"));
    }

    private static List<String> actions(TemplateJson template) {
        return functionStatements(template).stream().flatMap(s -> s.actions().stream()).toList();
    }

    private static List<String> resourcesOf(TemplateJson template, String action) {
        return functionStatements(template).stream().filter(s -> s.actions().contains(action)).flatMap(s -> s.resources().stream()).toList();
    }

    private static Path mkdir(String name) {
        try {
            return Files.createDirectories(workDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
