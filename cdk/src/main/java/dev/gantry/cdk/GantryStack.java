package dev.gantry.cdk;

import dev.gantry.infra.EcsDeployAutomation;
import dev.gantry.infra.EcsDeployAutomationProps;
import dev.gantry.infra.GantryStateTable;
import dev.gantry.infra.ReleaseGates;
import dev.gantry.infra.ReleaseGatesProps;
import java.util.Optional;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Stack;
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

    private final GantryStateTable state;
    private final EcsDeployAutomation ecsDeploy;
    private final ReleaseGates releaseGates;

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
}
