package dev.gantry.fn.ecsdeploy;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbJobLedger;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.PrimingCalls;
import dev.gantry.aws.S3ArtifactReader;
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
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the pipeline deploy service from the environment, all at init: the same variables as the deploy
 * function ({@code GANTRY_CONFIG}, {@code GANTRY_TABLE}, the standard {@code AWS_*} ones), and the same
 * deploy service, so a pipeline's deploy and a push's deploy are one release record, told in one release thread.
 */
final class PipelineDeployWiring {

    private PipelineDeployWiring() {}

    /**
     * What the pipeline deploy handler runs on, and how it is primed for a SnapStart snapshot: besides the deploy's clients,
     * the artifact read, the image lookup and the job results, all rehearsed (an artifact is read with its job's own
     * credentials, a job result is a write, and an image is named by a pipeline only when it runs).
     */
    record Wired(PipelineDeployService pipelineDeploys, DeployNews news, SnapStartPriming priming) {}

    static Wired fromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        DynamoDbClient dynamo = aws.dynamoDb();
        SnapStartPriming.Builder priming = SnapStartPriming.builder().loadListedClasses().step(PrimingEvents.pipelineJob());
        EcsDeployWiring.primeStateTable(priming, aws, dynamo);
        S3ArtifactReader artifacts = aws.artifactReader();
        CodePipelineClient codePipeline = aws.codePipeline();
        priming.step(PrimingCalls.artifactRead(artifacts)).step(PrimingCalls.pipelineJobResults(codePipeline));
        return new Wired(new PipelineDeployService(
                config,
                EcsDeployWiring.deployService(config, aws, dynamo, priming),
                artifacts,
                SdkImageRegistry.forConfig(config, aws, priming),
                new SdkPipelineJobs(codePipeline),
                new DynamoDbJobLedger(dynamo, aws.required(DynamoDbReleaseStore.TABLE_ENV)),
                Clock.systemUTC()),
                EcsDeployWiring.deployNews(config, aws, dynamo, priming),
                priming.build());
    }
}
