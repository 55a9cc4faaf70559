package dev.gantry.infra;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.events.CfnEventBusPolicy;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.CfnBucket;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * All of Gantry in one construct: the state table and every automation the configuration asks for, with their rules,
 * queues, secret references and alarms. A CDK app that wants Gantry beside its own resources adds this; Gantry's own app
 * adds nothing else.
 *
 * <ul>
 *   <li>{@link GantryStateTable} under id {@code State}, always;</li>
 *   <li>{@link EcsDeployAutomation} ({@code EcsDeploy}) when the configuration declares services;</li>
 *   <li>{@link ReleaseGates} ({@code ReleaseGates}) when an environment names a gate;</li>
 *   <li>{@link ImageRebuildAutomation} ({@code ImageRebuild}) when it declares base images;</li>
 *   <li>an {@link EcsReleasePipeline} ({@code ReleasePipeline-<service>}) per service asked for, and their source bucket
 *       ({@code ReleaseSourceBucket}) unless they read GitHub;</li>
 *   <li>a {@link GoldenImagePipeline} ({@code GoldenImagePipeline-<base image>}) per base image asked for, sharing that
 *       source;</li>
 *   <li>{@link ChatOps} ({@code ChatOps}) when the Slack signing secret is given;</li>
 *   <li>{@link GantryOperations} ({@code Operations}), always: a dashboard, and alarms on every function and every
 *       dead-letter queue, notifying a topic and, with ChatOps, the default Slack channel;</li>
 *   <li>a policy on the default event bus ({@code EnvironmentEvents-<account>}) per account holding environments reached
 *       through a {@code roleArn}, so the events {@link GantryEnvironmentAccess} forwards from there are accepted.</li>
 * </ul>
 * What a configuration does not ask for is not built, so nothing idle is paid for or has to be secured.
 *
 * <p>The construct ids above are part of every logical id beneath them: renaming one replaces its resources, and for
 * {@code State} that means a new, empty table. Gantry's own stack adds this construct under the id {@code Default},
 * which the CDK leaves out of logical ids, so its resources keep the ids they had before this construct existed.
 */
public final class GantryAutomation extends Construct {

    // CodePipeline reads the version current when a run starts; older versions serve nobody after a month.
    private static final int SOURCE_NONCURRENT_VERSION_DAYS = 30;

    private final GantryStateTable state;
    private final EcsDeployAutomation ecsDeploy;
    private final ReleaseGates releaseGates;
    private final ImageRebuildAutomation imageRebuild;
    private final Bucket releaseSourceBucket;
    private final List<EcsReleasePipeline> releasePipelines = new ArrayList<>();
    private final List<GoldenImagePipeline> goldenImagePipelines = new ArrayList<>();
    private final ChatOps chatOps;
    private final GantryOperations operations;

    public GantryAutomation(Construct scope, String id, GantryAutomationProps props) {
        super(scope, id);
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

        // Only where some environment names a gate: otherwise the functions would hold nothing. Such an environment belongs
        // to a service, so the deploy automation, and its failure queue, exist then.
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

        // The queues are the deploy automation's when it exists, so there is one place to watch for each kind of failure.
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
        }

        // Only when asked for: a pipeline builds images, so it is added per service, never by default.
        boolean connectionSource = props.sourceConnectionArn() != null;
        boolean anyPipeline = !props.releasePipelines().isEmpty() || !props.goldenImagePipelines().isEmpty();
        this.releaseSourceBucket = !anyPipeline || connectionSource ? null : releaseSourceBucket();
        for (String service : props.releasePipelines()) {
            EcsReleasePipelineProps.Builder pipeline = EcsReleasePipelineProps.builder()
                    .config(props.config())
                    .service(service)
                    .pipelineDeployFunction(ecsDeploy == null ? null : ecsDeploy.getPipelineDeployFunction())
                    .releaseGates(releaseGates);
            if (connectionSource) {
                pipeline.connectionArn(props.sourceConnectionArn())
                        .repository(props.sourceRepositories().get(service))
                        .branch(props.sourceBranch());
            } else {
                pipeline.sourceBucket(releaseSourceBucket);
                if (ecsDeploy != null) {
                    pipeline.deliveryDeadLetterQueue(ecsDeploy.getDeliveryDeadLetterQueue());
                }
            }
            releasePipelines.add(new EcsReleasePipeline(this, "ReleasePipeline-" + service, pipeline.build()));
        }

        // Their pushes to the base's repository are what start rebuild waves: the image-rebuild function is not called.
        for (String baseImage : props.goldenImagePipelines()) {
            GoldenImagePipelineProps.Builder pipeline = GoldenImagePipelineProps.builder()
                    .config(props.config())
                    .baseImage(baseImage);
            if (connectionSource) {
                pipeline.connectionArn(props.sourceConnectionArn())
                        .repository(props.sourceRepositories().get(baseImage))
                        .branch(props.sourceBranch());
            } else {
                pipeline.sourceBucket(releaseSourceBucket);
            }
            if (imageRebuild != null) {
                pipeline.deliveryDeadLetterQueue(imageRebuild.getDeliveryDeadLetterQueue());
            }
            goldenImagePipelines.add(new GoldenImagePipeline(this, "GoldenImagePipeline-" + baseImage, pipeline.build()));
        }

        // Environments in other accounts send their ECS and ECR events here (GantryEnvironmentAccess forwards them); the
        // default bus accepts nothing from another account unless its policy says so.
        for (String account : GantryEnvironmentAccess.environmentAccounts(props.config())) {
            CfnEventBusPolicy.Builder.create(this, "EnvironmentEvents-" + account)
                    .eventBusName("default")
                    .statementId("GantryEnvironment-" + account)
                    .action("events:PutEvents")
                    .principal(account)
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
        }

