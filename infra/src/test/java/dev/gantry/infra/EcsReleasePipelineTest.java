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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.s3.Bucket;

class EcsReleasePipelineTest {

    private static final String PIPELINE_GATE = "ReleaseGatesPipelineGate";
    private static final String PIPELINE_DEPLOY = "EcsDeployPipelineDeploy";
    private static final String CONNECTION = "arn:aws:codestar-connections:eu-west-1:111111111111:connection/0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f";
    private static final List<String> ECR_PUSH_ACTIONS = List.of("ecr:CompleteLayerUpload", "ecr:UploadLayerPart", "ecr:InitiateLayerUpload",
            "ecr:BatchCheckLayerAvailability", "ecr:PutImage");

    @TempDir
    static Path workDir;

    private static Path deployJar;
    private static Path gateJar;
    /** payments-api from the example, S3 source, defaults otherwise. */
    private static TemplateJson s3Source;
    /** payments-api from GitHub, on ARM, with a manual approval. */
    private static TemplateJson github;

    @BeforeAll
    static void synthesize() {
        deployJar = TestConfigs.fakeJar(mkdir("deploy-jar"), "pipeline");
        gateJar = TestConfigs.fakeReleaseGateJar(mkdir("gate-jar"), "pipeline");

        Gantry withS3 = gantry(workDir.resolve("s3.out"), TestConfigs.example(), TestConfigs.EXAMPLE);
        Bucket sourceBucket = Bucket.Builder.create(withS3.stack, "SourceBucket").versioned(true).build();
        new EcsReleasePipeline(withS3.stack, "PaymentsPipeline", withS3.props("payments-api").sourceBucket(sourceBucket).build());
        s3Source = new TemplateJson(Template.fromStack(withS3.stack));

        Gantry withGitHub = gantry(workDir.resolve("github.out"), TestConfigs.example(), TestConfigs.EXAMPLE);
        new EcsReleasePipeline(withGitHub.stack, "PaymentsPipeline", withGitHub.props("payments-api")
                .connectionArn(CONNECTION)
                .repository("example-org/payments-api")
                .branch("release")
                .buildPlatform(EcsReleasePipelineProps.BuildPlatform.ARM64)
                .manualApproval(true)
                .approvalTopic(ChatOps.approvalTopic(withGitHub.stack))
                .build());
        github = new TemplateJson(Template.fromStack(withGitHub.stack));
    }

    @Test
    void stagesPromoteInConfiguredOrderWithTheGateBeforeTheGatedEnvironment() {
        assertThat(stageNames(s3Source)).containsExactly("Source", "Build", "Deploy-staging", "Gate-prod", "Deploy-prod");
    }

    @Test
    void pipelineIsV2AndANewerRunSupersedesAWaitingOne() {
        Map<String, Object> pipeline = TemplateJson.properties(s3Source.only("AWS::CodePipeline::Pipeline"));

        assertThat(pipeline).containsEntry("PipelineType", "V2").containsEntry("ExecutionMode", "SUPERSEDED");
    }

    @Test
    void gateActionAsksPipelineGateAboutTheGatedEnvironmentWithoutATriggerTheSourceCannotName() {
        Map<String, Object> action = onlyAction(s3Source, "Gate-prod");
        Map<String, Object> configuration = TemplateJson.map(action.get("Configuration"));

        assertThat(action.get("ActionTypeId")).isEqualTo(Map.of("Category", "Invoke", "Owner", "AWS", "Provider", "Lambda", "Version", "1"));
        assertThat(action.get("InputArtifacts")).isEqualTo(List.of(Map.of("Name", "ImageDefinitions")));
        // <function name>:live: CodePipeline invokes the published version behind the live alias.
        assertThat(configuration.get("FunctionName"))
                .isEqualTo(TemplateJson.qualifiedNameOf(s3Source.idOf("AWS::Lambda::Alias", PIPELINE_GATE + "Alias"), "live"));
        assertThat(PipelineTarget.fromUserParameters(CodePipelineVariables.resolved((String) configuration.get("UserParameters"))))
                .isEqualTo(new PipelineTarget("payments-api", "prod", List.of(), CodePipelineVariables.EXECUTION_ID));
    }

