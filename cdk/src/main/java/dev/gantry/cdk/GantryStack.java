package dev.gantry.cdk;

import dev.gantry.infra.ChatOps;
import dev.gantry.infra.ChatOpsProps;
import dev.gantry.infra.EcsDeployAutomation;
import dev.gantry.infra.EcsDeployAutomationProps;
import dev.gantry.infra.EcsReleasePipeline;
import dev.gantry.infra.EcsReleasePipelineProps;
import dev.gantry.infra.GantryStateTable;
import dev.gantry.infra.ImageRebuildAutomation;
import dev.gantry.infra.ImageRebuildAutomationProps;
import dev.gantry.infra.ReleaseGates;
import dev.gantry.infra.ReleaseGatesProps;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.CfnBucket;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.sqs.IQueue;
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

    /** The output holding the topic a CodePipeline manual approval action names to have its approval asked in Slack. */
    public static final String APPROVAL_TOPIC_OUTPUT = "ApprovalTopicArn";

    // CodePipeline reads the version current when a run starts; older versions serve nobody after a month.
    private static final int SOURCE_NONCURRENT_VERSION_DAYS = 30;

    private final GantryStateTable state;
    private final EcsDeployAutomation ecsDeploy;
    private final ReleaseGates releaseGates;
    private final ImageRebuildAutomation imageRebuild;
    private final Bucket releaseSourceBucket;
    private final List<EcsReleasePipeline> releasePipelines = new ArrayList<>();
    private final ChatOps chatOps;

    public GantryStack(Construct scope, String id, GantryStackProps props) {
        super(scope, id, StackProps.builder()
                .stackName(STACK_NAME)
                .description("Gantry: release automation for Amazon ECS")
                .env(props.env())
                .build());

        this.state = new GantryStateTable(this, "State");

        // A configuration may list only base images; then there is nothing to deploy and no function to pay for.
        this.ecsDeploy = props.config().services().isEmpty()
                ? null
                : new EcsDeployAutomation(this, "EcsDeploy", EcsDeployAutomationProps.builder()
                        .config(props.config())
                        .configFile(props.configFile())
                        .functionJar(props.ecsDeployJar())
                        .table(state.getTable())
                        .slackBotTokenSecretArn(props.slackBotTokenSecretArn())
                        .build());
        if (ecsDeploy != null) {
            CfnOutput.Builder.create(this, PIPELINE_DEPLOY_FUNCTION_OUTPUT)
                    .description("Gantry pipeline-deploy: the function a CodePipeline Lambda invoke action calls with imagedefinitions.json")
                    .value(ecsDeploy.getPipelineDeployFunction().getFunctionName())
                    .build();
        }

        // Only where some environment names a gate: otherwise the functions would hold nothing. Such an environment belongs to
        // a service, so the deploy automation, and its failure queue, exist then.
        this.releaseGates = ecsDeploy == null || !ReleaseGates.anyGatedEnvironment(props.config())
                ? null
                : new ReleaseGates(this, "ReleaseGates", ReleaseGatesProps.builder()
                        .config(props.config())
                        .configFile(props.configFile())
                        .functionJar(props.releaseGateJar())
                        .table(state.getTable())
                        .failedInvocationQueue(ecsDeploy.getFailedInvocationQueue())
                        .slackBotTokenSecretArn(props.slackBotTokenSecretArn())
                        .build());
        if (releaseGates != null) {
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
        }

        // Only with base images to rebuild. The queues are the deploy automation's when it exists, so there is one place
        // to watch for each kind of failure.
        if (props.config().baseImages().isEmpty()) {
            this.imageRebuild = null;
        } else {
            ImageRebuildAutomationProps.Builder rebuild = ImageRebuildAutomationProps.builder()
                    .config(props.config())
                    .configFile(props.configFile())
                    .functionJar(props.imageRebuildJar())
                    .table(state.getTable());
            if (ecsDeploy != null) {
                rebuild.deliveryDeadLetterQueue(ecsDeploy.getDeliveryDeadLetterQueue())
                        .failedInvocationQueue(ecsDeploy.getFailedInvocationQueue());
            }
            this.imageRebuild = new ImageRebuildAutomation(this, "ImageRebuild", rebuild.build());
            CfnOutput.Builder.create(this, IMAGE_REBUILD_FUNCTION_OUTPUT)
                    .description("Gantry image-rebuild: rebuilds the images built from a golden image when it changes")
                    .value(imageRebuild.getFunction().getFunctionName())
                    .build();
        }

        // Only when asked for: a pipeline builds images, so it is added per service, never by default.
        ReleasePipelineSettings pipelines = props.releasePipelines();
        this.releaseSourceBucket = pipelines.services().isEmpty() || pipelines.connectionSource() ? null : releaseSourceBucket();
        for (String service : pipelines.services()) {
            EcsReleasePipelineProps.Builder pipeline = EcsReleasePipelineProps.builder()
                    .config(props.config())
                    .service(service)
                    .pipelineDeployFunction(ecsDeploy == null ? null : ecsDeploy.getPipelineDeployFunction())
                    .releaseGates(releaseGates);
            if (pipelines.connectionSource()) {
                pipeline.connectionArn(pipelines.connectionArn())
                        .repository(pipelines.repositories().get(service))
                        .branch(pipelines.branch());
            } else {
                pipeline.sourceBucket(releaseSourceBucket);
            }
            releasePipelines.add(new EcsReleasePipeline(this, "ReleasePipeline-" + service, pipeline.build()));
        }
        if (releaseSourceBucket != null) {
            CfnOutput.Builder.create(this, RELEASE_SOURCE_BUCKET_OUTPUT)
                    .description("Gantry release pipelines: upload a service's source as <service>/source.zip here to release it")
                    .value(releaseSourceBucket.getBucketName())
                    .build();
        }

        // Last, because it answers for everything above: it may approve the release pipelines, and every function
        // created above is given its notify queue. It shares the queues of the automations before it when there are any.
        this.chatOps = props.chatOps() ? chatOps(props) : null;
        if (chatOps != null) {
            IQueue notifyQueue = chatOps.getNotifyQueue();
            getEcsDeploy().ifPresent(automation -> automation.sendNotificationsTo(notifyQueue));
            getReleaseGates().ifPresent(gates -> gates.sendNotificationsTo(notifyQueue));
            getImageRebuild().ifPresent(rebuild -> rebuild.sendNotificationsTo(notifyQueue));
            CfnOutput.Builder.create(this, SLACK_INTERACTIVITY_URL_OUTPUT)
                    .description("Gantry ChatOps: the Slack app's slash command and interactivity request URL (infra/slack/manifest.yml)")
                    .value(chatOps.getInteractivityUrl().getUrl())
                    .build();
            CfnOutput.Builder.create(this, APPROVAL_TOPIC_OUTPUT)
                    .description("Gantry ChatOps: the notification topic of a CodePipeline manual approval to be asked in Slack")
                    .value(chatOps.getApprovalTopic().getTopicArn())
                    .build();
        }
    }

    private ChatOps chatOps(GantryStackProps props) {
        ChatOpsProps.Builder settings = ChatOpsProps.builder()
                .config(props.config())
                .configFile(props.configFile())
                .functionJar(props.chatOpsJar())
                .table(state.getTable())
                .slackSigningSecretArn(props.slackSigningSecretArn())
                .slackBotTokenSecretArn(props.slackBotTokenSecretArn())
                .approvalPipelines(releasePipelines.stream().map(EcsReleasePipeline::getPipeline).toList());
        if (ecsDeploy != null) {
            settings.deliveryDeadLetterQueue(ecsDeploy.getDeliveryDeadLetterQueue())
                    .failedInvocationQueue(ecsDeploy.getFailedInvocationQueue());
        } else if (imageRebuild != null) {
            settings.deliveryDeadLetterQueue(imageRebuild.getDeliveryDeadLetterQueue())
                    .failedInvocationQueue(imageRebuild.getFailedInvocationQueue());
        }
        return new ChatOps(this, "ChatOps", settings.build());
    }

    /**
     * The source bucket every S3-sourced release pipeline shares. Versioned, since CodePipeline reads the source object by
     * version; it sends its events to EventBridge, where each pipeline's rule watches its own key.
     */
    private Bucket releaseSourceBucket() {
        Bucket bucket = Bucket.Builder.create(this, "ReleaseSourceBucket")
                .versioned(true)
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .lifecycleRules(List.of(LifecycleRule.builder()
                        .noncurrentVersionExpiration(Duration.days(SOURCE_NONCURRENT_VERSION_DAYS))
                        .build()))
                .build();
        // Set on the CloudFormation resource itself: the L2 'eventBridgeEnabled' would add a custom-resource Lambda function
        // to do what one bucket property does.
        ((CfnBucket) bucket.getNode().getDefaultChild()).setNotificationConfiguration(CfnBucket.NotificationConfigurationProperty.builder()
                .eventBridgeConfiguration(CfnBucket.EventBridgeConfigurationProperty.builder().eventBridgeEnabled(true).build())
                .build());
        return bucket;
    }

    public GantryStateTable getState() {
        return state;
    }

    /** The deploy automation; empty when the configuration declares no services. */
    public Optional<EcsDeployAutomation> getEcsDeploy() {
        return Optional.ofNullable(ecsDeploy);
    }

    /** The release pipelines the context asked for, in its order; empty by default. */
    public List<EcsReleasePipeline> getReleasePipelines() {
        return List.copyOf(releasePipelines);
    }

    /** The source bucket of the release pipelines; empty without pipelines or with a GitHub source. */
    public Optional<Bucket> getReleaseSourceBucket() {
        return Optional.ofNullable(releaseSourceBucket);
    }

    /** The golden-image rebuilds; empty when the configuration declares no base images. */
    public Optional<ImageRebuildAutomation> getImageRebuild() {
        return Optional.ofNullable(imageRebuild);
    }

    /** Gantry in Slack; empty unless the configuration has a {@code slack} section and the Slack secrets are given. */
    public Optional<ChatOps> getChatOps() {
        return Optional.ofNullable(chatOps);
    }

    /** The pipeline gate and the ECS hook; empty when no environment names a gate. */
    public Optional<ReleaseGates> getReleaseGates() {
        return Optional.ofNullable(releaseGates);
    }
}
