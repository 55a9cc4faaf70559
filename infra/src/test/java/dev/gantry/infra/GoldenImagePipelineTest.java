package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.gantry.core.config.GantryConfig;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
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
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.sqs.Queue;

class GoldenImagePipelineTest {

    private static final String CONNECTION = "arn:aws:codestar-connections:eu-west-1:111111111111:connection/0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f";

    private static final List<String> ECR_PUSH_ACTIONS = List.of("ecr:CompleteLayerUpload", "ecr:UploadLayerPart", "ecr:InitiateLayerUpload",
            "ecr:BatchCheckLayerAvailability", "ecr:PutImage");

    /**
     * A top base with a tag of its own, the runtime CodeBuild rebuilds from it, a base a pipeline rebuilds from the
     * runtime, and a base EC2 Image Builder builds.
     */
    static final String GOLDEN = """
            version: 1
            baseImages:
              - name: golden
                repository: golden/base
                tag: stable
                dependents:
                  - name: runtime
                    codebuild: runtime-image
                    produces: runtime/java
              - name: runtime
                repository: runtime/java
                dependents:
                  - name: web-base
                    pipeline: web-base-release
                    produces: team/web-base
              - name: web-base
                repository: team/web-base
                dependents:
                  - name: web
                    codebuild: web-image
                    produces: team/web
              - name: builder
                repository: golden/builder
                imageBuilderPipelines:
                  - arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden-builder
                dependents:
                  - name: tools
                    codebuild: tools-image
                    produces: team/tools
            """;

    /**
     * The logical ids of a GoldenImagePipeline created as "GoldenImage" directly in a stack. A new id is a new key and
     * bucket (the old ones retained, orphaned), a new log group (the build history left behind) or a new queue (the
     * undelivered starts in the old one forgotten): if this fails, undo the change rather than update the values.
     */
    private static final Map<String, String> PINNED_LOGICAL_IDS = Map.of(
            "AWS::KMS::Key", "GoldenImageArtifactsKey0FA9A490",
            "AWS::S3::Bucket", "GoldenImageArtifactsBucket5F7F2B04",
            "AWS::Logs::LogGroup", "GoldenImageBuildLogGroupD04FA192",
            "AWS::SQS::Queue", "GoldenImageDeliveryDeadLetterQueue724F7F1E",
            "AWS::CodePipeline::Pipeline", "GoldenImage7934468D",
            "AWS::CodeBuild::Project", "GoldenImageBuild78CF55CA");

    @TempDir
    static Path workDir;

    /** golden-java21 of the example from GitHub, defaults otherwise. */
    private static TemplateJson github;
    /** golden of {@link #GOLDEN} from S3, on ARM, in a subdirectory, daily, with the stack's dead-letter queue. */
    private static TemplateJson s3;

    @BeforeAll
    static void synthesize() {
        Stack withGitHub = stack(workDir.resolve("github.out"));
        new GoldenImagePipeline(withGitHub, "GoldenImage", GoldenImagePipelineProps.builder()
                .config(TestConfigs.example())
                .baseImage("golden-java21")
                .connectionArn(CONNECTION)
                .repository("example-org/golden-images")
                .build());
        github = new TemplateJson(Template.fromStack(withGitHub));

        Stack withS3 = stack(workDir.resolve("s3.out"));
        Bucket sourceBucket = Bucket.Builder.create(withS3, "SourceBucket").versioned(true).eventBridgeEnabled(true).build();
        Queue shared = Queue.Builder.create(withS3, "SharedDeadLetters").build();
        new GoldenImagePipeline(withS3, "GoldenImage", GoldenImagePipelineProps.builder()
                .config(TestConfigs.parse(GOLDEN))
                .baseImage("golden")
                .sourceBucket(sourceBucket)
                .buildPlatform(EcsReleasePipelineProps.BuildPlatform.ARM64)
                .dockerfile("images/base/Dockerfile")
                .buildContext("images/base")
                .rebuildSchedule(Schedule.rate(Duration.days(1)))
                .deliveryDeadLetterQueue(shared)
                .build());
        s3 = new TemplateJson(Template.fromStack(withS3));
    }

