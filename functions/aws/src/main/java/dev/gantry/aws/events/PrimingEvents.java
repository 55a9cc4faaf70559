package dev.gantry.aws.events;

import dev.gantry.aws.SnapStartPriming;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Priming steps that read a small built-in event of each kind through the parser the function reads it with, so the
 * snapshot holds Jackson's introspection of its records. The samples are written here rather than read from
 * {@code events/}, which is not in the function package; they name nothing that exists: account 000000000000,
 * resources called {@code gantry-snapstart-priming}, credentials that are not credentials.
 */
public final class PrimingEvents {

    static final String IMAGE_PUSH = """
            {"version":"0","id":"00000000-0000-0000-0000-000000000001","detail-type":"ECR Image Action","source":"aws.ecr",
             "account":"000000000000","time":"2026-01-01T00:00:00Z","region":"eu-west-1","resources":[],
             "detail":{"result":"SUCCESS","repository-name":"gantry-snapstart-priming","action-type":"PUSH","image-tag":"priming",
              "image-digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}}""";

    static final String PIPELINE_JOB = """
            {"CodePipeline.job":{"id":"00000000-0000-0000-0000-000000000002","accountId":"000000000000","data":{
              "actionConfiguration":{"configuration":{"FunctionName":"gantry-snapstart-priming","UserParameters":"priming"}},
              "inputArtifacts":[{"name":"priming","location":{"type":"S3",
                "s3Location":{"bucketName":"gantry-snapstart-priming","objectKey":"priming/artifact.zip"}}}],
              "outputArtifacts":[],
              "artifactCredentials":{"accessKeyId":"PRIMING-NOT-A-KEY","secretAccessKey":"priming-not-a-secret",
                "sessionToken":"priming-not-a-token","expirationTime":1767225600000},
              "continuationToken":"priming"}}}""";

    static final String DEPLOYMENT_STATE_CHANGE = """
            {"version":"0","id":"00000000-0000-0000-0000-000000000003","detail-type":"ECS Deployment State Change","source":"aws.ecs",
             "account":"000000000000","time":"2026-01-01T00:00:00Z","region":"eu-west-1",
             "resources":["arn:aws:ecs:eu-west-1:000000000000:service/gantry-snapstart-priming/gantry-snapstart-priming"],
             "detail":{"eventType":"INFO","eventName":"SERVICE_DEPLOYMENT_IN_PROGRESS","deploymentId":"ecs-svc/0000000000000000000",
              "updatedAt":"2026-01-01T00:00:00.000Z","reason":"priming"}}""";

    static final String TASK_STATE_CHANGE = """
            {"version":"0","id":"00000000-0000-0000-0000-000000000004","detail-type":"ECS Task State Change","source":"aws.ecs",
             "account":"000000000000","time":"2026-01-01T00:00:00Z","region":"eu-west-1",
             "detail":{"clusterArn":"arn:aws:ecs:eu-west-1:000000000000:cluster/gantry-snapstart-priming",
              "group":"service:gantry-snapstart-priming",
              "taskArn":"arn:aws:ecs:eu-west-1:000000000000:task/gantry-snapstart-priming/00000000000000000000000000000000",
              "taskDefinitionArn":"arn:aws:ecs:eu-west-1:000000000000:task-definition/gantry-snapstart-priming:1",
              "lastStatus":"STOPPED","stopCode":"EssentialContainerExited","stoppedReason":"priming",
              "containers":[{"name":"app","exitCode":1,"reason":"priming"}]}}""";

    static final String LIFECYCLE_HOOK = """
            {"executionId":"00000000-0000-0000-0000-000000000005","lifecycleStage":"PRE_SCALE_UP",
             "executionDetails":{
              "serviceArn":"arn:aws:ecs:eu-west-1:000000000000:service/gantry-snapstart-priming/gantry-snapstart-priming",
              "targetServiceRevisionArn":
               "arn:aws:ecs:eu-west-1:000000000000:service-revision/gantry-snapstart-priming/gantry-snapstart-priming/0"}}""";

    static final String BUILD_STATE_CHANGE = """
            {"version":"0","id":"00000000-0000-0000-0000-000000000006","detail-type":"CodeBuild Build State Change",
             "source":"aws.codebuild","account":"000000000000","time":"2026-01-01T00:00:00Z","region":"eu-west-1",
             "detail":{"build-status":"SUCCEEDED","project-name":"gantry-snapstart-priming",
              "build-id":
               "arn:aws:codebuild:eu-west-1:000000000000:build/gantry-snapstart-priming:00000000-0000-0000-0000-000000000000"}}""";

    static final String IMAGE_BUILDER_STATE_CHANGE = """
            {"version":"0","id":"00000000-0000-0000-0000-000000000007","detail-type":"EC2 Image Builder Image State Change",
             "source":"aws.imagebuilder","account":"000000000000","time":"2026-01-01T00:00:00Z","region":"eu-west-1",
             "resources":["arn:aws:imagebuilder:eu-west-1:000000000000:image/gantry-snapstart-priming/1.0.0/1"],
             "detail":{"state":{"status":"AVAILABLE"},"outputResources":{"containers":[{"region":"eu-west-1",
              "imageUris":["000000000000.dkr.ecr.eu-west-1.amazonaws.com/gantry-snapstart-priming:1.0.0-1"]}]}}}""";

    private PrimingEvents() {}

    /** An ECR push, as the deploy function and the rebuild function read it. */
    public static SnapStartPriming.Step imagePush() {
        return new SnapStartPriming.Step("read an ECR Image Action event", () -> EcrImageActionEvent.parse(stream(IMAGE_PUSH)));
    }

    /** A CodePipeline job, as the pipeline deploy and gate actions read it. */
    public static SnapStartPriming.Step pipelineJob() {
        return new SnapStartPriming.Step("read a CodePipeline job event", () -> CodePipelineJobEvent.parse(stream(PIPELINE_JOB)));
    }

    /** An ECS deployment state change, as the rollout function reads it. */
    public static SnapStartPriming.Step deploymentStateChange() {
        return new SnapStartPriming.Step("read an ECS Deployment State Change event",
                () -> EcsDeploymentStateChangeEvent.parse(stream(DEPLOYMENT_STATE_CHANGE)));
    }

    /** An ECS task state change, as the rollout function reads it. */
    public static SnapStartPriming.Step taskStateChange() {
        return new SnapStartPriming.Step("read an ECS Task State Change event",
                () -> EcsTaskStateChangeEvent.parse(stream(TASK_STATE_CHANGE)));
    }

    /** An ECS lifecycle hook's payload, as the hook function reads it. */
    public static SnapStartPriming.Step lifecycleHook() {
        return new SnapStartPriming.Step("read an ECS lifecycle hook payload", () -> EcsLifecycleHookEvent.parse(stream(LIFECYCLE_HOOK)));
    }

    /** The end of a CodeBuild build, as the rebuild function reads it. */
    public static SnapStartPriming.Step buildStateChange() {
        return new SnapStartPriming.Step("read a CodeBuild Build State Change event",
                () -> CodeBuildStateChangeEvent.parse(stream(BUILD_STATE_CHANGE)));
    }

    /** An Image Builder image, as the rebuild function reads it. */
    public static SnapStartPriming.Step imageBuilderStateChange() {
        return new SnapStartPriming.Step("read an EC2 Image Builder Image State Change event",
                () -> Ec2ImageBuilderStateChangeEvent.parse(stream(IMAGE_BUILDER_STATE_CHANGE)));
    }

    private static InputStream stream(String sample) {
        return new ByteArrayInputStream(sample.getBytes(StandardCharsets.UTF_8));
    }
}
