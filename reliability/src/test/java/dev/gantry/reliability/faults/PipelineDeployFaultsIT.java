package dev.gantry.reliability.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.fn.ecsdeploy.HandlersFromEnvironment;
import dev.gantry.fn.ecsdeploy.PipelineDeployHandler;
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
            PipelineRun.stubArtifactNamingTheTag(aws, STAGING_KEY);
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            run.deliver(aws, function.of(environment));
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            List<String> missing = new ArrayList<>(run.missing(aws));
            missing.addAll(EcsDeployFaultsIT.missingFromStagingDeploy(aws, environment));
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
