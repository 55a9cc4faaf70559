package dev.gantry.fn.ecsdeploy;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsClients;
import dev.gantry.aws.PrimingCalls;
import dev.gantry.aws.SdkEcsDeployments;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.aws.events.PrimingEvents;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.rollout.RolloutService;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the rollout service from the environment, all at init: the same variables as the deploy
 * function ({@code GANTRY_CONFIG}, {@code GANTRY_TABLE}, and the standard {@code AWS_*} ones).
 */
final class RolloutWiring {

    private RolloutWiring() {}

    /** What the rollout handler runs on, and how it is primed for a SnapStart snapshot. */
    record Wired(RolloutService rollouts, DeployNews news, SnapStartPriming priming) {}

    static Wired fromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        // The clients that reach each configured service, by region and role, built now rather than on first use.
        EcsClients ecsClients = EcsClients.forConfig(config, aws);
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        DynamoDbClient dynamo = aws.dynamoDb();
        SnapStartPriming.Builder priming = SnapStartPriming.builder().loadListedClasses()
                .step(PrimingEvents.deploymentStateChange())
                .step(PrimingEvents.taskStateChange());
        EcsDeployWiring.primeStateTable(priming, aws, dynamo);
        priming.steps(PrimingCalls.ecsServices(config, ecsClients));
        RolloutService rollouts = new RolloutService(config, new SdkEcsDeployments(ecsClients::forTarget),
                new DynamoDbReleaseStore(dynamo, table), new DynamoDbDeployControls(dynamo, table), Clock.systemUTC());
        return new Wired(EcsDeployWiring.dryRun(aws) ? rollouts.dryRun() : rollouts, EcsDeployWiring.deployNews(config, aws, dynamo, priming),
                priming.build());
    }
}
