package dev.gantry.infra;

import dev.gantry.core.config.GantryConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * Gantry's deploy automation: an image pushed to a service's ECR repository, or handed over by a pipeline, becomes a new
 * ECS task-definition revision pinned to the image digest, rolled out to the service and followed to its end.
 *
 * <p>What it creates, all from one deployment package ({@code lib/gantry-ecs-deploy-lambda.jar} plus {@code gantry.yml}):
 * <ul>
 *   <li>the {@code ecs-deploy} function (id {@code Resource}) and an EventBridge rule on the default bus matching
 *       successful ECR pushes to exactly the repositories the configuration's services deploy from;</li>
 *   <li>the {@code pipeline-deploy} function, for a CodePipeline Lambda invoke action (see
 *       {@link #getPipelineDeployFunction()}); it reports the job's result to CodePipeline itself;</li>
 *   <li>the {@code rollout-follow} function and two rules feeding it: deployment state changes of the configured
 *       services, and their stopped tasks;</li>
 *   <li>when some environment names a gate, the {@code gate-sweep} function and a rule running it every minute: it looks
 *       again at releases their gate holds and deploys those whose gate now passes;</li>
 *   <li>two encrypted SQS queues every function and rule shares: events EventBridge could not hand to a function, and
 *       invocations that failed (Lambda's record names the function);</li>
 *   <li>for each function a log group and a role of its own. The roles may touch only what the configuration names: the
 *       ECS services Gantry reaches with its own credentials, the task and execution roles of those services, the state
 *       table, the roles ({@code roleArn}) it assumes for the others, and what the gates in use read (alarms, change
 *       calendars, custom-check functions; see {@link GateCheckPermissions}).</li>
 * </ul>
 *
 * <p>Functions run on java25 and arm64 with SnapStart, JSON logs and X-Ray tracing. Each is published behind a
 * {@code live} alias, which every rule invokes and which each {@code get*Function()} getter returns: wire anything else
 * that invokes a function to that alias too ({@link Alias#getFunctionName()} is {@code <function name>:live}). The
 * function itself, whose metrics cover every version, is the alias's {@link Alias#getLambda()}. Asynchronous invocations
 * of the alias are not retried (decision 8). Defaults and limits are on {@link EcsDeployAutomationProps}.
 */
public final class EcsDeployAutomation extends Construct {

    /** The ecs-deploy handler the function jar provides, a {@code RequestStreamHandler}. */
    public static final String HANDLER = "dev.gantry.fn.ecsdeploy.EcsDeployHandler::handleRequest";

    /** The pipeline-deploy handler: CodePipeline Lambda invoke jobs with {@code imagedefinitions.json}. */
    public static final String PIPELINE_DEPLOY_HANDLER = "dev.gantry.fn.ecsdeploy.PipelineDeployHandler::handleRequest";

    /** The rollout-follow handler: ECS deployment and task state changes. */
    public static final String ROLLOUT_FOLLOW_HANDLER = "dev.gantry.fn.ecsdeploy.RolloutHandler::handleRequest";

    /** The gate-sweep handler: the scheduled look at releases a gate holds. */
    public static final String GATE_SWEEP_HANDLER = "dev.gantry.fn.ecsdeploy.GateSweepHandler::handleRequest";

    /** The jar's name inside the package, under {@code lib/}. */
    public static final String JAR_NAME = "gantry-ecs-deploy-lambda.jar";

    /** Where the configuration lands in the function's file system. */
    public static final String CONFIG_PATH = FunctionPackage.CONFIG_PATH;

    /** The ecs-deploy function's Powertools service name; the others are {@code gantry-<function>} alike. */
    public static final String POWERTOOLS_SERVICE_NAME = "gantry-ecs-deploy";

    /**
     * Lambda's async retries for a failed invocation: none. The SDK retries throttling inside the invocation; what fails
     * after that is permanent or needs a person, so it goes to the failure queue once, with its reason (decision 8).
     */
    public static final int INVOKE_RETRY_ATTEMPTS = 0;

    /**
     * rollout-follow's async retries: two. Its one expected failure is transient and resolves itself: ECS can
     * report a deployment a moment before the deploy that started it has recorded its service update, and a
     * retry a minute later finds the record. Its writes are conditional and idempotent, so a retry is safe.
     */
    public static final int ROLLOUT_RETRY_ATTEMPTS = 2;

    /**
     * How often gate-sweep looks at held releases: once a minute, the default interval of a waiting gate, so a freeze
     * that ends or an approval that arrives moves its release within a minute.
     */
    public static final int GATE_SWEEP_RATE_MINUTES = 1;

    // EventBridge fails to deliver when Lambda throttles or briefly rejects the Invoke call; with EventBridge's
    // backoff, eight tries span the minutes that takes to clear.
    private static final int DELIVERY_RETRY_ATTEMPTS = 8;

    // A sweep that could not be delivered is not worth delivering late: the next minute's sweep does the same work. The
    // minimum event age EventBridge accepts is a minute.
    private static final int SWEEP_DELIVERY_RETRY_ATTEMPTS = 0;
    private static final int SWEEP_MAX_EVENT_AGE_SECONDS = 60;

    // The SQS maximum: a failure on Friday evening is still there to replay after a long weekend.
    private static final int QUEUE_RETENTION_DAYS = 14;

    private static final String ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";

    private static final GantryFunction.Spec ECS_DEPLOY = new GantryFunction.Spec("", "ecs-deploy", HANDLER,
            "rolls ECS services to pushed images, pinned to their digest");
    private static final GantryFunction.Spec PIPELINE_DEPLOY = new GantryFunction.Spec("PipelineDeploy", "pipeline-deploy",
            PIPELINE_DEPLOY_HANDLER, "deploys the images a CodePipeline job hands over and reports the job's result");
    private static final GantryFunction.Spec ROLLOUT_FOLLOW = new GantryFunction.Spec("RolloutFollow", "rollout-follow",
            ROLLOUT_FOLLOW_HANDLER, "follows the configured services' rollouts to their end");
    private static final GantryFunction.Spec GATE_SWEEP = new GantryFunction.Spec("GateSweep", "gate-sweep",
            GATE_SWEEP_HANDLER, "looks again at releases a gate holds and deploys those whose gate now passes");

    private final GantryFunction ecsDeploy;
    private final GantryFunction pipelineDeploy;
    private final GantryFunction rolloutFollow;
    private final GantryFunction gateSweep;
    private final Rule rule;
    private final Rule rolloutDeploymentRule;
    private final Rule rolloutTaskRule;
    private final Rule gateSweepRule;
    private final Queue deliveryDeadLetterQueue;
    private final Queue failedInvocationQueue;

    /**
     * @throws IllegalArgumentException when the configuration declares no services, or the jar or the configuration
     *     file is missing
     */
    public EcsDeployAutomation(Construct scope, String id, EcsDeployAutomationProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props");
        GantryConfig config = props.config();
        List<String> repositories = config.serviceRepositories();
        if (repositories.isEmpty()) {
            throw new IllegalArgumentException("the configuration declares no services, so there is nothing for "
                    + "EcsDeployAutomation to deploy; add it only when 'services' is not empty");
        }
        ConfiguredTargets targets = new ConfiguredTargets(Stack.of(this), config);
        GateCheckPermissions gateChecks = new GateCheckPermissions(Stack.of(this), config, props.table(), props.slackBotTokenSecretArn());
        GantryFunction.Settings settings =
                new GantryFunction.Settings(props.table(), props.memorySize(), props.timeout(), props.logRetention());

        // One package for every function: the same jar serves them all, so CDK uploads one asset.
        Path packageDir = FunctionPackage.stage(FunctionPackage.stagingRoot(this), props.functionJar(), JAR_NAME, props.configFile());
        Code code = Code.fromAsset(packageDir.toString());

        // Two queues, not one: EventBridge parks the raw event when it cannot invoke a function at all, Lambda parks an
        // invocation record (request, error, function) when a function ran and failed. Different shapes, different
        // causes and a different remedy (replay the event vs. fix what failed), so each gets its own queue; the
        // functions and rules share them, so there is one place to watch for each.
        this.deliveryDeadLetterQueue = encryptedQueue("DeliveryDeadLetterQueue");
        this.failedInvocationQueue = encryptedQueue("FailedInvocationQueue");

        this.ecsDeploy = new GantryFunction(this, ECS_DEPLOY, code, settings, failedInvocationQueue, INVOKE_RETRY_ATTEMPTS);
        this.pipelineDeploy = new GantryFunction(this, PIPELINE_DEPLOY, code, settings, failedInvocationQueue, INVOKE_RETRY_ATTEMPTS);
        this.rolloutFollow = new GantryFunction(this, ROLLOUT_FOLLOW, code, settings, failedInvocationQueue, ROLLOUT_RETRY_ATTEMPTS);
        // No gate, nothing held: a sweep would wake every minute to find nothing.
        this.gateSweep = GateCheckPermissions.anyGatedEnvironment(config)
                ? new GantryFunction(this, GATE_SWEEP, code, settings, failedInvocationQueue, INVOKE_RETRY_ATTEMPTS)
                : null;

        this.rule = Rule.Builder.create(this, "ImagePushRule")
                .description("Gantry: a successful ECR push to a service repository starts a deploy")
                .eventPattern(imagePushPattern(repositories))
                .build();
        deliver(rule, ecsDeploy);

        // Deployment events name the service in 'resources'. Task events carry the cluster and the task group
        // 'service:<name>' in 'detail'; both lists match independently, so a task of a same-named service in another
        // configured cluster also arrives, and the function sorts it out.
        this.rolloutDeploymentRule = Rule.Builder.create(this, "RolloutDeploymentRule")
                .description("Gantry: a deployment state change of a configured ECS service")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.ecs"))
                        .detailType(List.of("ECS Deployment State Change"))
                        .resources(targets.serviceArns())
                        .build())
                .build();
        deliver(rolloutDeploymentRule, rolloutFollow);
        Map<String, Object> stoppedTask = new LinkedHashMap<>();
        stoppedTask.put("lastStatus", List.of("STOPPED"));
        stoppedTask.put("clusterArn", targets.clusterArns());
        stoppedTask.put("group", targets.serviceTaskGroups());
        this.rolloutTaskRule = Rule.Builder.create(this, "RolloutTaskStoppedRule")
                .description("Gantry: a task of a configured ECS service stopped")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.ecs"))
                        .detailType(List.of("ECS Task State Change"))
                        .detail(stoppedTask)
                        .build())
                .build();
        deliver(rolloutTaskRule, rolloutFollow);

        if (gateSweep != null) {
            this.gateSweepRule = Rule.Builder.create(this, "GateSweepRule")
                    .description("Gantry: every minute, look again at the releases a gate holds")
                    .schedule(Schedule.rate(Duration.minutes(GATE_SWEEP_RATE_MINUTES)))
                    .build();
            gateSweepRule.addTarget(new LambdaFunction(gateSweep.alias(), LambdaFunctionProps.builder()
                    .deadLetterQueue(deliveryDeadLetterQueue)
                    .maxEventAge(Duration.seconds(SWEEP_MAX_EVENT_AGE_SECONDS))
                    .retryAttempts(SWEEP_DELIVERY_RETRY_ATTEMPTS)
                    .build()));
        } else {
            this.gateSweepRule = null;
        }

        // Every function that can move a release into an environment: a push or a pipeline reaching a gated environment
        // is evaluated on the spot, and the sweep evaluates again what was held.
        List<GantryFunction> deployers = gateSweep == null ? List.of(ecsDeploy, pipelineDeploy) : List.of(ecsDeploy, pipelineDeploy, gateSweep);
        for (GantryFunction deployer : deployers) {
            allowDeploying(deployer, targets, gateChecks);
        }

        // Job results have no resource-level permissions: AWS evaluates PutJobSuccessResult and PutJobFailureResult
        // only against "*", and the job id in the request is what ties the call to one job.
        pipelineDeploy.allow(List.of("codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"), List.of("*"));
        // The job names an image by tag; its digest comes from the repository. The input artifact itself is read from
        // S3 with the temporary credentials CodePipeline puts in the job (artifactCredentials), scoped to that
        // artifact: the role needs no S3 permission.
        pipelineDeploy.allow(List.of("ecr:DescribeImages"), targets.repositoryArns());

        rolloutFollow.allow(List.of("ecs:DescribeServices"), targets.directServiceArns());
        rolloutFollow.allow(List.of("sts:AssumeRole"), targets.assumableRoles());
    }

    /**
     * Gives every function of the automation the notify queue of {@link ChatOps}: its URL in
     * {@value ChatOps#NOTIFY_QUEUE_ENV} and leave to send to it, so deploys, rollouts and gates are told in Slack.
     */
    public void sendNotificationsTo(IQueue notifyQueue) {
        for (GantryFunction function : gateSweep == null
                ? List.of(ecsDeploy, pipelineDeploy, rolloutFollow)
                : List.of(ecsDeploy, pipelineDeploy, rolloutFollow, gateSweep)) {
            ChatOps.allowNotifying(function, notifyQueue);
        }
    }

    /**
     * The ecs-deploy function's {@code live} alias, which the push rule invokes. The function itself ({@code getLambda()})
     * is also the construct's default child.
     */
    public Alias getFunction() {
        return ecsDeploy.alias();
    }

    /** The ecs-deploy function's log group. */
    public LogGroup getLogGroup() {
        return ecsDeploy.logGroup();
    }

    /** The rule matching successful pushes to the configured service repositories. */
    public Rule getRule() {
        return rule;
    }

    /**
     * The pipeline-deploy function's {@code live} alias, for a CodePipeline {@code LambdaInvokeAction} whose input
     * artifact holds {@code imagedefinitions.json}. The action grants the pipeline's role the right to invoke it.
     */
    public Alias getPipelineDeployFunction() {
        return pipelineDeploy.alias();
    }

    /** The rollout-follow function's {@code live} alias, which the rollout rules invoke. */
    public Alias getRolloutFollowFunction() {
        return rolloutFollow.alias();
    }

    /** The gate-sweep function's {@code live} alias; empty when no environment names a gate. */
    public Optional<Alias> getGateSweepFunction() {
        return Optional.ofNullable(gateSweep).map(GantryFunction::alias);
    }

    /** The rule running gate-sweep every minute; empty when no environment names a gate. */
    public Optional<Rule> getGateSweepRule() {
        return Optional.ofNullable(gateSweepRule);
    }

    /** The rule matching deployment state changes of the configured services. */
    public Rule getRolloutDeploymentRule() {
        return rolloutDeploymentRule;
    }

    /** The rule matching stopped tasks of the configured services. */
    public Rule getRolloutTaskRule() {
        return rolloutTaskRule;
    }

    /** Receives the events EventBridge could not deliver to a function, from every rule. */
    public Queue getDeliveryDeadLetterQueue() {
        return deliveryDeadLetterQueue;
    }

    /** Receives Lambda's record of every function's invocations that failed; they are not retried first. */
    public Queue getFailedInvocationQueue() {
        return failedInvocationQueue;
    }

    private void deliver(Rule from, GantryFunction to) {
        from.addTarget(new LambdaFunction(to.alias(), LambdaFunctionProps.builder()
                .deadLetterQueue(deliveryDeadLetterQueue)
                .maxEventAge(Duration.hours(GantryFunction.MAX_EVENT_AGE_HOURS))
                .retryAttempts(DELIVERY_RETRY_ATTEMPTS)
                .build()));
    }

    /**
     * What moving a release into an environment takes, for every function that can (chatops-worker's deploy and
     * rollback included): the ECS work below, assuming the environments' roles, and evaluating the gates in use.
     */
    static void allowDeploying(GantryFunction deployer, ConfiguredTargets targets, GateCheckPermissions gateChecks) {
        allowEcsDeploy(deployer, targets);
        deployer.allow(List.of("sts:AssumeRole"), targets.assumableRoles());
        gateChecks.grantTo(deployer);
    }

    /**
     * What a deploy does in ECS, for the services Gantry reaches with its own credentials: describe and move the service,
     * copy and register its task definition, pass its roles, and clean up old revisions. Services reached through a role
     * need none of it here: the role, in their account, carries it.
     */
    private static void allowEcsDeploy(GantryFunction deployer, ConfiguredTargets targets) {
        deployer.allow(List.of("ecs:DescribeServices", "ecs:UpdateService"), targets.directServiceArns());
        if (targets.anyDirect()) {
            // None of these supports resource-level permissions: the Service Authorization Reference lists no resource
            // type for them, so AWS evaluates them only against "*". The family's revisions are not in gantry.yml.
            deployer.allow(List.of("ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition", "ecs:ListTaskDefinitions",
                    "ecs:DeregisterTaskDefinition"), List.of("*"));
        }
        // The new revision is a copy of the running one, tags included, and registering a tagged task definition needs
        // TagResource. The condition allows tagging only as part of that registration.
        deployer.allow(List.of("ecs:TagResource"), targets.directTaskDefinitionArns(),
                Map.of("StringEquals", Map.of("ecs:CreateAction", "RegisterTaskDefinition")));
        deployer.allow(List.of("iam:PassRole"), targets.directPassableRoles(),
                Map.of("StringEquals", Map.of("iam:PassedToService", ECS_TASKS_SERVICE)));
    }

    private static EventPattern imagePushPattern(List<String> repositories) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("action-type", List.of("PUSH"));
        detail.put("result", List.of("SUCCESS"));
        detail.put("repository-name", repositories);
        return EventPattern.builder()
                .source(List.of("aws.ecr"))
                .detailType(List.of("ECR Image Action"))
                .detail(detail)
                .build();
    }

    private Queue encryptedQueue(String id) {
        return Queue.Builder.create(this, id)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(QUEUE_RETENTION_DAYS))
                .build();
    }
}
