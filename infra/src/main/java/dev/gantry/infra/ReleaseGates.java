package dev.gantry.infra;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.pipeline.PipelineTarget;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.IStage;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.StageOptions;
import software.amazon.awscdk.services.codepipeline.actions.LambdaInvokeAction;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * Release gates outside Gantry's own deploys: a CodePipeline stage that waits until a release may enter an environment,
 * and an ECS deployment lifecycle hook that holds an ECS-native deployment (blue/green, linear, canary) the same way.
 * Gantry's own deploys evaluate gates in {@link EcsDeployAutomation}.
 *
 * <p>What it creates, from one deployment package ({@code lib/}{@value #JAR_NAME} plus {@code gantry.yml}):
 * <ul>
 *   <li>the {@code pipeline-gate} function, for a CodePipeline Lambda invoke action (see {@link #addGateStage}); it reports
 *       the job's result to CodePipeline itself, with a continuation token while the gate waits;</li>
 *   <li>the {@code ecs-gate-hook} function, which ECS invokes as a lifecycle hook; it reads the service revision being
 *       deployed and answers whether the gate passed, waits or failed;</li>
 *   <li>a role ECS assumes to invoke the hook, allowed to invoke that function and nothing else: a service's
 *       {@code deploymentConfiguration.lifecycleHooks} names both ({@link #getEcsGateHookFunction()},
 *       {@link #getEcsHookInvokeRole()});</li>
 *   <li>for each function a log group and a role of its own, allowed what the gates in use read
 *       ({@link GateCheckPermissions}), the state table where gate records live, and what its trigger needs: the job
 *       results and the service repositories' image digests for pipeline-gate, the configured services' revisions for
 *       the hook.</li>
 * </ul>
 *
 * <p>ECS passes the invoke role only to services in the stack's own account. A service reached through a {@code roleArn}
 * needs an invoke role in its account, and the hook reads its revisions through that {@code roleArn}, which must allow
 * {@code ecs:DescribeServiceRevisions} there.
 *
 * <p>Functions run on java25 and arm64 with SnapStart, JSON logs and X-Ray tracing, each published behind a {@code live}
 * alias: the gate action, the hook's target and the invoke role name that alias, and the {@code get*Function()} getters
 * return it (the function itself, whose metrics cover every version, is its {@link Alias#getLambda()}). Asynchronous
 * invocations of the alias are not retried and failures land in the queue the props name (decision 8). Defaults and
 * limits are on {@link ReleaseGatesProps}.
 */
public final class ReleaseGates extends Construct {

    /** The pipeline-gate handler the release-gate jar provides, a {@code RequestStreamHandler}. */
    public static final String PIPELINE_GATE_HANDLER = "dev.gantry.fn.releasegate.PipelineGateHandler::handleRequest";

    /** The ecs-gate-hook handler: ECS deployment lifecycle hook invocations. */
    public static final String ECS_GATE_HOOK_HANDLER = "dev.gantry.fn.releasegate.EcsHookHandler::handleRequest";

    /** The jar's name inside the package, under {@code lib/}. */
    public static final String JAR_NAME = "gantry-release-gate-lambda.jar";

    /** Lambda's async retries: none, as for every Gantry function (decision 8). */
    public static final int INVOKE_RETRY_ATTEMPTS = 0;

    private static final String ECS_SERVICE = "ecs.amazonaws.com";

    private static final GantryFunction.Spec PIPELINE_GATE = new GantryFunction.Spec("PipelineGate", "pipeline-gate",
            PIPELINE_GATE_HANDLER, "holds a CodePipeline run until the release passes its environment's gate");
    private static final GantryFunction.Spec ECS_GATE_HOOK = new GantryFunction.Spec("EcsGateHook", "ecs-gate-hook",
            ECS_GATE_HOOK_HANDLER, "answers ECS deployment lifecycle hooks with the gate of the release being deployed");

    private final GantryConfig config;
    private final GantryFunction pipelineGate;
    private final GantryFunction ecsGateHook;
    private final Role ecsHookInvokeRole;

    /**
     * @throws IllegalArgumentException when no environment names a gate, or the jar or the configuration file is missing
     */
    public ReleaseGates(Construct scope, String id, ReleaseGatesProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props");
        this.config = props.config();
        if (!anyGatedEnvironment(config)) {
            throw new IllegalArgumentException("no environment in the configuration names a gate, so there is nothing for "
                    + "ReleaseGates to hold; add it only when some environment has 'gate'");
        }
        Stack stack = Stack.of(this);
        ConfiguredTargets targets = new ConfiguredTargets(stack, config);
        GateCheckPermissions gateChecks = new GateCheckPermissions(stack, config, props.table(), props.slackBotTokenSecretArn());
        GantryFunction.Settings settings =
                new GantryFunction.Settings(props.table(), props.memorySize(), props.timeout(), props.logRetention());

        Path packageDir = FunctionPackage.stage(FunctionPackage.stagingRoot(this), props.functionJar(), JAR_NAME, props.configFile());
        Code code = Code.fromAsset(packageDir.toString());

        this.pipelineGate = new GantryFunction(this, PIPELINE_GATE, code, settings, props.failedInvocationQueue(), INVOKE_RETRY_ATTEMPTS);
        this.ecsGateHook = new GantryFunction(this, ECS_GATE_HOOK, code, settings, props.failedInvocationQueue(), INVOKE_RETRY_ATTEMPTS);

        for (GantryFunction gate : List.of(pipelineGate, ecsGateHook)) {
            gateChecks.grantTo(gate);
        }

        // Job results have no resource-level permissions: AWS evaluates PutJobSuccessResult and PutJobFailureResult only
        // against "*", and the job id in the request is what ties the call to one job.
        pipelineGate.allow(List.of("codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"), List.of("*"));
        // A gate approves a digest, and imagedefinitions.json may name the image by tag only: the digest comes from the
        // repository. The artifact is read with the job's own temporary credentials, so no S3 permission.
        pipelineGate.allow(List.of("ecr:DescribeImages"), targets.repositoryArns());

        // The hook learns the images of the deployment from the revision ECS created for it.
        ecsGateHook.allow(List.of("ecs:DescribeServiceRevisions"), targets.directServiceRevisionArns());
        ecsGateHook.allow(List.of("sts:AssumeRole"), targets.assumableRoles());

        this.ecsHookInvokeRole = Role.Builder.create(this, "EcsHookInvokeRole")
                .assumedBy(new ServicePrincipal(ECS_SERVICE))
                .description("Gantry: lets ECS invoke the ecs-gate-hook function as a deployment lifecycle hook")
                .build();
        // The live alias's ARN only, the one services name as their hook target: not the unpublished function, no other
        // version or alias, no other function.
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(ecsHookInvokeRole)
                .actions(List.of("lambda:InvokeFunction"))
                .resourceArns(List.of(ecsGateHook.alias().getFunctionArn()))
                .build());
    }

    /**
     * Gives both functions the notify queue of {@link ChatOps}: its URL in {@value ChatOps#NOTIFY_QUEUE_ENV} and leave to
     * send to it, so what a gate decides is told in Slack.
     */
    public void sendNotificationsTo(IQueue notifyQueue) {
        for (GantryFunction gate : List.of(pipelineGate, ecsGateHook)) {
            ChatOps.allowNotifying(gate, notifyQueue);
        }
    }

    /** Whether {@code config} gives this construct anything to do: some environment names a gate. */
    public static boolean anyGatedEnvironment(GantryConfig config) {
        return GateCheckPermissions.anyGatedEnvironment(config);
    }

    /**
     * Adds a stage named {@code stageName} to {@code pipeline} holding one gate action: the run waits there until the
     * release in {@code imageDefinitions} passes the gate of {@code environment} of {@code service}, and fails there when
     * the gate fails. The action is allowed to invoke pipeline-gate; pipeline-gate reports the result itself.
     *
     * @param imageDefinitions the artifact holding {@code imagedefinitions.json} or {@code imageDetail.json}
     * @param triggeredBy who set the run going, usually a pipeline variable such as
     *     {@code #{SourceVariables.AuthorDisplayName}}; a gate keeps that person from approving. {@code null} when the
     *     pipeline cannot say
     * @throws IllegalArgumentException when the configuration has no such service or environment, or the environment
     *     has no gate (the stage would have nothing to wait for)
     */
    public IStage addGateStage(Pipeline pipeline, String stageName, String service, String environment, Artifact imageDefinitions,
            String triggeredBy) {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(stageName, "stageName");
        return pipeline.addStage(StageOptions.builder()
                .stageName(stageName)
                .actions(List.of(gateAction(gateActionName(service, environment), service, environment, imageDefinitions, triggeredBy)))
                .build());
    }

    /**
     * The gate action alone, for a stage that holds other actions as well; {@link #addGateStage} explains the parameters.
     *
     * @param actionName the action's name in its stage, unique there
     */
    public LambdaInvokeAction gateAction(String actionName, String service, String environment, Artifact imageDefinitions,
            String triggeredBy) {
        Objects.requireNonNull(actionName, "actionName");
        Objects.requireNonNull(imageDefinitions, "imageDefinitions");
        requireGatedEnvironment(service, environment);
        return LambdaInvokeAction.Builder.create()
                .actionName(actionName)
                .lambda(pipelineGate.alias())
                .inputs(List.of(imageDefinitions))
                .userParameters(userParameters(service, environment, triggeredBy))
                .build();
    }

    /**
     * The pipeline-gate function's {@code live} alias, for a CodePipeline {@code LambdaInvokeAction}; {@link #gateAction}
     * builds one.
     */
    public Alias getPipelineGateFunction() {
        return pipelineGate.alias();
    }

    /**
     * The ecs-gate-hook function's {@code live} alias: its {@code getFunctionArn()} is the {@code hookTargetArn} of a
     * service's lifecycle hook, the one ARN {@link #getEcsHookInvokeRole()} may invoke.
     */
    public Alias getEcsGateHookFunction() {
        return ecsGateHook.alias();
    }

    /** The role ECS assumes to invoke ecs-gate-hook: the {@code roleArn} of a service's lifecycle hook. */
    public IRole getEcsHookInvokeRole() {
        return ecsHookInvokeRole;
    }

    /**
     * The action's UserParameters as the function reads them. The CDK serializes the map, so a name or a pipeline variable
     * holding a quote still makes valid JSON; insertion order keeps the template the same on every synth.
     */
    private static Map<String, Object> userParameters(String service, String environment, String triggeredBy) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("service", service);
        parameters.put("environment", environment);
        // Ties the deploy action to the pass its own execution's gate action gave; Lambda invoke jobs carry no execution id.
        parameters.put("pipelineExecutionId", PipelineTarget.EXECUTION_ID_VARIABLE);
        if (triggeredBy != null && !triggeredBy.isBlank()) {
            parameters.put("triggeredBy", triggeredBy);
        }
        return parameters;
    }

    // Action names allow letters, digits and . @ - _ only, which service and environment names already keep to.
    private static String gateActionName(String service, String environment) {
        return "Gate-" + service + "-" + environment;
    }

    private void requireGatedEnvironment(String service, String environment) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(environment, "environment");
        ServiceConfig configured = config.services().stream()
                .filter(s -> s.name().equals(service))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("service '" + service + "' is not in Gantry's configuration (services: "
                        + String.join(", ", config.services().stream().map(ServiceConfig::name).toList()) + ")"));
        EnvironmentConfig env = configured.environments().stream()
                .filter(e -> e.name().equals(environment))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("service '" + service + "' has no environment '" + environment
                        + "' (it has: " + String.join(", ", configured.environments().stream().map(EnvironmentConfig::name).toList()) + ")"));
        if (!env.gated()) {
            throw new IllegalArgumentException("environment '" + environment + "' of service '" + service
                    + "' has no gate in Gantry's configuration, so a gate stage would have nothing to wait for");
        }
    }
}
