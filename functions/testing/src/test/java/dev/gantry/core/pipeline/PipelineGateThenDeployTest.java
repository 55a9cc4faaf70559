package dev.gantry.core.pipeline;

import static dev.gantry.core.pipeline.PipelineActions.DIGEST;
import static dev.gantry.core.pipeline.PipelineActions.PINNED;
import static dev.gantry.core.pipeline.PipelineActions.job;
import static dev.gantry.core.pipeline.PipelineActions.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The reference pipeline's {@code Gate-prod} action, then its {@code Deploy-prod} action, through the real gate and deploy
 * services: the deploy action enters on the pass its execution's gate action got, and does not start a round of its own.
 */
class PipelineGateThenDeployTest {

    private static final String EXECUTION = "3137f7cb-7cf7-4b2c-9d1e-0a1b2c3d4e5f";
    private static final String LATER_EXECUTION = "5c0ffee0-1d2e-4f3a-8b4c-5d6e7f8a9b0c";

    private static final String GANTRY_YML = """
            version: 1
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                environments:
                  - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: payments-api }
                  - { name: prod, account: "111111111111", region: eu-west-1, cluster: prod, service: payments-api, gate: production }
            gates:
              - name: production
                alarms: { names: [payments-api-5xx] }
                freezes:
                  - changeCalendar: payments-release-calendar
                minSteady: 10m
                timeout: 2h
            """;

    private final PipelineActions pipeline = new PipelineActions(GANTRY_YML);