        this.operations = new GantryOperations(this, "Operations", operationsProps());
        getChatOps().ifPresent(chat -> chat.postOperationsAlarms(operations.alarmNamePrefix(), operations.alarmStateChangePattern()));
    }

    /**
     * Every function and every queue where something waits that nobody will process on their own. The metrics are the
     * function's, not its alias's: they then cover every version, including one still draining after a deploy.
     */
    private GantryOperationsProps operationsProps() {
        GantryOperationsProps.Builder watched = GantryOperationsProps.builder().stateTable(state.getTable());
        Map<IQueue, Boolean> seen = new IdentityHashMap<>();
        BiConsumer<String, Alias> function = (name, alias) -> watched.function(name, (Function) alias.getLambda());
        TriConsumer queue = (name, deadLetters, kind) -> {
            if (seen.put(deadLetters, Boolean.TRUE) == null) {
                watched.deadLetterQueue(name, deadLetters, kind);
            }
        };
        getEcsDeploy().ifPresent(deploy -> {
            function.accept("ecs-deploy", deploy.getFunction());
            function.accept("pipeline-deploy", deploy.getPipelineDeployFunction());
            function.accept("rollout-follow", deploy.getRolloutFollowFunction());
            deploy.getGateSweepFunction().ifPresent(sweep -> function.accept("gate-sweep", sweep));
            queue.accept("undelivered-events", deploy.getDeliveryDeadLetterQueue(), GantryOperationsProps.DeadLetters.UNDELIVERED_EVENTS);
            queue.accept("failed-invocations", deploy.getFailedInvocationQueue(), GantryOperationsProps.DeadLetters.FAILED_INVOCATIONS);
        });
        getReleaseGates().ifPresent(gates -> {
            function.accept("pipeline-gate", gates.getPipelineGateFunction());
            function.accept("ecs-gate-hook", gates.getEcsGateHookFunction());
        });
        getImageRebuild().ifPresent(rebuild -> {
            function.accept("image-rebuild", rebuild.getFunction());
            watched.rebuildFunction("image-rebuild");
            queue.accept("undelivered-events", rebuild.getDeliveryDeadLetterQueue(), GantryOperationsProps.DeadLetters.UNDELIVERED_EVENTS);
            queue.accept("failed-invocations", rebuild.getFailedInvocationQueue(), GantryOperationsProps.DeadLetters.FAILED_INVOCATIONS);
        });
        for (GoldenImagePipeline pipeline : goldenImagePipelines) {
            queue.accept("undelivered-events-" + pipeline.getBaseImage().name(), pipeline.getDeliveryDeadLetterQueue(),
                    GantryOperationsProps.DeadLetters.UNDELIVERED_EVENTS);
        }
        getChatOps().ifPresent(chat -> {
            function.accept("slack-interactions", chat.getInteractionsFunction());
            function.accept("chatops-worker", chat.getWorkerFunction());
            function.accept("chatops-notify", chat.getNotifyFunction());
            queue.accept("undelivered-events", chat.getDeliveryDeadLetterQueue(), GantryOperationsProps.DeadLetters.UNDELIVERED_EVENTS);
            queue.accept("failed-invocations", chat.getFailedInvocationQueue(), GantryOperationsProps.DeadLetters.FAILED_INVOCATIONS);
            queue.accept("request-dead-letters", chat.getRequestDeadLetterQueue(), GantryOperationsProps.DeadLetters.EXHAUSTED_MESSAGES);
            queue.accept("notify-dead-letters", chat.getNotifyDeadLetterQueue(), GantryOperationsProps.DeadLetters.EXHAUSTED_MESSAGES);
            queue.accept("event-dead-letters", chat.getEventDeadLetterQueue(), GantryOperationsProps.DeadLetters.EXHAUSTED_MESSAGES);
        });
        return watched.build();
    }

    @FunctionalInterface
    private interface TriConsumer {
        void accept(String name, IQueue queue, GantryOperationsProps.DeadLetters kind);
    }

    private ChatOps chatOps(GantryAutomationProps props) {
        ChatOpsProps.Builder settings = ChatOpsProps.builder()
                .config(props.config())
                .configFile(props.configFile())
                .functionJar(props.chatOpsJar())
                .interactionsJar(props.slackInteractionsJar())
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

    /** The pipeline gate and the ECS hook; empty when no environment names a gate. */
    public Optional<ReleaseGates> getReleaseGates() {
        return Optional.ofNullable(releaseGates);
    }

    /** The golden-image rebuilds; empty when the configuration declares no base images. */
    public Optional<ImageRebuildAutomation> getImageRebuild() {
        return Optional.ofNullable(imageRebuild);
    }

    /** The release pipelines asked for, in that order; empty by default. */
    public List<EcsReleasePipeline> getReleasePipelines() {
        return List.copyOf(releasePipelines);
    }

    /** The golden-image pipelines asked for, in that order; empty by default. */
    public List<GoldenImagePipeline> getGoldenImagePipelines() {
        return List.copyOf(goldenImagePipelines);
    }

    /** The source bucket of the release and golden-image pipelines; empty without pipelines or with a GitHub source. */
    public Optional<Bucket> getReleaseSourceBucket() {
        return Optional.ofNullable(releaseSourceBucket);
    }

    /** Gantry's own dashboard, alarms and the topic they notify. */
    public GantryOperations getOperations() {
        return operations;
    }

    /** Gantry in Slack; empty unless the Slack signing secret was given. */
    public Optional<ChatOps> getChatOps() {
        return Optional.ofNullable(chatOps);
    }
}