    @Test
    void deployActionsHandTheBuiltImageToPipelineDeployForTheirEnvironment() {
        String pipelineDeployAlias = s3Source.idOf("AWS::Lambda::Alias", PIPELINE_DEPLOY + "Alias");

        for (String environment : List.of("staging", "prod")) {
            Map<String, Object> action = onlyAction(s3Source, "Deploy-" + environment);
            Map<String, Object> configuration = TemplateJson.map(action.get("Configuration"));
            assertThat(action.get("InputArtifacts")).isEqualTo(List.of(Map.of("Name", "ImageDefinitions")));
            assertThat(configuration.get("FunctionName")).isEqualTo(TemplateJson.qualifiedNameOf(pipelineDeployAlias, "live"));
            // The execution's id ties each deploy action to the pass its own execution's gate action gave.
            assertThat(configuration.get("UserParameters")).isEqualTo("{\"service\":\"payments-api\",\"environment\":\"" + environment
                    + "\",\"pipelineExecutionId\":\"#{codepipeline.PipelineExecutionId}\"}");
            assertThat(PipelineTarget.fromUserParameters(CodePipelineVariables.resolved((String) configuration.get("UserParameters"))))
                    .isEqualTo(new PipelineTarget("payments-api", environment, List.of(), CodePipelineVariables.EXECUTION_ID));
        }
    }

    @Test
    void buildRunsPrivilegedForDockerAndHandsOverImageDefinitions() {
        Map<String, Object> project = TemplateJson.properties(s3Source.only("AWS::CodeBuild::Project"));
        Map<String, Object> environment = TemplateJson.map(project.get("Environment"));
        String buildSpec = (String) TemplateJson.map(project.get("Source")).get("BuildSpec");
        Map<String, Object> build = onlyAction(s3Source, "Build");

        assertThat(environment).containsEntry("PrivilegedMode", true).containsEntry("Type", "LINUX_CONTAINER");
        assertThat(TemplateJson.list(environment.get("EnvironmentVariables"))).extracting(v -> TemplateJson.map(v).get("Name"))
                .containsExactly("REPOSITORY_URI", "CONTAINER_NAME", "DOCKERFILE");
        assertThat(TemplateJson.list(environment.get("EnvironmentVariables"))).contains(
                Map.of("Name", "CONTAINER_NAME", "Type", "PLAINTEXT", "Value", "app"),
                Map.of("Name", "DOCKERFILE", "Type", "PLAINTEXT", "Value", "Dockerfile"));
        assertThat(buildSpec)
                .contains("$CODEBUILD_RESOLVED_SOURCE_VERSION")
                .contains("docker push \"$REPOSITORY_URI:$IMAGE_TAG\"")
                .contains("$REPOSITORY_URI:$IMAGE_TAG@$IMAGE_DIGEST")
                .contains("imagedefinitions.json")
                .doesNotContain("post_build");
        assertThat(build.get("OutputArtifacts")).isEqualTo(List.of(Map.of("Name", "ImageDefinitions")));
        // An S3 source has no commit variable: the tag is the revision CodePipeline resolved.
        assertThat(TemplateJson.map(build.get("Configuration"))).doesNotContainKey("EnvironmentVariables");
    }

