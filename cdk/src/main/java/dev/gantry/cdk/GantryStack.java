package dev.gantry.cdk;

import dev.gantry.infra.EcsDeployAutomation;
import dev.gantry.infra.EcsDeployAutomationProps;
import dev.gantry.infra.GantryStateTable;
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

    private final GantryStateTable state;
    private final EcsDeployAutomation ecsDeploy;

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
    }

    public GantryStateTable getState() {
        return state;
    }

    /** The deploy automation; empty when the configuration declares no services. */
    public Optional<EcsDeployAutomation> getEcsDeploy() {
        return Optional.ofNullable(ecsDeploy);
    }
}
