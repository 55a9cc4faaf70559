package dev.gantry.fn.ecsdeploy;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbJobLedger;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineJobs;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.aws.events.PrimingEvents;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.pipeline.PipelineDeployService;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the pipeline deploy service from the environment, all at init: the same variables as the deploy
 * function ({@code GANTRY_CONFIG}, {@code GANTRY_TABLE}, the standard {@code AWS_*} ones), and the same
 * deploy service, so a pipeline's deploy and a push's deploy are one release record, told in one release thread.
 */
final class PipelineDeployWiring {

    private PipelineDeployWiring() {}

    /**
     * What the pipeline deploy handler runs on, and how it is primed for a SnapStart snapshot. Left unprimed: S3, read
     * with each job's own credentials; CodePipeline, which the function only writes job results to; and ECR, asked only
     * for an image named by tag alone.
     */
    record Wired(PipelineDeployService pipelineDeploys, DeployNews news, SnapStartPriming priming) {}

    static Wired fromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        DynamoDbClient dynamo = aws.dynamoDb();
        SnapStartPriming.Builder priming = SnapStartPriming.builder().step(PrimingEvents.pipelineJob());
        EcsDeployWiring.primeStateTable(priming, aws, dynamo);
        return new Wired(new PipelineDeployService(
                config,
                EcsDeployWiring.deployService(config, aws, dynamo, priming),
                aws.artifactReader(),
                SdkImageRegistry.forConfig(config, aws),
                new SdkPipelineJobs(aws.codePipeline()),
                new DynamoDbJobLedger(dynamo, aws.required(DynamoDbReleaseStore.TABLE_ENV)),
                Clock.systemUTC()),
                EcsDeployWiring.deployNews(config, aws, dynamo, priming),
                priming.build());
    }
}
