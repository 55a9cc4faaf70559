package dev.gantry.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryArtifactReader;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryJobLedger;
import dev.gantry.testing.InMemoryPipelineJobs;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.PipelineArtifacts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pipeline execution's gate pass behind an approvals gate, taken up by its deploy action after a slow stage, and shared
 * with another execution bringing the same digest: what the deploy action enters on, and what a refusal tells people to do.
 */
class PipelineExecutionPassTest {

    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    /** The digest {@code events/gantry-imagedefinitions-payments-api-pinned.json} hands over. */
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String PINNED = REGISTRY + "/payments-api@" + DIGEST;
    private static final ArtifactAccess ACCESS = new ArtifactAccess("fake-access-key-id", "fake-secret-access-key", "fake-session-token");
    private static final String PROD = "{\"service\":\"payments-api\",\"environment\":\"prod\"}";
    private static final ArtifactLocation BUILD_OUTPUT = new ArtifactLocation("BuildArtifact", "eu-west-1-111111111111-payments-api",
            "payments-api/BuildArtif/Gx7mPq2");
    private static final String EXECUTION = "3137f7cb-7cf7-4b2c-9d1e-0a1b2c3d4e5f";
    private static final String OTHER_EXECUTION = "5c0ffee0-1d2e-4f3a-8b4c-5d6e7f8a9b0c";
    private static final String THIRD_EXECUTION = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
    private static final String PROD_EU = "{\"service\":\"payments-api\",\"environment\":\"prod-eu\"}";
    private static final String APPROVER = "U0AAAA002";

    private final GantryConfig config = ConfigLoader.parse("""
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
            """, "gantry.yml");
    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryAlarmStates alarms = new InMemoryAlarmStates();
    private final InMemoryChangeCalendars calendars = new InMemoryChangeCalendars();
    private final InMemoryGateStore gateStore = new InMemoryGateStore();
    private final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    private final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    private final InMemoryArtifactReader artifacts = new InMemoryArtifactReader();
    private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    private final InMemoryPipelineJobs jobs = new InMemoryPipelineJobs();
    private final InMemoryJobLedger ledger = new InMemoryJobLedger();
    private final GateService gates = new GateService(config, gateStore, releases, alarms, calendars,
            new InMemoryCustomChecks(), ApproverGroups.none(), clock);
    private final PipelineGateService gateAction = new PipelineGateService(config, gates, artifacts, registry, jobs, ledger, clock);
    private final PipelineDeployService deployAction = new PipelineDeployService(config,
            new DeployService(config, ecs, releases, new InMemoryDeployControls(), clock).withGates(gates), artifacts, registry, jobs,
            ledger, clock);

    @BeforeEach
    void givenTheBuildArtifactAndRunningServices() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        registry.givenImage(PINNED, Instant.parse("2026-11-23T09:58:12Z"));
        for (EnvironmentConfig environment : config.services().get(0).environments()) {
            ecs.givenService(EcsServiceRef.of(environment), "payments-api-" + environment.cluster(),
                    List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.3.0")));
        }
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        calendars.givenOpen("payments-release-calendar", null);
    }

