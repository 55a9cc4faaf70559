package dev.gantry.fn.ecsdeploy;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbJobLedger;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineJobs;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.pipeline.PipelineDeployService;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Builds the pipeline deploy service from the environment, all at init: the same variables as the deploy
 * function ({@code GANTRY_CONFIG}, {@code GANTRY_TABLE}, the standard {@code AWS_*} ones), and the same
 * deploy service, so a pipeline's deploy and a push's deploy are one release record.
 */
final class PipelineDeployWiring {

    private PipelineDeployWiring() {}

    static PipelineDeployService fromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        DynamoDbClient dynamo = aws.dynamoDb();
        // ECR clients for the region Gantry runs in and every region the configuration deploys to: where the
        // images a pipeline hands over live. Built now rather than on first use.
        Map<String, EcrClient> ecrByRegion = new TreeMap<>();
        ecrByRegion.put(aws.region().id(), aws.ecr(aws.region()));
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig env : service.environments()) {
                ecrByRegion.computeIfAbsent(env.region(), region -> aws.ecr(Region.of(region)));
            }
        }
        SdkImageRegistry registry = new SdkImageRegistry(region -> {
            EcrClient client = ecrByRegion.get(region);
            if (client == null) {
                throw new IllegalArgumentException("no ECR client for region " + region + ": Gantry reads images only in "
                        + String.join(", ", ecrByRegion.keySet()));
            }
            return client;
        });
        return new PipelineDeployService(
                config,
                EcsDeployWiring.deployService(config, aws, dynamo),
                aws.artifactReader(),
                registry,
                new SdkPipelineJobs(aws.codePipeline()),
                new DynamoDbJobLedger(dynamo, aws.required(DynamoDbReleaseStore.TABLE_ENV)),
                Clock.systemUTC());
    }
}
