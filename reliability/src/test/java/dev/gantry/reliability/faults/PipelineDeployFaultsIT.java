package dev.gantry.reliability.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.S3Wire;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.fn.ecsdeploy.HandlersFromEnvironment;
import dev.gantry.fn.ecsdeploy.PipelineDeployHandler;
import dev.gantry.testing.PipelineArtifacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pipeline's deploy action with every call it makes failing in turn: the job's claim, the artifact read from S3 with
 * the job's credentials, the tag pinned through ECR, the deploy's reads and writes, and the result put in CodePipeline.
 * A job that is never answered leaves the pipeline waiting until CodePipeline gives up on it, so each job must be
 * answered once, or its invocation fail for the failure queue.
 */
class PipelineDeployFaultsIT {

    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String BUCKET = "eu-west-1-111111111111-payments-api";
    private static final String STAGING_KEY = "payments-api/BuildArtif/Gx7mPq2";

    private static FaultyAws aws;

    @BeforeAll
    static void start() throws Exception {
        aws = new FaultyAws();
    }

    @AfterAll
    static void stop() throws Exception {
        aws.close();
    }

    @Test
    void aDeployJobIsAnsweredOnceAndTheServiceUpdatedOnceOrItFailsWithAReasonAndTheRetryFinishesIt() throws Exception {
        FaultCampaign campaign = new FaultCampaign(aws);
        StagingDeployJob stagingDeployJob = new StagingDeployJob();
        FirstInvocation.warmUp(aws, stagingDeployJob);

        campaign.run(stagingDeployJob);

        assertThat(campaign.record()).isEmpty();
    }

    private static final class StagingDeployJob implements FaultScenario {

        private final PipelineRun run = new PipelineRun("gantry-codepipeline-job-payments-api-staging.json", null, "gantry-pipeline-deploy");
        private final WarmHandler<PipelineDeployHandler> function = new WarmHandler<>(HandlersFromEnvironment::pipelineDeploy);

        @Override
        public String name() {
            return "pipeline-deploy: payments-api 1.4.0 to staging";
        }

        @Override
        public void stubServices(FaultyAws aws) {
            run.restart();
            EcsDeployFaultsIT.stubStagingService(aws);
            PipelineRun.stubJobResults(aws);
            aws.server.stubFor(S3Wire.getObject(BUCKET, STAGING_KEY)
                    .willReturn(S3Wire.object(PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG))));
            aws.server.stubFor(JsonProtocolWire.ECR.operation("DescribeImages")
                    .withRequestBody(WireMock.matchingJsonPath("$.imageIds[0].imageTag", WireMock.equalTo("1.4.0")))
                    .willReturn(JsonProtocolWire.json("""
                            {"imageDetails":[{"registryId":"111111111111","repositoryName":"payments-api","imageDigest":"%s",
                              "imageTags":["1.4.0"]}]}""".formatted(DIGEST))));
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            run.deliver(aws, function.of(environment));
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            List<String> missing = new ArrayList<>(run.missing(aws));
            var release = new DynamoDbReleaseStore(aws.dynamo, environment.get("GANTRY_TABLE"))
                    .find(new ReleaseKey("payments-api", "staging", new ImageDigest(DIGEST)));
            if (release.isEmpty() || release.get().status() != ReleaseStatus.SERVICE_UPDATED) {
                missing.add("the staging release is " + release.map(r -> r.status().toString()).orElse("not recorded") + ", not SERVICE_UPDATED");
            }
            if (aws.succeeded("UpdateService") == 0) {
                missing.add("the staging service was never updated");
            }
            return missing;
        }

        @Override
        public List<String> exactlyOnce() {
            return List.of("RegisterTaskDefinition", "UpdateService", "PutJobSuccessResult");
        }

        @Override
        public boolean survivesFailureOf(Operation operation) {
            return operation.name().equals("ListTaskDefinitions") || operation.name().equals("DeregisterTaskDefinition");
        }
    }
}