    @Test
    void anApprovalThatExpiredSinceThePassStillLetsTheExecutionsDeployActionIn() {
        // given: approved at the start of the ten steady minutes, so the approval's hour ends 50 minutes after the pass
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");

        // when: a slow stage between the gate and the deploy action takes most of an hour
        clock.advance(Duration.ofMinutes(55));
        deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then: the approval let the release in when the gate passed; its expiry bounds the wait for the gate, not the pipeline
        assertThat(onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(ecs.running(prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
    }

    @Test
    void aFreezeBegunSinceThePassRefusesTheDeployActionSayingToRetryTheStageOnceTheFreezeIsOver() {
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        clock.advance(Duration.ofMinutes(30));
        calendars.givenClosed("payments-release-calendar", clock.instant().plus(Duration.ofHours(6)));

        deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        JobResult result = onlyPut("deploy-job-1");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message())
                .contains("passed " + new ImageDigest(DIGEST).shortForm() + " for pipeline execution " + EXECUTION)
                .contains("freeze: ")
                .contains("retry this stage once the freeze is over")
                .doesNotContain("approval");
        assertThat(ecs.calls("UpdateService")).isEmpty();
    }

    @Test
    void aRejectionRecordedSinceThePassRefusesTheDeployActionSayingOnlyANewDigestCanGo() {
        // given: the execution's gate action passed; another execution brought the same digest, and the approver rejected it there
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        clock.advance(Duration.ofMinutes(5));
        gateAction.run(job("other-gate-job-1", OTHER_EXECUTION), null, "inv-other-gate-1");
        gates.decide(release(), new Approval(APPROVER, clock.instant(), new ImageDigest(DIGEST), Approval.Decision.REJECT, "wrong build"));

        // when
        deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then: neither a retry nor a new execution can help, since every round of the digest fails on the rejection
        JobResult result = onlyPut("deploy-job-1");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message())
                .contains("approvals: rejected by " + APPROVER + " (wrong build)")
                .contains(new ImageDigest(DIGEST).shortForm() + " is rejected for prod")
                .contains("only a new digest can go to prod")
                .doesNotContain("retry this stage")
                .doesNotContain("start a new pipeline execution");
        assertThat(ecs.calls("UpdateService")).isEmpty();
        gateAction.run(job("third-gate-job-1", THIRD_EXECUTION), null, "inv-third-gate-1");
        assertThat(onlyPut("third-gate-job-1")).isInstanceOf(JobResult.Failed.class);
    }

    @Test
    void aPassAsOldAsTheApprovalsExpiryRefusesTheDeployActionSayingOnlyANewExecutionCanGoThroughTheGate() {
        // given: the execution's gate action passed; its deploy stage, refused for a freeze meanwhile, is retried an hour later
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        Instant passedAt = clock.instant();

        // when
        clock.advance(Duration.ofHours(1));
        deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then: expiresAfter (1h), counted from the pass, bounds how long the pass stands in for fresh approvals
        JobResult result = onlyPut("deploy-job-1");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message())
                .contains("pass: too old: given at " + passedAt + ", it stood until " + passedAt.plus(Duration.ofHours(1))
                        + " (approvals.expiresAfter after the pass)")
                .contains("start a new pipeline execution to go through the gate again")
                .doesNotContain("retry this stage");
        assertThat(ecs.calls("UpdateService")).isEmpty();
    }