    @Test
    void buildMayPushToTheServiceRepositoryOnlyAndGetARegistryTokenAnywhere() {
        String buildRole = s3Source.idOf("AWS::IAM::Role", "PaymentsPipelineBuildRole");
        List<TemplateJson.Statement> ecr = s3Source.statementsOfRole(buildRole).stream()
                .filter(s -> s.actions().stream().anyMatch(a -> a.startsWith("ecr:")))
                .toList();

        assertThat(ecr).allSatisfy(s -> assertThat(s.effect()).isEqualTo("Allow"));
        assertThat(ecr).filteredOn(s -> s.actions().contains("ecr:GetAuthorizationToken"))
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.actions()).containsExactly("ecr:GetAuthorizationToken");
                    assertThat(s.resources()).containsExactly("*");
                });
        assertThat(ecr).filteredOn(s -> !s.actions().contains("ecr:GetAuthorizationToken"))
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.actions()).containsExactlyInAnyOrderElementsOf(ECR_PUSH_ACTIONS);
                    assertThat(s.resources()).containsExactly("arn:aws:ecr:${AWS::Region}:${AWS::AccountId}:repository/payments-api");
                });
    }

    @Test
    void s3SourceStartsOnlyWhenItsObjectIsWritten() {
        Map<String, Object> source = onlyAction(s3Source, "Source");
        Map<String, Object> rule = TemplateJson.properties(s3Source.resources("AWS::Events::Rule")
                .get(s3Source.idOf("AWS::Events::Rule", "PaymentsPipelineSourceTrigger")));
        Map<String, Object> pattern = TemplateJson.map(rule.get("EventPattern"));
        String pipeline = s3Source.idOf("AWS::CodePipeline::Pipeline", "PaymentsPipeline");

        assertThat(source.get("Namespace")).isEqualTo("SourceVariables");
        assertThat(TemplateJson.map(source.get("Configuration")))
                .containsEntry("S3ObjectKey", "payments-api/source.zip")
                .containsEntry("PollForSourceChanges", false);
        assertThat(pattern.get("source")).isEqualTo(List.of("aws.s3"));
        assertThat(pattern.get("detail-type")).isEqualTo(List.of("Object Created"));
        assertThat(pattern.get("detail")).isEqualTo(Map.of(
                "bucket", Map.of("name", List.of(Map.of("Ref", s3Source.idOf("AWS::S3::Bucket", "SourceBucket")))),
                "object", Map.of("key", List.of("payments-api/source.zip"))));
        assertThat(TemplateJson.render(TemplateJson.map(TemplateJson.list(rule.get("Targets")).get(0)).get("Arn")))
                .endsWith(":${" + pipeline + "}");
    }

    @Test
    void artifactsBucketIsEncryptedPrivateAndTlsOnly() {
        String bucketId = s3Source.idOf("AWS::S3::Bucket", "PaymentsPipelineArtifactsBucket");
        Map<String, Object> bucket = TemplateJson.properties(s3Source.resources("AWS::S3::Bucket").get(bucketId));
        Map<String, Object> policy = s3Source.resources("AWS::S3::BucketPolicy").values().stream()
                .map(TemplateJson::properties)
                .filter(p -> Map.of("Ref", bucketId).equals(p.get("Bucket")))
                .findFirst()
                .orElseThrow();

        assertThat(bucket.get("BucketEncryption")).isEqualTo(Map.of("ServerSideEncryptionConfiguration",
                List.of(Map.of("ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))));
        assertThat(bucket.get("PublicAccessBlockConfiguration")).isEqualTo(Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                "IgnorePublicAcls", true, "RestrictPublicBuckets", true));
        assertThat(policy.toString()).contains("aws:SecureTransport=false").contains("Effect=Deny");
        Map<String, Object> pipeline = TemplateJson.properties(s3Source.only("AWS::CodePipeline::Pipeline"));
        assertThat(pipeline.get("ArtifactStore")).isEqualTo(Map.of("Location", Map.of("Ref", bucketId), "Type", "S3"));
    }

    @Test
    void githubSourceTagsTheImageWithTheCommitAndAnApprovalWaitsAfterTheGate() {
        Map<String, Object> source = onlyAction(github, "Source");
        Map<String, Object> build = onlyAction(github, "Build");
        Map<String, Object> environment = TemplateJson.map(TemplateJson.properties(github.only("AWS::CodeBuild::Project")).get("Environment"));

        assertThat(stageNames(github)).containsExactly("Source", "Build", "Deploy-staging", "Gate-prod", "Approve-prod", "Deploy-prod");
        assertThat(TemplateJson.map(onlyAction(github, "Approve-prod").get("ActionTypeId"))).containsEntry("Category", "Approval");
        // Announced on the approval topic, which ChatOps turns into a Slack card.
        assertThat(TemplateJson.map(onlyAction(github, "Approve-prod").get("Configuration")))
                .containsEntry("NotificationArn", Map.of("Ref", github.idOf("AWS::SNS::Topic", "ApprovalTopic")));
        assertThat(TemplateJson.map(source.get("ActionTypeId"))).containsEntry("Provider", "CodeStarSourceConnection");
        assertThat(source.get("Namespace")).isEqualTo("SourceVariables");
        assertThat(TemplateJson.map(source.get("Configuration")))
                .containsEntry("ConnectionArn", CONNECTION)
                .containsEntry("FullRepositoryId", "example-org/payments-api")
                .containsEntry("BranchName", "release");
        assertThat((String) TemplateJson.map(build.get("Configuration")).get("EnvironmentVariables"))
                .isEqualTo("[{\"name\":\"COMMIT_ID\",\"type\":\"PLAINTEXT\",\"value\":\"#{SourceVariables.CommitId}\"}]");
        assertThat(environment).containsEntry("Type", "ARM_CONTAINER").containsEntry("PrivilegedMode", true);
        assertThat(github.resources("AWS::Events::Rule").keySet()).noneMatch(id -> id.startsWith("PaymentsPipeline"));
    }

    @Test
    void serviceWhoseEnvironmentsHaveNoGateIsDeployedInOrderWithoutAGateStage(@TempDir Path dir) {
        Stack stack = testStack(dir);
        IFunction pipelineDeploy = Function.fromFunctionName(stack, "PipelineDeploy", "gantry-pipeline-deploy");

        new EcsReleasePipeline(stack, "OrdersPipeline", EcsReleasePipelineProps.builder()
                .config(TestConfigs.parse(TestConfigs.WITHOUT_ROLES))
                .service("orders")
                .pipelineDeployFunction(pipelineDeploy)
                .sourceBucket(Bucket.Builder.create(stack, "Source").versioned(true).build())
                .build());

        assertThat(stageNames(new TemplateJson(Template.fromStack(stack)))).containsExactly("Source", "Build", "Deploy-staging", "Deploy-prod");
    }

    @Test
    void refusesAServiceThatIsNotConfiguredOrHasOneEnvironment() {
        GantryConfig example = TestConfigs.example();

        assertThatThrownBy(() -> EcsReleasePipeline.requireReleasable(example, "payment-api"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("service 'payment-api' is not in Gantry's configuration (services: payments-api, checkout-web)");
        assertThatThrownBy(() -> EcsReleasePipeline.requireReleasable(example, "checkout-web"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("service 'checkout-web' has 1 environment")
                .hasMessageContaining("it needs at least two");
    }

    @Test
    void refusesAGatedServiceWithoutTheReleaseGates(@TempDir Path dir) {
        Stack stack = testStack(dir);
        EcsReleasePipelineProps props = EcsReleasePipelineProps.builder()
                .config(TestConfigs.example())
                .service("payments-api")
                .pipelineDeployFunction(Function.fromFunctionName(stack, "PipelineDeploy", "gantry-pipeline-deploy"))
                .sourceBucket(Bucket.Builder.create(stack, "Source").versioned(true).build())
                .build();

        assertThatThrownBy(() -> new EcsReleasePipeline(stack, "Pipeline", props))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("environment 'prod' of service 'payments-api' has gate 'production'")
                .hasMessageContaining("give the pipeline the ReleaseGates");
    }

    @Test
    void propsRefuseNoSourceTwoSourcesHalfAConnectionAndARepositoryThatIsNotOwnerSlashName(@TempDir Path dir) {
        Stack stack = testStack(dir);
        Bucket bucket = Bucket.Builder.create(stack, "Source").versioned(true).build();

        assertThatThrownBy(() -> base(stack).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no source");
        assertThatThrownBy(() -> base(stack).sourceBucket(bucket).connectionArn(CONNECTION).repository("o/r").branch("main").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one source");
        assertThatThrownBy(() -> base(stack).connectionArn(CONNECTION).repository("o/r").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs connectionArn, repository and branch together");
        assertThatThrownBy(() -> base(stack).connectionArn(CONNECTION).repository("payments-api").branch("main").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("owner/name");
        assertThat(base(stack).sourceBucket(bucket).build().sourceObjectKey()).isEqualTo("payments-api/source.zip");
    }

    private static EcsReleasePipelineProps.Builder base(Stack stack) {
        IFunction existing = stack.getNode().tryFindChild("PipelineDeploy") instanceof IFunction f
                ? f
                : Function.fromFunctionName(stack, "PipelineDeploy", "gantry-pipeline-deploy");
        return EcsReleasePipelineProps.builder().config(TestConfigs.example()).service("payments-api").pipelineDeployFunction(existing);
    }

    /** A stack with Gantry's deploy automation and release gates, the two a pipeline needs. */
    private record Gantry(Stack stack, GantryConfig config, EcsDeployAutomation deploy, ReleaseGates gates) {

        EcsReleasePipelineProps.Builder props(String service) {
            return EcsReleasePipelineProps.builder()
                    .config(config)
                    .service(service)
                    .pipelineDeployFunction(deploy.getPipelineDeployFunction())
                    .releaseGates(gates);
        }
    }

    private static Gantry gantry(Path outdir, GantryConfig config, Path configFile) {
        Stack stack = new Stack(new App(AppProps.builder().outdir(outdir.toString()).build()), "Test");
        GantryStateTable table = new GantryStateTable(stack, "State");
        EcsDeployAutomation deploy = new EcsDeployAutomation(stack, "EcsDeploy", EcsDeployAutomationProps.builder()
                .config(config)
                .configFile(configFile)
                .functionJar(deployJar)
                .table(table.getTable())
                .build());
        ReleaseGates gates = new ReleaseGates(stack, "ReleaseGates", ReleaseGatesProps.builder()
                .config(config)
                .configFile(configFile)
                .functionJar(gateJar)
                .table(table.getTable())
                .failedInvocationQueue(deploy.getFailedInvocationQueue())
                .build());
        return new Gantry(stack, config, deploy, gates);
    }

    private static Stack testStack(Path dir) {
        return new Stack(new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).build()), "Test");
    }

    private static List<String> stageNames(TemplateJson template) {
        return stages(template).stream().map(stage -> (String) stage.get("Name")).toList();
    }

    private static List<Map<String, Object>> stages(TemplateJson template) {
        Map<String, Object> pipeline = TemplateJson.properties(template.only("AWS::CodePipeline::Pipeline"));
        return TemplateJson.list(pipeline.get("Stages")).stream().map(TemplateJson::map).toList();
    }

    private static Map<String, Object> onlyAction(TemplateJson template, String stageName) {
        Map<String, Object> stage = stages(template).stream()
                .filter(s -> stageName.equals(s.get("Name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + stageName + " in " + stageNames(template)));
        List<Object> actions = TemplateJson.list(stage.get("Actions"));
        assertThat(actions).hasSize(1);
        return TemplateJson.map(actions.get(0));
    }

    private static Path mkdir(String name) {
        try {
            return Files.createDirectories(workDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
