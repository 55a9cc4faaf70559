package dev.gantry.cdk;

import dev.gantry.infra.ChatOps;
import dev.gantry.infra.EcsDeployAutomation;
import dev.gantry.infra.EcsReleasePipeline;
import dev.gantry.infra.GantryAutomation;
import dev.gantry.infra.GantryStateTable;
import dev.gantry.infra.ImageRebuildAutomation;
import dev.gantry.infra.ReleaseGates;
import java.util.List;
import java.util.Optional;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.s3.Bucket;
import software.constructs.Construct;

/**
 * Everything one {@code cdk deploy} puts into an account: the state table and the automations the configuration
 * asks for.
 *
 * <p>The construct ids below are part of every logical id in the template. Renaming one replaces its resources, and
 * for {@code State} that means a new, empty table: keep them.
 */
public final class GantryStack extends Stack {

    /** The CloudFormation stack name. */
    public static final String STACK_NAME = "Gantry";

    /** The output naming the pipeline-deploy function, for a pipeline's Lambda invoke action defined elsewhere. */
    public static final String PIPELINE_DEPLOY_FUNCTION_OUTPUT = "PipelineDeployFunctionName";

    /** The output naming the pipeline-gate function, for a pipeline's gate action defined elsewhere. */
    public static final String PIPELINE_GATE_FUNCTION_OUTPUT = "PipelineGateFunctionName";

    /** The output holding the ecs-gate-hook function's ARN: a service's lifecycle hook {@code hookTargetArn}. */
    public static final String ECS_GATE_HOOK_FUNCTION_OUTPUT = "EcsGateHookFunctionArn";

    /** The output holding the role ECS assumes to invoke the hook: a service's lifecycle hook {@code roleArn}. */
    public static final String ECS_GATE_HOOK_ROLE_OUTPUT = "EcsGateHookRoleArn";

    /** The output naming the image-rebuild function, to invoke it by hand or find its logs. */
    public static final String IMAGE_REBUILD_FUNCTION_OUTPUT = "ImageRebuildFunctionName";

    /** The output naming the bucket release pipelines read their source zip from, at {@code <service>/source.zip}. */
    public static final String RELEASE_SOURCE_BUCKET_OUTPUT = "ReleaseSourceBucketName";

    /** The output holding slack-interactions' function URL: the Slack app's slash command and interactivity request URL. */
    public static final String SLACK_INTERACTIVITY_URL_OUTPUT = "SlackInteractivityUrl";

    /** The output holding the topic Gantry's own alarms notify. */
    public static final String OPERATIONS_TOPIC_OUTPUT = "OperationsTopicArn";

    /** The output holding the topic a CodePipeline manual approval action names to have its approval asked in Slack. */
    public static final String APPROVAL_TOPIC_OUTPUT = "ApprovalTopicArn";

    private final GantryAutomation automation;

    public GantryStack(Construct scope, String id, GantryStackProps props) {
        super(scope, id, StackProps.builder()
                .stackName(STACK_NAME)
                .description("Gantry: release automation for Amazon ECS")
                .env(props.env())
                .build());

        // 'Default' is the one id the CDK leaves out of logical ids: the resources keep the ids they had when the stack
        // created them itself, so no deployed table, queue or function is replaced by the construct moving into a library.
        this.automation = new GantryAutomation(this, "Default", props.automation());

        getEcsDeploy().ifPresent(ecsDeploy -> CfnOutput.Builder.create(this, PIPELINE_DEPLOY_FUNCTION_OUTPUT)
                .description("Gantry pipeline-deploy: the function a CodePipeline Lambda invoke action calls with imagedefinitions.json")
                .value(ecsDeploy.getPipelineDeployFunction().getFunctionName())
                .build());
        getReleaseGates().ifPresent(releaseGates -> {
            CfnOutput.Builder.create(this, PIPELINE_GATE_FUNCTION_OUTPUT)
                    .description("Gantry pipeline-gate: the function a CodePipeline gate action calls with imagedefinitions.json")
                    .value(releaseGates.getPipelineGateFunction().getFunctionName())
                    .build();
            CfnOutput.Builder.create(this, ECS_GATE_HOOK_FUNCTION_OUTPUT)
                    .description("Gantry ecs-gate-hook: hookTargetArn of a service's deployment lifecycle hook")
                    .value(releaseGates.getEcsGateHookFunction().getFunctionArn())
                    .build();
            CfnOutput.Builder.create(this, ECS_GATE_HOOK_ROLE_OUTPUT)
                    .description("Gantry ecs-gate-hook: roleArn of a service's deployment lifecycle hook, the role ECS invokes the hook with")
                    .value(releaseGates.getEcsHookInvokeRole().getRoleArn())
                    .build();
        });
        getImageRebuild().ifPresent(imageRebuild -> CfnOutput.Builder.create(this, IMAGE_REBUILD_FUNCTION_OUTPUT)
                .description("Gantry image-rebuild: rebuilds the images built from a golden image when it changes")
                .value(imageRebuild.getFunction().getFunctionName())
                .build());
        getReleaseSourceBucket().ifPresent(bucket -> CfnOutput.Builder.create(this, RELEASE_SOURCE_BUCKET_OUTPUT)
                .description("Gantry release pipelines: upload a service's source as <service>/source.zip here to release it")
                .value(bucket.getBucketName())
                .build());
        CfnOutput.Builder.create(this, OPERATIONS_TOPIC_OUTPUT)
                .description("Gantry operations: the topic every Gantry alarm notifies; subscribe a pager or e-mail")
                .value(automation.getOperations().getTopic().getTopicArn())
                .build();
        getChatOps().ifPresent(chatOps -> {
            CfnOutput.Builder.create(this, SLACK_INTERACTIVITY_URL_OUTPUT)
                    .description("Gantry ChatOps: the Slack app's slash command and interactivity request URL (infra/slack/manifest.yml)")
                    .value(chatOps.getInteractivityUrl().getUrl())
                    .build();
            CfnOutput.Builder.create(this, APPROVAL_TOPIC_OUTPUT)
                    .description("Gantry ChatOps: the notification topic of a CodePipeline manual approval to be asked in Slack")
                    .value(chatOps.getApprovalTopic().getTopicArn())
                    .build();
        });
    }

    /** Everything Gantry put into this stack. */
    public GantryAutomation getAutomation() {
        return automation;
    }

    public GantryStateTable getState() {
        return automation.getState();
    }

    /** The deploy automation; empty when the configuration declares no services. */
    public Optional<EcsDeployAutomation> getEcsDeploy() {
        return automation.getEcsDeploy();
    }

    /** The release pipelines the context asked for, in its order; empty by default. */
    public List<EcsReleasePipeline> getReleasePipelines() {
        return automation.getReleasePipelines();
    }

    /** The source bucket of the release pipelines; empty without pipelines or with a GitHub source. */
    public Optional<Bucket> getReleaseSourceBucket() {
        return automation.getReleaseSourceBucket();
    }

    /** The golden-image rebuilds; empty when the configuration declares no base images. */
    public Optional<ImageRebuildAutomation> getImageRebuild() {
        return automation.getImageRebuild();
    }

    /** Gantry in Slack; empty unless the configuration has a {@code slack} section and the Slack secrets are given. */
    public Optional<ChatOps> getChatOps() {
        return automation.getChatOps();
    }

    /** The pipeline gate and the ECS hook; empty when no environment names a gate. */
    public Optional<ReleaseGates> getReleaseGates() {
        return automation.getReleaseGates();
    }
}