    @Test
    void aPassOfAGateWithoutApprovalsStandsForTheGatesTimeout() {
        // given: a gate of alarms and steady minutes only, timeout 3h; its round passed for the execution
        gateAction.run(job("gate-job-1", EXECUTION, PROD_EU), null, "inv-gate-job-1");
        JobResult first = onlyPut("gate-job-1");
        clock.advance(Duration.ofMinutes(10));
        gateAction.run(job("gate-job-2", EXECUTION, PROD_EU), ((JobResult.Continued) first).continuationToken(), "inv-gate-job-2");
        assertThat(onlyPut("gate-job-2")).isInstanceOf(JobResult.Succeeded.class);

        // when: the deploy action runs just inside the timeout, and again just past it
        clock.advance(Duration.ofHours(3).minusSeconds(1));
        deployAction.run(job("deploy-job-1", EXECUTION, PROD_EU), "inv-deploy-1");
        clock.advance(Duration.ofSeconds(1));
        deployAction.run(job("deploy-job-2", EXECUTION, PROD_EU), "inv-deploy-2");

        // then
        assertThat(onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        JobResult late = onlyPut("deploy-job-2");
        assertThat(late).isInstanceOf(JobResult.Failed.class);
        assertThat(late.message()).contains("(timeout after the pass)").contains("start a new pipeline execution to go through the gate again");
    }

    @Test
    void anApproverOfThePassedRoundTriggeringAnotherExecutionOfTheDigestTakesNothingFromThePass() {
        // given: the approver's approval passed the first execution's round; the approver then triggers a second execution
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        clock.advance(Duration.ofMinutes(5));
        gateAction.run(job("other-gate-job-1", OTHER_EXECUTION, "{\"service\":\"payments-api\",\"environment\":\"prod\",\"triggeredBy\":\""
                + APPROVER + "\"}"), null, "inv-other-gate-1");
        assertThat(onlyPut("other-gate-job-1")).isInstanceOf(JobResult.Continued.class);
        assertThat(gateStore.find(release()).orElseThrow().triggeredBy()).containsExactly(APPROVER);

        // when
        deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then: the approval counted against who triggered the first execution's round, as it did when that round passed
        assertThat(onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(ecs.running(prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
    }

    @Test
    void twoExecutionsBringingTheSameDigestEachDeployOnTheirOwnGateActionsPass() {
        // given: the first execution's gate action passed; a second execution brought the same digest and passed a round of its own
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        approveNow();
        passTheGateAction(OTHER_EXECUTION, "other-gate-job-1", "other-gate-job-2");

        // when: the first execution's deploy action, then the second's
        deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");
        deployAction.run(job("other-deploy-job-1", OTHER_EXECUTION), "inv-other-deploy-1");

        // then: both enter, neither on the other's pass nor through a new round
        assertThat(onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(onlyPut("other-deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(ecs.running(prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
        GateRecord record = gateStore.find(release()).orElseThrow();
        assertThat(record.arrival()).isEqualTo("pipeline-job:other-gate-job-1");
        assertThat(record.executionPasses()).extracting(GateRecord.ExecutionPass::execution).containsExactly(EXECUTION, OTHER_EXECUTION);
    }

    @Test
    void aDeployActionEntersOnItsExecutionsPassWhileAnotherExecutionsRoundOfTheSameDigestWaits() {
        // given: the first execution passed; the second's gate action has opened a round of its own, waiting its steady minutes
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        clock.advance(Duration.ofMinutes(1));
        gateAction.run(job("other-gate-job-1", OTHER_EXECUTION), null, "inv-other-gate-1");
        JobResult otherWaiting = onlyPut("other-gate-job-1");
        assertThat(otherWaiting).isInstanceOf(JobResult.Continued.class);

        // when
        deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then: the first deploys, and the second execution's round is left to it
        assertThat(onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(ecs.running(prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
        GateRecord record = gateStore.find(release()).orElseThrow();
        assertThat(record.status()).isEqualTo(GateStatus.WAITING);
        assertThat(record.arrival()).isEqualTo("pipeline-job:other-gate-job-1");
        clock.advance(Duration.ofMinutes(10));
        gateAction.run(job("other-gate-job-2", OTHER_EXECUTION), ((JobResult.Continued) otherWaiting).continuationToken(),
                "inv-other-gate-2");
        assertThat(onlyPut("other-gate-job-2")).isInstanceOf(JobResult.Succeeded.class);
    }

    /** The gate action's first job waits for the approval, given at once; its continuation job, ten steady minutes on, passes. */
    private void passTheGateAction(String execution, String firstJob, String continuationJob) {
        gateAction.run(job(firstJob, execution), null, "inv-" + firstJob);
        JobResult first = onlyPut(firstJob);
        assertThat(first).isInstanceOf(JobResult.Continued.class);
        if (gateStore.find(release()).orElseThrow().decisions().isEmpty()) {
            approveNow();
        }
        clock.advance(Duration.ofMinutes(10));
        gateAction.run(job(continuationJob, execution), ((JobResult.Continued) first).continuationToken(), "inv-" + continuationJob);
        assertThat(onlyPut(continuationJob)).isInstanceOf(JobResult.Succeeded.class);
    }

    private void approveNow() {
        gates.decide(release(), new Approval(APPROVER, clock.instant(), new ImageDigest(DIGEST), Approval.Decision.APPROVE, null));
    }

    private JobResult onlyPut(String jobId) {
        List<InMemoryPipelineJobs.Put> puts = jobs.puts(jobId);
        assertThat(puts).hasSize(1);
        return puts.get(0).result();
    }

    private EcsServiceRef prod() {
        return EcsServiceRef.of(config.services().get(0).environments().get(1));
    }

    private static ReleaseKey release() {
        return new ReleaseKey("payments-api", "prod", new ImageDigest(DIGEST));
    }

    private static PipelineJob job(String id, String execution) {
        return job(id, execution, PROD);
    }

    private static PipelineJob job(String id, String execution, String userParameters) {
        return new PipelineJob(id, "111111111111", userParameters, List.of(BUILD_OUTPUT), ACCESS, null, execution);
    }
}
