package dev.gantry.core.pipeline;

import static dev.gantry.core.pipeline.PipelineActions.DIGEST;
import static dev.gantry.core.pipeline.PipelineActions.PINNED;
import static dev.gantry.core.pipeline.PipelineActions.job;
import static dev.gantry.core.pipeline.PipelineActions.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A pipeline execution's gate pass behind an approvals gate, taken up by its deploy action after a slow stage, and shared
 * with another execution bringing the same digest: what the deploy action enters on, and what a refusal tells people to do.
 */
class PipelineExecutionPassTest {

    private static final String EXECUTION = "3137f7cb-7cf7-4b2c-9d1e-0a1b2c3d4e5f";
    private static final String OTHER_EXECUTION = "5c0ffee0-1d2e-4f3a-8b4c-5d6e7f8a9b0c";
    private static final String THIRD_EXECUTION = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
    private static final String PROD_EU = "{\"service\":\"payments-api\",\"environment\":\"prod-eu\"}";
    private static final String APPROVER = "U0AAAA002";

    private static final String GANTRY_YML = """
            version: 1
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                environments:
                  - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: payments-api }
                  - { name: prod, account: "111111111111", region: eu-west-1, cluster: prod, service: payments-api, gate: production }
                  - { name: prod-eu, account: "111111111111", region: eu-west-1, cluster: prod-eu, service: payments-api, gate: steady }
            gates:
              - name: production
                approvals: { required: 1, users: [U0AAAA002], expiresAfter: 1h }
                alarms: { names: [payments-api-5xx] }
                freezes:
                  - changeCalendar: payments-release-calendar
                minSteady: 10m
                timeout: 2h
              - name: steady
                alarms: { names: [payments-api-5xx] }
                minSteady: 10m
                timeout: 3h
            """;

    private final PipelineActions pipeline = new PipelineActions(GANTRY_YML);

    @Test
    void anApprovalThatExpiredSinceThePassStillLetsTheExecutionsDeployActionIn() {
        // given: approved at the start of the ten steady minutes, so the approval's hour ends 50 minutes after the pass
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");

        // when: a slow stage between the gate and the deploy action takes most of an hour
        pipeline.clock.advance(Duration.ofMinutes(55));
        pipeline.deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then: the approval let the release in when the gate passed; its expiry bounds the wait for the gate, not the pipeline
        assertThat(pipeline.onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(pipeline.ecs.running(pipeline.prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
    }

    @Test
    void aFreezeBegunSinceThePassRefusesTheDeployActionSayingToRetryTheStageOnceTheFreezeIsOver() {
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        pipeline.clock.advance(Duration.ofMinutes(30));
        pipeline.calendars.givenClosed("payments-release-calendar", pipeline.clock.instant().plus(Duration.ofHours(6)));

        pipeline.deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        JobResult result = pipeline.onlyPut("deploy-job-1");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message())
                .contains("passed " + new ImageDigest(DIGEST).shortForm() + " for pipeline execution " + EXECUTION)
                .contains("freeze: ")
                .contains("retry this stage once the freeze is over")
                .doesNotContain("approval");
        assertThat(pipeline.ecs.calls("UpdateService")).isEmpty();
    }

    @Test
    void aRejectionRecordedSinceThePassRefusesTheDeployActionSayingOnlyANewDigestCanGo() {
        // given: the execution's gate action passed; another execution brought the same digest, and the approver rejected it there
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        pipeline.clock.advance(Duration.ofMinutes(5));
        pipeline.gateAction.run(job("other-gate-job-1", OTHER_EXECUTION), null, "inv-other-gate-1");
        pipeline.gates.decide(release(),
                new Approval(APPROVER, pipeline.clock.instant(), new ImageDigest(DIGEST), Approval.Decision.REJECT, "wrong build"));

        // when
        pipeline.deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then: neither a retry nor a new execution can help, since every round of the digest fails on the rejection
        JobResult result = pipeline.onlyPut("deploy-job-1");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message())
                .contains("approvals: rejected by " + APPROVER + " (wrong build)")
                .contains(new ImageDigest(DIGEST).shortForm() + " is rejected for prod")
                .contains("only a new digest can go to prod")
                .doesNotContain("retry this stage")
                .doesNotContain("start a new pipeline execution");
        assertThat(pipeline.ecs.calls("UpdateService")).isEmpty();
        pipeline.gateAction.run(job("third-gate-job-1", THIRD_EXECUTION), null, "inv-third-gate-1");
        assertThat(pipeline.onlyPut("third-gate-job-1")).isInstanceOf(JobResult.Failed.class);
    }

    @Test
    void aPassAsOldAsTheApprovalsExpiryRefusesTheDeployActionSayingOnlyANewExecutionCanGoThroughTheGate() {
        // given: the execution's gate action passed; its deploy stage, refused for a freeze meanwhile, is retried an hour later
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        Instant passedAt = pipeline.clock.instant();

        // when
        pipeline.clock.advance(Duration.ofHours(1));
        pipeline.deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then: expiresAfter (1h), counted from the pass, bounds how long the pass stands in for fresh approvals
        JobResult result = pipeline.onlyPut("deploy-job-1");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message())
                .contains("pass: too old: given at " + passedAt + ", it stood until " + passedAt.plus(Duration.ofHours(1))
                        + " (approvals.expiresAfter after the pass)")
                .contains("start a new pipeline execution to go through the gate again")
                .doesNotContain("retry this stage");
        assertThat(pipeline.ecs.calls("UpdateService")).isEmpty();
    }

