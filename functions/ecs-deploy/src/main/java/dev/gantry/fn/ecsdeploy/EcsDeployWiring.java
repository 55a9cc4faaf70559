package dev.gantry.fn.ecsdeploy;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.DeployService;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;

/** Builds the deploy service from the environment: configuration, clients and stores, all at init. */
final class EcsDeployWiring {

    private EcsDeployWiring() {}

    static DeployService fromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        // One ECS client per region the configuration deploys to, built now rather than on first use.
        Map<String, EcsClient> ecsByRegion = new TreeMap<>();
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig env : service.environments()) {
                ecsByRegion.computeIfAbsent(env.region(), region -> aws.ecs(Region.of(region)));
            }
        }
        SdkEcsGateway ecs = new SdkEcsGateway(region -> {
            EcsClient client = ecsByRegion.get(region);
            if (client == null) {
                throw new IllegalStateException("no ECS client for region " + region + ": it is not in the configuration");
            }
            return client;
        });
        DynamoDbReleaseStore releases = new DynamoDbReleaseStore(aws.dynamoDb(), aws.required(DynamoDbReleaseStore.TABLE_ENV));
        return new DeployService(config, ecs, releases, Clock.systemUTC());
    }
}