    @Test
    void theDeployActionDeploysWhatItsExecutionsGateActionPassedWithoutWaitingForMinSteadyAgain() {
        // given: the gate action waited the gate's ten steady minutes and passed the release
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        pipeline.clock.advance(Duration.ofSeconds(40));

        // when: the next action of the same execution deploys it
        pipeline.deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then
        assertThat(pipeline.onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(pipeline.ecs.running(pipeline.prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
        GateRecord record = pipeline.gateStore.find(release()).orElseThrow();
        assertThat(record.status()).as("the pass stands; no new round").isEqualTo(GateStatus.PASSED);
        assertThat(record.arrival()).isEqualTo("pipeline-job:gate-job-1");
        assertThat(record.pipelineExecution()).isEqualTo(EXECUTION);
        assertThat(record.handoff()).startsWith("DEPLOYED");
    }

    @Test
    void anAlarmFiringBetweenTheGateAndTheDeployActionStopsTheDeploy() {
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        pipeline.alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, pipeline.clock.instant());
        pipeline.clock.advance(Duration.ofSeconds(40));

        pipeline.deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        JobResult result = pipeline.onlyPut("deploy-job-1");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message()).contains("payments-api-5xx").contains(passNotEnough());
        assertThat(pipeline.ecs.calls("UpdateService")).isEmpty();
    }

    @Test
    void aDeployRetriedLaterInTheSameExecutionIsRefusedOnceAChangeFreezeBegan() {
        // given: the gate action passed; the deploy action failed on something else, and the freeze began since
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        pipeline.clock.advance(Duration.ofMinutes(90));
        pipeline.calendars.givenClosed("payments-release-calendar", pipeline.clock.instant().plus(Duration.ofDays(2)));

        // when: someone retries the failed deploy stage, which CodePipeline runs as a new job of the same execution
        pipeline.deployAction.run(job("deploy-job-2", EXECUTION), "inv-deploy-2");

        // then
        JobResult result = pipeline.onlyPut("deploy-job-2");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(((JobResult.Failed) result).type()).isEqualTo(JobFailureType.JOB_FAILED);
        assertThat(result.message()).contains("freeze: ").contains("payments-release-calendar").contains(passNotEnough())
                .doesNotContain("pass: too old");
        assertThat(pipeline.ecs.calls("UpdateService")).isEmpty();
        GateRecord record = pipeline.gateStore.find(release()).orElseThrow();
        assertThat(record.status()).as("the execution's pass is on record as it was").isEqualTo(GateStatus.PASSED);
        assertThat(record.handoff()).isNull();
    }

    @Test
    void aDeployRetriedLaterInTheSameExecutionIsRefusedOnceAnAlarmFires() {
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        pipeline.clock.advance(Duration.ofMinutes(90));
        pipeline.alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, pipeline.clock.instant());

        pipeline.deployAction.run(job("deploy-job-2", EXECUTION), "inv-deploy-2");

        JobResult result = pipeline.onlyPut("deploy-job-2");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message()).contains("alarms: ").contains("payments-api-5xx").contains(passNotEnough());
        assertThat(pipeline.ecs.calls("UpdateService")).isEmpty();
    }

    @Test
    void aDeployRetriedWithinTheGatesTimeoutInTheSameExecutionDeploysWithoutANewSoakWhileTheGateStillHolds() {
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        pipeline.clock.advance(Duration.ofMinutes(110));

        pipeline.deployAction.run(job("deploy-job-2", EXECUTION), "inv-deploy-2");

        assertThat(pipeline.onlyPut("deploy-job-2")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(pipeline.ecs.running(pipeline.prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
        GateRecord record = pipeline.gateStore.find(release()).orElseThrow();
        assertThat(record.arrival()).as("no new round, so no ten steady minutes again").isEqualTo("pipeline-job:gate-job-1");
        assertThat(record.handoff()).startsWith("DEPLOYED");
    }

    @Test
    void aLaterExecutionOfThePipelineStartsANewRoundAtTheGateAction() {
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        pipeline.deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");
        pipeline.clock.advance(Duration.ofDays(3));
        pipeline.alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, pipeline.clock.instant());

        pipeline.gateAction.run(job("gate-job-3", LATER_EXECUTION), null, "inv-gate-3");

        JobResult result = pipeline.onlyPut("gate-job-3");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message()).contains("refused the release").contains("payments-api-5xx");
        assertThat(pipeline.gateStore.find(release()).orElseThrow().pipelineExecution()).isEqualTo(LATER_EXECUTION);
    }

    @Test
    void aRetriedGateActionOfTheSameExecutionIsEvaluatedAgain() {
        // given: the gate action failed on a firing alarm, which has cleared since
        pipeline.alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, pipeline.clock.instant());
        pipeline.gateAction.run(job("gate-job-1", EXECUTION), null, "inv-gate-1");
        assertThat(pipeline.onlyPut("gate-job-1")).isInstanceOf(JobResult.Failed.class);
        pipeline.alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, pipeline.clock.instant());
        pipeline.clock.advance(Duration.ofMinutes(5));

        // when: someone retries the failed action, which CodePipeline runs as a new job of the same execution
        pipeline.gateAction.run(job("gate-job-2", EXECUTION), null, "inv-gate-2");

        // then: a new round, waiting for its steady minutes rather than repeating the failure
        assertThat(pipeline.onlyPut("gate-job-2")).isInstanceOf(JobResult.Continued.class);
        assertThat(pipeline.gateStore.find(release()).orElseThrow().status()).isEqualTo(GateStatus.WAITING);
    }

    @Test
    void withoutTheExecutionInTheJobsTheDeployActionAsksTheGateAsANewArrival() {
        passTheGateAction(null, "gate-job-1", "gate-job-2");
        pipeline.clock.advance(Duration.ofSeconds(40));

        pipeline.deployAction.run(job("deploy-job-1", null), "inv-deploy-1");

        JobResult result = pipeline.onlyPut("deploy-job-1");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(((JobResult.Failed) result).type()).isEqualTo(JobFailureType.CONFIGURATION_ERROR);
        assertThat(pipeline.ecs.calls("UpdateService")).isEmpty();
    }

    @Test
    void theExecutionTheUserParametersNameTiesTheActionsTogetherWhenTheJobDataDoesNot() {
        // given: jobs as CodePipeline hands a Lambda invoke action's, with no pipelineContext; the reference pipeline's
        // UserParameters name the execution through #{codepipeline.PipelineExecutionId}, which CodePipeline resolved
        pipeline.gateAction.run(namingItsExecution("gate-job-1", EXECUTION), null, "inv-gate-1");
        JobResult waiting = pipeline.onlyPut("gate-job-1");
        assertThat(waiting).isInstanceOf(JobResult.Continued.class);
        pipeline.clock.advance(Duration.ofMinutes(10));
        pipeline.gateAction.run(namingItsExecution("gate-job-2", EXECUTION), ((JobResult.Continued) waiting).continuationToken(),
                "inv-gate-2");
        assertThat(pipeline.onlyPut("gate-job-2")).isInstanceOf(JobResult.Succeeded.class);
        pipeline.clock.advance(Duration.ofSeconds(40));

        // when
        pipeline.deployAction.run(namingItsExecution("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then
        assertThat(pipeline.onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(pipeline.ecs.running(pipeline.prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
        assertThat(pipeline.gateStore.find(release()).orElseThrow().pipelineExecution()).isEqualTo(EXECUTION);
    }

    private static String passNotEnough() {
        return "passed " + new ImageDigest(DIGEST).shortForm() + " for pipeline execution " + EXECUTION;
    }

    private static PipelineJob namingItsExecution(String id, String execution) {
        String userParameters = "{\"service\":\"payments-api\",\"environment\":\"prod\",\"pipelineExecutionId\":\"" + execution + "\"}";
        return job(id, null, userParameters);
    }

    /** The gate action's first job waits for minSteady; its continuation job, ten minutes on, passes. */
    private void passTheGateAction(String execution, String firstJob, String continuationJob) {
        pipeline.passTheGateAction(execution, firstJob, continuationJob, () -> {});
    }
}
