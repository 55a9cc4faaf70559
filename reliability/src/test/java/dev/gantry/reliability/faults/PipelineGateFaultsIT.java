package dev.gantry.reliability.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.fn.releasegate.HandlersFromEnvironment;
import dev.gantry.fn.releasegate.PipelineGateHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pipeline's gate action for prod with every call it makes failing in turn: the job's claim, the artifact and the tag
 * it names, the gate record, the three checks and the result put in CodePipeline. A check that cannot be read makes
 * the gate wait (a continuation), never pass; every job gets one result, and the run ends in a success once AWS
 * answers again.
 */
class PipelineGateFaultsIT {

    private static final String PROD_KEY = "payments-api/BuildArtif/Jz9oSs4";

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
    void aGateJobIsAnsweredOnceWithTheGatesAnswerOrFailsWithAReasonAndTheRunEndsInASuccess() throws Exception {
        FaultCampaign campaign = new FaultCampaign(aws);
        ProdGateJob prodGateJob = new ProdGateJob();
        FirstInvocation.warmUp(aws, prodGateJob);

        campaign.run(prodGateJob);

        assertThat(campaign.record()).isEmpty();
    }

    private static final class ProdGateJob implements FaultScenario {

        private final PipelineRun run = new PipelineRun("gantry-codepipeline-job-payments-api-prod-gate.json",
                "gantry-codepipeline-job-payments-api-prod-gate-continued.json", "gantry-pipeline-gate");
        private final WarmHandler<PipelineGateHandler> function = new WarmHandler<>(
                environment -> HandlersFromEnvironment.pipelineGate(GatedProd.environment(environment, GatedProd.THREE_CHECKS)));

        @Override
        public String name() {
            return "pipeline-gate: payments-api 1.4.0 at prod's gate";
        }

        @Override
        public void stubServices(FaultyAws aws) {
            run.restart();
            GatedProd.stubChecksPassing(aws);
            PipelineRun.stubJobResults(aws);
            PipelineRun.stubArtifactNamingTheTag(aws, PROD_KEY);
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            // CodePipeline sends the continuation job a while later; here, when the gate is next due to look.
            GatedProd.nextLookIsDue(aws, environment);
            run.deliver(aws, function.of(environment));
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            List<String> missing = new ArrayList<>(run.missing(aws));
            missing.addAll(GatedProd.missingFromPassedGate(aws, environment));
            return missing;
        }

        @Override
        public List<String> exactlyOnce() {
            // One result per job, which is more than one call when a job continued: PipelineRun checks it per job.
            return List.of();
        }
    }
}
