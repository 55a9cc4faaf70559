package dev.gantry.cdk;

import dev.gantry.infra.GantryEnvironmentAccess;
import dev.gantry.infra.GantryEnvironmentAccessProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/**
 * One account and region holding Gantry environments reached through a {@code roleArn}: the roles Gantry assumes there
 * and the forwarding of its events to Gantry. Deployed with credentials for that account, beside {@link GantryStack}
 * ({@code cdk deploy --all}).
 */
public final class GantryEnvironmentStack extends Stack {

    private final GantryEnvironmentAccess access;

    public GantryEnvironmentStack(Construct scope, GantryEnvironmentAccessProps props) {
        super(scope, nameFor(props.account(), props.region()), StackProps.builder()
                .stackName(nameFor(props.account(), props.region()))
                .description("Gantry: what account " + props.account() + " in " + props.region() + " gives Gantry to deploy there")
                .env(Environment.builder().account(props.account()).region(props.region()).build())
                .build());
        // Stable id: the roles' and rules' logical ids derive from it.
        this.access = new GantryEnvironmentAccess(this, "Access", props);
    }

    /** {@code Gantry-<account>-<region>}: one per place, named after it, so a list of stacks says where each one goes. */
    public static String nameFor(String account, String region) {
        return GantryStack.STACK_NAME + "-" + account + "-" + region;
    }

    public GantryEnvironmentAccess getAccess() {
        return access;
    }
}