    @Test
    void pipelineIsV2WithASourceAndABuildOnlyAndANewerRunSupersedesAWaitingOne() {
        Map<String, Object> pipeline = TemplateJson.properties(github.only("AWS::CodePipeline::Pipeline"));

        assertThat(pipeline).containsEntry("PipelineType", "V2").containsEntry("ExecutionMode", "SUPERSEDED");
        assertThat(stageNames(github)).containsExactly("Source", "Build");
        assertThat(stageNames(s3)).containsExactly("Source", "Build");
        assertThat(TemplateJson.map(onlyAction(github, "Build").get("ActionTypeId"))).containsEntry("Provider", "CodeBuild");
        assertThat(onlyAction(github, "Build")).doesNotContainKey("OutputArtifacts");
    }

    @Test
    void buildPullsAfreshAndPushesTheRevisionTagBeforeTheBaseTagGantryWatches() {
        Map<String, Object> spec = buildSpec(github);
        List<String> commands = commands(spec);

        assertThat(TemplateJson.map(spec.get("phases"))).containsOnlyKeys("build");
        assertThat(commands).anySatisfy(command -> assertThat(command)
                .startsWith("aws ecr get-login-password ")
                .endsWith("| docker login --username AWS --password-stdin \"$REGISTRY\""));
        assertThat(commands).filteredOn(command -> command.startsWith("docker build ")).singleElement().isEqualTo(
                "docker build --pull --file \"$DOCKERFILE\" --label \"org.opencontainers.image.revision=$REVISION\""
                        + " --tag \"$REPOSITORY_URI:$IMAGE_TAG\" --tag \"$REPOSITORY_URI:$BASE_TAG\" \"$BUILD_CONTEXT\"");
        // The base tag last: its push starts the rebuild wave, and by then the image carries its revision tag.
        assertThat(commands.subList(commands.size() - 2, commands.size())).containsExactly(
                "docker push \"$REPOSITORY_URI:$IMAGE_TAG\"",
                "docker push \"$REPOSITORY_URI:$BASE_TAG\"");
        assertThat(commands).filteredOn(command -> command.startsWith("docker push")).hasSize(2);
        assertThat(commands.get(0)).isEqualTo("REVISION=\"${COMMIT_ID:-$CODEBUILD_RESOLVED_SOURCE_VERSION}\"");
    }

    @Test
    void buildRunsPrivilegedWithTheBaseRepositoryAndTagFromTheConfiguration() {
        Map<String, Object> environment = TemplateJson.map(TemplateJson.properties(github.only("AWS::CodeBuild::Project")).get("Environment"));
        List<Object> variables = TemplateJson.list(environment.get("EnvironmentVariables"));

        assertThat(environment)
                .containsEntry("PrivilegedMode", true)
                .containsEntry("Type", "LINUX_CONTAINER")
                .containsEntry("Image", "aws/codebuild/amazonlinux-x86_64-standard:5.0");
        assertThat(variables).extracting(v -> TemplateJson.map(v).get("Name"))
                .containsExactly("REPOSITORY_URI", "BASE_TAG", "DOCKERFILE", "BUILD_CONTEXT");
        assertThat(TemplateJson.render(variable(variables, "REPOSITORY_URI")))
                .isEqualTo("${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/golden/java21");
        assertThat(variable(variables, "BASE_TAG")).isEqualTo("latest");
        assertThat(variable(variables, "DOCKERFILE")).isEqualTo("Dockerfile");
        assertThat(variable(variables, "BUILD_CONTEXT")).isEqualTo(".");
    }

    @Test
    void buildMayPushToTheBaseRepositoryOnlyAndGetARegistryTokenAnywhere() {
        List<TemplateJson.Statement> ecr = github.statementsOfRole(github.idOf("AWS::IAM::Role", "GoldenImageBuildRole")).stream()
                .filter(s -> s.actions().stream().anyMatch(a -> a.startsWith("ecr:")))
                .toList();

        assertThat(ecr).allSatisfy(s -> assertThat(s.effect()).isEqualTo("Allow"));
        assertThat(ecr).filteredOn(s -> s.actions().contains("ecr:GetAuthorizationToken")).singleElement().satisfies(s -> {
            assertThat(s.actions()).containsExactly("ecr:GetAuthorizationToken");
            assertThat(s.resources()).containsExactly("*");
        });
        assertThat(ecr).filteredOn(s -> !s.actions().contains("ecr:GetAuthorizationToken")).singleElement().satisfies(s -> {
            assertThat(s.actions()).containsExactlyInAnyOrderElementsOf(ECR_PUSH_ACTIONS);
            assertThat(s.resources()).containsExactly("arn:aws:ecr:${AWS::Region}:${AWS::AccountId}:repository/golden/java21");
        });
    }