    @Test
    void aPassOfAGateWithoutApprovalsStandsForTheGatesTimeout() {
        // given: a gate of alarms and steady minutes only, timeout 3h; its round passed for the execution
        pipeline.gateAction.run(job("gate-job-1", EXECUTION, PROD_EU), null, "inv-gate-job-1");
        JobResult first = pipeline.onlyPut("gate-job-1");
        pipeline.clock.advance(Duration.ofMinutes(10));
        pipeline.gateAction.run(job("gate-job-2", EXECUTION, PROD_EU), ((JobResult.Continued) first).continuationToken(), "inv-gate-job-2");
        assertThat(pipeline.onlyPut("gate-job-2")).isInstanceOf(JobResult.Succeeded.class);

        // when: the deploy action runs just inside the timeout, and again just past it
        pipeline.clock.advance(Duration.ofHours(3).minusSeconds(1));
        pipeline.deployAction.run(job("deploy-job-1", EXECUTION, PROD_EU), "inv-deploy-1");
        pipeline.clock.advance(Duration.ofSeconds(1));
        pipeline.deployAction.run(job("deploy-job-2", EXECUTION, PROD_EU), "inv-deploy-2");

        // then
        assertThat(pipeline.onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        JobResult late = pipeline.onlyPut("deploy-job-2");
        assertThat(late).isInstanceOf(JobResult.Failed.class);
        assertThat(late.message()).contains("(timeout after the pass)").contains("start a new pipeline execution to go through the gate again");
    }

    @Test
    void anApproverOfThePassedRoundTriggeringAnotherExecutionOfTheDigestTakesNothingFromThePass() {
        // given: the approver's approval passed the first execution's round; the approver then triggers a second execution
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        pipeline.clock.advance(Duration.ofMinutes(5));
        pipeline.gateAction.run(job("other-gate-job-1", OTHER_EXECUTION,
                "{\"service\":\"payments-api\",\"environment\":\"prod\",\"triggeredBy\":\""
                + APPROVER + "\"}"), null, "inv-other-gate-1");
        assertThat(pipeline.onlyPut("other-gate-job-1")).isInstanceOf(JobResult.Continued.class);
        assertThat(pipeline.gateStore.find(release()).orElseThrow().triggeredBy()).containsExactly(APPROVER);

        // when
        pipeline.deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then: the approval counted against who triggered the first execution's round, as it did when that round passed
        assertThat(pipeline.onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(pipeline.ecs.running(pipeline.prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
    }

    @Test
    void twoExecutionsBringingTheSameDigestEachDeployOnTheirOwnGateActionsPass() {
        // given: the first execution's gate action passed; a second execution brought the same digest and passed a round of its own
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        approveNow();
        passTheGateAction(OTHER_EXECUTION, "other-gate-job-1", "other-gate-job-2");

        // when: the first execution's deploy action, then the second's
        pipeline.deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");
        pipeline.deployAction.run(job("other-deploy-job-1", OTHER_EXECUTION), "inv-other-deploy-1");

        // then: both enter, neither on the other's pass nor through a new round
        assertThat(pipeline.onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(pipeline.onlyPut("other-deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(pipeline.ecs.running(pipeline.prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
        GateRecord record = pipeline.gateStore.find(release()).orElseThrow();
        assertThat(record.arrival()).isEqualTo("pipeline-job:other-gate-job-1");
        assertThat(record.executionPasses()).extracting(GateRecord.ExecutionPass::execution).containsExactly(EXECUTION, OTHER_EXECUTION);
    }

    @Test
    void aDeployActionEntersOnItsExecutionsPassWhileAnotherExecutionsRoundOfTheSameDigestWaits() {
        // given: the first execution passed; the second's gate action has opened a round of its own, waiting its steady minutes
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        pipeline.clock.advance(Duration.ofMinutes(1));
        pipeline.gateAction.run(job("other-gate-job-1", OTHER_EXECUTION), null, "inv-other-gate-1");
        JobResult otherWaiting = pipeline.onlyPut("other-gate-job-1");
        assertThat(otherWaiting).isInstanceOf(JobResult.Continued.class);

        // when
        pipeline.deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then: the first deploys, and the second execution's round is left to it
        assertThat(pipeline.onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(pipeline.ecs.running(pipeline.prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
        GateRecord record = pipeline.gateStore.find(release()).orElseThrow();
        assertThat(record.status()).isEqualTo(GateStatus.WAITING);
        assertThat(record.arrival()).isEqualTo("pipeline-job:other-gate-job-1");
        pipeline.clock.advance(Duration.ofMinutes(10));
        pipeline.gateAction.run(job("other-gate-job-2", OTHER_EXECUTION), ((JobResult.Continued) otherWaiting).continuationToken(),
                "inv-other-gate-2");
        assertThat(pipeline.onlyPut("other-gate-job-2")).isInstanceOf(JobResult.Succeeded.class);
    }

    private void approveNow() {
        pipeline.gates.decide(release(),
                new Approval(APPROVER, pipeline.clock.instant(), new ImageDigest(DIGEST), Approval.Decision.APPROVE, null));
    }

    /** The gate action's first job waits for the approval, given at once; its continuation job, ten steady minutes on, passes. */
    private void passTheGateAction(String execution, String firstJob, String continuationJob) {
        pipeline.passTheGateAction(execution, firstJob, continuationJob, () -> {
            if (pipeline.gateStore.find(release()).orElseThrow().decisions().isEmpty()) {
                approveNow();
            }
        });
    }
}
