package dev.gantry.fn.ecsdeploy;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsClients;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployService;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Builds the deploy service from the environment: configuration, clients and stores, all at init. */
final class EcsDeployWiring {

    /** When {@code true}, every entry point plans and reports but changes nothing it deploys to or records. */
    static final String DRY_RUN_ENV = "GANTRY_DRY_RUN";

    private EcsDeployWiring() {}

    static boolean dryRun(AwsClients aws) {
        return aws.optional(DRY_RUN_ENV).map(v -> Boolean.parseBoolean(v.trim())).orElse(false);
    }

    static DeployService fromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        return deployService(config, aws, aws.dynamoDb());
    }

    /** The deploy service as every entry point of this jar uses it (ECR pushes, pipeline jobs), over {@code dynamo}. */
    static DeployService deployService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo) {
        // One ECS client per region and role the configuration deploys through, built now rather than on first use.
        SdkEcsGateway ecs = new SdkEcsGateway(EcsClients.forConfig(config, aws));
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        DeployService deploys = new DeployService(config, ecs, new DynamoDbReleaseStore(dynamo, table),
                new DynamoDbDeployControls(dynamo, table), Clock.systemUTC());
        return dryRun(aws) ? deploys.dryRun() : deploys;
    }
}