    @Test
    void noRoleIsAllowedAnythingOnEveryResourceButARegistryToken() {
        for (TemplateJson template : List.of(github, s3)) {
            assertThat(template.identityStatements()).filteredOn(s -> s.resources().contains("*"))
                    .singleElement()
                    .satisfies(s -> assertThat(s.actions()).containsExactly("ecr:GetAuthorizationToken"));
            assertThat(template.identityStatements()).flatExtracting(TemplateJson.Statement::actions)
                    .noneMatch(action -> action.endsWith(":*") || action.equals("*"));
        }
    }

    @Test
    void buildLogsToItsOwnGroupKeptAMonth() {
        Map<String, Object> project = TemplateJson.properties(github.only("AWS::CodeBuild::Project"));
        String logGroup = github.idOf("AWS::Logs::LogGroup", "GoldenImageBuildLogGroup");

        assertThat(project.get("LogsConfig")).isEqualTo(Map.of("CloudWatchLogs", Map.of("GroupName", Map.of("Ref", logGroup), "Status", "ENABLED")));
        assertThat(TemplateJson.properties(github.only("AWS::Logs::LogGroup"))).containsEntry("RetentionInDays", 30);
    }

    @Test
    void artifactsAndBuildAreEncryptedWithTheirOwnRotatedKeyInAPrivateTlsOnlyBucket() {
        String keyId = github.idOf("AWS::KMS::Key", "GoldenImageArtifactsKey");
        String bucketId = github.idOf("AWS::S3::Bucket", "GoldenImageArtifactsBucket");
        Map<String, Object> keyArn = Map.of("Fn::GetAtt", List.of(keyId, "Arn"));
        Map<String, Object> bucket = TemplateJson.properties(github.only("AWS::S3::Bucket"));
        Map<String, Object> bucketPolicy = TemplateJson.properties(github.only("AWS::S3::BucketPolicy"));

        assertThat(TemplateJson.properties(github.only("AWS::KMS::Key"))).containsEntry("EnableKeyRotation", true);
        assertThat(bucket.get("BucketEncryption")).isEqualTo(Map.of("ServerSideEncryptionConfiguration", List.of(Map.of(
                "BucketKeyEnabled", true,
                "ServerSideEncryptionByDefault", Map.of("KMSMasterKeyID", keyArn, "SSEAlgorithm", "aws:kms")))));
        assertThat(bucket.get("PublicAccessBlockConfiguration")).isEqualTo(Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                "IgnorePublicAcls", true, "RestrictPublicBuckets", true));
        assertThat(bucket.get("LifecycleConfiguration")).isEqualTo(Map.of("Rules", List.of(Map.of("ExpirationInDays", 30, "Status", "Enabled"))));
        assertThat(bucketPolicy.get("Bucket")).isEqualTo(Map.of("Ref", bucketId));
        assertThat(bucketPolicy.toString()).contains("aws:SecureTransport=false").contains("Effect=Deny");
        assertThat(TemplateJson.properties(github.only("AWS::CodeBuild::Project"))).containsEntry("EncryptionKey", keyArn);
        assertThat(TemplateJson.properties(github.only("AWS::CodePipeline::Pipeline")).get("ArtifactStore")).isEqualTo(Map.of(
                "EncryptionKey", Map.of("Id", keyArn, "Type", "KMS"),
                "Location", Map.of("Ref", bucketId),
                "Type", "S3"));
    }

    @Test
    void weeklyScheduleStartsThePipelineWithRetriesAndADeadLetterQueueThatMayReceiveFromIt() {
        String ruleId = github.idOf("AWS::Events::Rule", "GoldenImageRebuildSchedule");
        Map<String, Object> rule = TemplateJson.properties(github.only("AWS::Events::Rule"));
        String queueId = github.idOf("AWS::SQS::Queue", "GoldenImageDeliveryDeadLetterQueue");
        String pipelineId = github.idOf("AWS::CodePipeline::Pipeline", "GoldenImage");

        assertThat(rule).containsEntry("ScheduleExpression", "cron(0 5 ? * MON *)").containsEntry("State", "ENABLED");
        assertStartsPipelineThroughQueue(github, rule, pipelineId, queueId);
        assertThat(allowedSenders(github, queueId)).containsExactly(Map.of("Fn::GetAtt", List.of(ruleId, "Arn")));
        assertThat(TemplateJson.properties(github.only("AWS::SQS::Queue")))
                .containsEntry("SqsManagedSseEnabled", true)
                .containsEntry("MessageRetentionPeriod", 14 * 24 * 3600);
    }

    @Test
    void eventsRoleMayStartThisPipelineOnly() {
        String pipelineId = github.idOf("AWS::CodePipeline::Pipeline", "GoldenImage");

        assertThat(github.statementsOfRole(github.idOf("AWS::IAM::Role", "GoldenImageEventsRole"))).singleElement().satisfies(s -> {
            assertThat(s.actions()).containsExactly("codepipeline:StartPipelineExecution");
            assertThat(s.resources()).containsExactly("arn:aws:codepipeline:${AWS::Region}:${AWS::AccountId}:${" + pipelineId + "}");
        });
    }

    @Test
    void githubSourceBuildsMainAndTagsTheImageWithTheCommit() {
        Map<String, Object> source = onlyAction(github, "Source");
        Map<String, Object> build = onlyAction(github, "Build");

        assertThat(TemplateJson.map(source.get("ActionTypeId"))).containsEntry("Provider", "CodeStarSourceConnection");
        assertThat(source.get("Namespace")).isEqualTo("SourceVariables");
        assertThat(TemplateJson.map(source.get("Configuration")))
                .containsEntry("ConnectionArn", CONNECTION)
                .containsEntry("FullRepositoryId", "example-org/golden-images")
                .containsEntry("BranchName", "main");
        assertThat((String) TemplateJson.map(build.get("Configuration")).get("EnvironmentVariables"))
                .isEqualTo("[{\"name\":\"COMMIT_ID\",\"type\":\"PLAINTEXT\",\"value\":\"#{SourceVariables.CommitId}\"}]");
        assertThat(github.resources("AWS::Events::Rule")).hasSize(1);
    }

    @Test
    void s3SourceStartsWhenItsObjectIsWrittenAndBothRulesShareTheGivenQueue() {
        Map<String, Object> source = onlyAction(s3, "Source");
        String triggerId = s3.idOf("AWS::Events::Rule", "GoldenImageSourceTrigger");
        String scheduleId = s3.idOf("AWS::Events::Rule", "GoldenImageRebuildSchedule");
        Map<String, Object> trigger = TemplateJson.properties(s3.resources("AWS::Events::Rule").get(triggerId));
        Map<String, Object> schedule = TemplateJson.properties(s3.resources("AWS::Events::Rule").get(scheduleId));
        Map<String, Object> pattern = TemplateJson.map(trigger.get("EventPattern"));
        String sharedQueue = s3.idOf("AWS::SQS::Queue", "SharedDeadLetters");
        String pipelineId = s3.idOf("AWS::CodePipeline::Pipeline", "GoldenImage");

        assertThat(TemplateJson.map(source.get("Configuration")))
                .containsEntry("S3Bucket", Map.of("Ref", s3.idOf("AWS::S3::Bucket", "SourceBucket")))
                .containsEntry("S3ObjectKey", "golden/source.zip")
                .containsEntry("PollForSourceChanges", false);
        assertThat(pattern.get("source")).isEqualTo(List.of("aws.s3"));
        assertThat(pattern.get("detail-type")).isEqualTo(List.of("Object Created"));
        assertThat(pattern.get("detail")).isEqualTo(Map.of(
                "bucket", Map.of("name", List.of(Map.of("Ref", s3.idOf("AWS::S3::Bucket", "SourceBucket")))),
                "object", Map.of("key", List.of("golden/source.zip"))));
        assertStartsPipelineThroughQueue(s3, trigger, pipelineId, sharedQueue);
        assertStartsPipelineThroughQueue(s3, schedule, pipelineId, sharedQueue);
        assertThat(schedule).containsEntry("ScheduleExpression", "rate(1 day)");
        assertThat(s3.resources("AWS::SQS::Queue")).containsOnlyKeys(sharedQueue);
        assertThat(allowedSenders(s3, sharedQueue)).containsExactlyInAnyOrder(
                Map.of("Fn::GetAtt", List.of(triggerId, "Arn")),
                Map.of("Fn::GetAtt", List.of(scheduleId, "Arn")));
    }

    @Test
    void s3BuildIsArmInTheGivenDirectoryWithTheBasesOwnTagAndTheObjectVersionAsRevision() {
        Map<String, Object> environment = TemplateJson.map(TemplateJson.properties(s3.only("AWS::CodeBuild::Project")).get("Environment"));
        List<Object> variables = TemplateJson.list(environment.get("EnvironmentVariables"));

        assertThat(environment).containsEntry("Type", "ARM_CONTAINER").containsEntry("PrivilegedMode", true);
        assertThat(TemplateJson.render(variable(variables, "REPOSITORY_URI"))).endsWith("/golden/base");
        assertThat(variable(variables, "BASE_TAG")).isEqualTo("stable");
        assertThat(variable(variables, "DOCKERFILE")).isEqualTo("images/base/Dockerfile");
        assertThat(variable(variables, "BUILD_CONTEXT")).isEqualTo("images/base");
        // No commit variable: the tag is the object version CodePipeline resolved.
        assertThat(TemplateJson.map(onlyAction(s3, "Build").get("Configuration"))).doesNotContainKey("EnvironmentVariables");
    }

    @Test
    void logicalIdsArePinned() {
        PINNED_LOGICAL_IDS.forEach((type, id) -> assertThat(github.resources(type)).as(type).containsOnlyKeys(id));
    }

    @Test
    void grantStartAllowsStartingThisPipelineAndGrantPullReadingTheBaseRepository(@TempDir Path dir) {
        Stack stack = stack(dir);
        GoldenImagePipeline golden = new GoldenImagePipeline(stack, "GoldenImage", GoldenImagePipelineProps.builder()
                .config(TestConfigs.example())
                .baseImage("golden-java21")
                .connectionArn(CONNECTION)
                .repository("example-org/golden-images")
                .build());
        Role operator = Role.Builder.create(stack, "Operator").assumedBy(new AccountRootPrincipal()).build();
        Role dependentBuild = Role.Builder.create(stack, "DependentBuild").assumedBy(new AccountRootPrincipal()).build();

        golden.grantStart(operator);
        golden.grantPull(dependentBuild);

        TemplateJson json = new TemplateJson(Template.fromStack(stack));
        String pipelineId = json.idOf("AWS::CodePipeline::Pipeline", "GoldenImage");
        assertThat(json.statementsOfRole(json.idOf("AWS::IAM::Role", "Operator"))).singleElement().satisfies(s -> {
            assertThat(s.actions()).containsExactly("codepipeline:StartPipelineExecution");
            assertThat(s.resources()).containsExactly("arn:aws:codepipeline:${AWS::Region}:${AWS::AccountId}:${" + pipelineId + "}");
        });
        assertThat(json.statementsOfRole(json.idOf("AWS::IAM::Role", "DependentBuild")))
                .filteredOn(s -> !s.actions().contains("ecr:GetAuthorizationToken"))
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.actions()).contains("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer").noneMatch(a -> a.equals("ecr:PutImage"));
                    assertThat(s.resources()).containsExactly("arn:aws:ecr:${AWS::Region}:${AWS::AccountId}:repository/golden/java21");
                });
    }

    @Test
    void refusesABaseImageThatIsNotConfigured() {
        assertThatThrownBy(() -> GoldenImagePipeline.requireBuildable(TestConfigs.example(), "golden-java"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("base image 'golden-java' is not in Gantry's configuration (baseImages: golden-java21, runtime-java)");
        assertThatThrownBy(() -> GoldenImagePipeline.requireBuildable(TestConfigs.parse(TestConfigs.WITHOUT_ROLES), "golden"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("base image 'golden' is not in Gantry's configuration (baseImages: none)");
    }

    @Test
    void refusesABaseImageBuiltByImageBuilder() {
        assertThatThrownBy(() -> GoldenImagePipeline.requireBuildable(TestConfigs.parse(GOLDEN), "builder"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("base image 'builder' is built by EC2 Image Builder "
                        + "(arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden-builder), whose images already start its "
                        + "rebuild waves: a GoldenImagePipeline would be a second build racing it for golden/builder:latest");
    }

    @Test
    void refusesABaseImageGantryRebuildsFromAnotherWithCodeBuildOrAPipeline() {
        GantryConfig config = TestConfigs.parse(GOLDEN);

        assertThatThrownBy(() -> GoldenImagePipeline.requireBuildable(config, "runtime"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("base image 'runtime' is rebuilt by Gantry as dependent 'runtime' of base image 'golden' (CodeBuild project "
                        + "'runtime-image'), which pushes to runtime/java already: a GoldenImagePipeline would be a second build racing it. "
                        + "Its chain starts at base image 'golden'");
        assertThatThrownBy(() -> GoldenImagePipeline.requireBuildable(config, "web-base"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dependent 'web-base' of base image 'runtime' (pipeline 'web-base-release')")
                .hasMessageEndingWith("Its chain starts at base image 'golden'");
        assertThat(GoldenImagePipeline.requireBuildable(config, "golden").repository()).isEqualTo("golden/base");
    }

    @Test
    void constructorRefusesBeforeCreatingAnything(@TempDir Path dir) {
        Stack stack = stack(dir);
        GoldenImagePipelineProps props = GoldenImagePipelineProps.builder()
                .config(TestConfigs.example())
                .baseImage("runtime-java")
                .connectionArn(CONNECTION)
                .repository("example-org/golden-images")
                .build();

        assertThatThrownBy(() -> new GoldenImagePipeline(stack, "GoldenImage", props))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base image 'runtime-java' is rebuilt by Gantry as dependent 'runtime-java' of base image "
                        + "'golden-java21' (CodeBuild project 'runtime-java-image')");
        assertThat(stack.getNode().findAll()).noneMatch(CfnResource.class::isInstance);
    }

    @Test
    void propsNameWhatIsMissing(@TempDir Path dir) {
        Bucket bucket = Bucket.Builder.create(stack(dir), "Source").versioned(true).build();

        assertThatThrownBy(() -> GoldenImagePipelineProps.builder().baseImage("golden").sourceBucket(bucket).build())
                .isInstanceOf(NullPointerException.class).hasMessage("config is required");
        assertThatThrownBy(() -> GoldenImagePipelineProps.builder().config(TestConfigs.example()).sourceBucket(bucket).build())
                .isInstanceOf(NullPointerException.class).hasMessage("baseImage is required");
    }

    @Test
    void propsRefuseNoSourceTwoSourcesHalfAConnectionAndARepositoryThatIsNotOwnerSlashName(@TempDir Path dir) {
        Bucket bucket = Bucket.Builder.create(stack(dir), "Source").versioned(true).build();

        assertThatThrownBy(() -> props().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no source");
        assertThatThrownBy(() -> props().sourceBucket(bucket).connectionArn(CONNECTION).repository("o/r").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one source");
        assertThatThrownBy(() -> props().sourceBucket(bucket).branch("release").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one source");
        assertThatThrownBy(() -> props().connectionArn(CONNECTION).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs connectionArn and repository together");
        assertThatThrownBy(() -> props().repository("o/r").branch("main").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs connectionArn and repository together");
        assertThatThrownBy(() -> props().connectionArn(CONNECTION).repository("o/r").branch(" ").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs connectionArn and repository together");
        assertThatThrownBy(() -> props().connectionArn(CONNECTION).repository("golden-images").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("owner/name");
        assertThatThrownBy(() -> props().dockerfile(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("dockerfile must name a path in the source, was ' '");
        assertThatThrownBy(() -> props().buildContext(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("buildContext must name a path in the source, was ''");
    }

    @Test
    void propsDefaultTheObjectKeyBranchPlatformDockerfileAndSchedule(@TempDir Path dir) {
        Bucket bucket = Bucket.Builder.create(stack(dir), "Source").versioned(true).build();

        GoldenImagePipelineProps fromS3 = props().sourceBucket(bucket).build();
        GoldenImagePipelineProps fromGitHub = props().connectionArn(CONNECTION).repository("o/r").build();

        assertThat(fromS3.sourceObjectKey()).isEqualTo("golden-java21/source.zip");
        assertThat(fromS3.branch()).isNull();
        assertThat(fromS3.connectionSource()).isFalse();
        assertThat(fromGitHub.branch()).isEqualTo("main");
        assertThat(fromGitHub.connectionSource()).isTrue();
        assertThat(fromGitHub.buildPlatform()).isEqualTo(EcsReleasePipelineProps.BuildPlatform.X86_64);
        assertThat(fromGitHub.dockerfile()).isEqualTo("Dockerfile");
        assertThat(fromGitHub.buildContext()).isEqualTo(".");
        assertThat(fromGitHub.rebuildSchedule().getExpressionString()).isEqualTo("cron(0 5 ? * MON *)");
        assertThat(fromGitHub.deliveryDeadLetterQueue()).isNull();
    }

    // cdk-nag AwsSolutions over a stack holding the construct and nothing else.

    private static final String NAG_PATH = "/Golden/GoldenImage/";

    private static final String ARTIFACT_OBJECTS = "Resource::<GoldenImageArtifactsBucket5F7F2B04.Arn>/*";

    private static final String ARTIFACT_GRANT = "the CDK's grant on the pipeline's own artifacts bucket, which holds nothing but this "
            + "pipeline's run artifacts under keys CodePipeline makes up per run; the action families are what CodePipeline and "
            + "CodeBuild do with them";

    private static final String KEY_GRANT = "the CDK's encrypt and decrypt grant on the pipeline's own key, which protects nothing but "
            + "this pipeline's artifacts; the wildcards are the re-encryption and data-key variants S3 and CodeBuild call";

    /** Every finding a GoldenImagePipeline raises, and why it is accepted; {@code sourceAction} is GitHub or S3. */
    private static Map<String, String> acceptedFindings(String sourceAction) {
        Map<String, String> accepted = new LinkedHashMap<>();
        accepted.put(NAG_PATH + "ArtifactsBucket/Resource AwsSolutions-S1", "only the pipeline's roles read and write run artifacts, "
                + "which expire after 30 days and are encrypted with a key only those roles may use; access logs would need a second "
                + "bucket per pipeline, itself unlogged");
        accepted.put(NAG_PATH + "DeliveryDeadLetterQueue/Resource AwsSolutions-SQS3", "this queue is the dead-letter queue of the "
                + "EventBridge targets; the rule only recognizes SQS redrive");
        String pipelineRole = NAG_PATH + "Resource/Role/DefaultPolicy/Resource";
        String sourceRole = NAG_PATH + "Resource/Source/" + sourceAction + "/CodePipelineActionRole/DefaultPolicy/Resource";
        String buildRole = NAG_PATH + "Build/Role/DefaultPolicy/Resource";
        for (String writer : List.of(pipelineRole, sourceRole)) {
            for (String action : List.of("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*")) {
                accepted.put(writer + " AwsSolutions-IAM5[Action::" + action + "]", ARTIFACT_GRANT);
            }
        }
        for (String action : List.of("s3:GetObject*", "s3:GetBucket*", "s3:List*")) {
            accepted.put(buildRole + " AwsSolutions-IAM5[Action::" + action + "]", ARTIFACT_GRANT);
        }
        for (String role : List.of(pipelineRole, sourceRole, buildRole)) {
            accepted.put(role + " AwsSolutions-IAM5[" + ARTIFACT_OBJECTS + "]", ARTIFACT_GRANT);
            accepted.put(role + " AwsSolutions-IAM5[Action::kms:ReEncrypt*]", KEY_GRANT);
            accepted.put(role + " AwsSolutions-IAM5[Action::kms:GenerateDataKey*]", KEY_GRANT);
        }
        accepted.put(buildRole + " AwsSolutions-IAM5[Resource::*]", "ecr:GetAuthorizationToken supports no resource-level "
                + "permissions; the push itself is allowed on the base image's one repository");
        accepted.put(buildRole + " AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:"
                + "/aws/codebuild/<GoldenImageBuild78CF55CA>:*]", "the CDK grants every project its default log group, named after "
                + "the project, although this one logs to its own group; the streams in it are named after builds, which do not "
                + "exist yet");
        return accepted;
    }

    @Test
    void withAGitHubSourceOnlyTheAcceptedFindingsRemain(@TempDir Path dir) {
        App app = new App(AppProps.builder().outdir(dir.toString()).build());
        Stack stack = new Stack(app, "Golden");
        new GoldenImagePipeline(stack, "GoldenImage", GoldenImagePipelineProps.builder()
                .config(TestConfigs.example())
                .baseImage("golden-java21")
                .connectionArn(CONNECTION)
                .repository("example-org/golden-images")
                .build());

        assertThat(nagFindings(app, stack)).containsExactlyInAnyOrderElementsOf(acceptedFindings("GitHub").keySet());
    }

    @Test
    void withAnS3SourceOnlyTheAcceptedFindingsRemain(@TempDir Path dir) {
        App app = new App(AppProps.builder().outdir(dir.toString()).build());
        Stack stack = new Stack(app, "Golden");
        new GoldenImagePipeline(stack, "GoldenImage", GoldenImagePipelineProps.builder()
                .config(TestConfigs.example())
                .baseImage("golden-java21")
                // Imported: the caller's bucket is the caller's to check.
                .sourceBucket(Bucket.fromBucketName(stack, "SourceBucket", "golden-image-sources"))
                .build());

        assertThat(nagFindings(app, stack)).containsExactlyInAnyOrderElementsOf(acceptedFindings("S3").keySet());
    }

    @SuppressWarnings("deprecation")
    private static List<String> nagFindings(App app, Stack stack) {
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(false).build()));
        Annotations annotations = Annotations.fromStack(stack);
        return Stream.concat(
                        annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*")).stream(),
                        annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")).stream())
                .map(GoldenImagePipelineTest::pathAndRule)
                .toList();
    }

    // Annotations.find* still return the cx-api message type, which CDK has marked deprecated without a successor.
    @SuppressWarnings("deprecation")
    private static String pathAndRule(SynthesisMessage message) {
        String data = String.valueOf(message.getEntry().getData());
        int end = data.indexOf(": ");
        return message.getId() + " " + (end < 0 ? data : data.substring(0, end));
    }

    private static GoldenImagePipelineProps.Builder props() {
        return GoldenImagePipelineProps.builder().config(TestConfigs.example()).baseImage("golden-java21");
    }

    private static Stack stack(Path outdir) {
        return new Stack(new App(AppProps.builder().outdir(outdir.resolve("cdk.out").toString()).build()), "Test");
    }

    private static void assertStartsPipelineThroughQueue(TemplateJson template, Map<String, Object> rule, String pipelineId, String queueId) {
        Map<String, Object> target = TemplateJson.map(TemplateJson.list(rule.get("Targets")).get(0));

        assertThat(TemplateJson.list(rule.get("Targets"))).hasSize(1);
        assertThat(TemplateJson.render(target.get("Arn"))).isEqualTo("arn:aws:codepipeline:${AWS::Region}:${AWS::AccountId}:${" + pipelineId + "}");
        assertThat(target.get("RoleArn")).isEqualTo(Map.of("Fn::GetAtt", List.of(template.idOf("AWS::IAM::Role", "GoldenImageEventsRole"), "Arn")));
        assertThat(target.get("DeadLetterConfig")).isEqualTo(Map.of("Arn", Map.of("Fn::GetAtt", List.of(queueId, "Arn"))));
        assertThat(target.get("RetryPolicy")).isEqualTo(Map.of("MaximumRetryAttempts", 8, "MaximumEventAgeInSeconds", 3600));
    }

    /** The rule ARNs the queue's policy lets EventBridge send from, as written in the template; nothing else is allowed. */
    private static List<Object> allowedSenders(TemplateJson template, String queueId) {
        List<Map<String, Object>> allows = template.resources("AWS::SQS::QueuePolicy").values().stream()
                .map(TemplateJson::properties)
                .filter(p -> TemplateJson.list(p.get("Queues")).contains(Map.of("Ref", queueId)))
                .flatMap(p -> TemplateJson.list(TemplateJson.map(p.get("PolicyDocument")).get("Statement")).stream())
                .map(TemplateJson::map)
                .filter(s -> "Allow".equals(s.get("Effect")))
                .toList();
        assertThat(allows).allSatisfy(s -> {
            assertThat(s.get("Principal")).isEqualTo(Map.of("Service", "events.amazonaws.com"));
            assertThat(s.get("Action")).isEqualTo("sqs:SendMessage");
            assertThat(s.get("Resource")).isEqualTo(Map.of("Fn::GetAtt", List.of(queueId, "Arn")));
        });
        return allows.stream().map(s -> TemplateJson.map(TemplateJson.map(s.get("Condition")).get("ArnEquals")).get("aws:SourceArn")).toList();
    }

    private static Object variable(List<Object> variables, String name) {
        return variables.stream()
                .map(TemplateJson::map)
                .filter(v -> name.equals(v.get("Name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no variable " + name))
                .get("Value");
    }

    private static Map<String, Object> buildSpec(TemplateJson template) {
        String yaml = (String) TemplateJson.map(TemplateJson.properties(template.only("AWS::CodeBuild::Project")).get("Source")).get("BuildSpec");
        try {
            return TemplateJson.map(new YAMLMapper().readValue(yaml, Map.class));
        } catch (JsonProcessingException e) {
            throw new AssertionError("the buildspec is not YAML: " + yaml, e);
        }
    }

    private static List<String> commands(Map<String, Object> spec) {
        Map<String, Object> build = TemplateJson.map(TemplateJson.map(spec.get("phases")).get("build"));
        return TemplateJson.list(build.get("commands")).stream().map(String.class::cast).toList();
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
}
