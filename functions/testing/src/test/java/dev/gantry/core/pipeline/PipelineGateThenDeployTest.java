package dev.gantry.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.gate.AlarmStates;
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
 * The reference pipeline's {@code Gate-prod} action, then its {@code Deploy-prod} action, through the real gate and deploy
 * services: the deploy action enters on the pass its execution's gate action got, and does not start a round of its own.
 */
class PipelineGateThenDeployTest {

    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    /** The digest {@code events/gantry-imagedefinitions-payments-api-pinned.json} hands over. */
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String PINNED = REGISTRY + "/payments-api@" + DIGEST;
    private static final ArtifactAccess ACCESS = new ArtifactAccess("fake-access-key-id", "fake-secret-access-key", "fake-session-token");
    private static final String PROD = "{\"service\":\"payments-api\",\"environment\":\"prod\"}";
    private static final ArtifactLocation BUILD_OUTPUT = new ArtifactLocation("BuildArtifact", "eu-west-1-111111111111-payments-api",
            "payments-api/BuildArtif/Gx7mPq2");
    private static final String EXECUTION = "3137f7cb-7cf7-4b2c-9d1e-0a1b2c3d4e5f";
    private static final String LATER_EXECUTION = "5c0ffee0-1d2e-4f3a-8b4c-5d6e7f8a9b0c";

    private final GantryConfig config = ConfigLoader.parse("""
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
    void theDeployActionDeploysWhatItsExecutionsGateActionPassedWithoutWaitingForMinSteadyAgain() {
        // given: the gate action waited the gate's ten steady minutes and passed the release
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        clock.advance(Duration.ofSeconds(40));

        // when: the next action of the same execution deploys it
        deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then
        assertThat(onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(ecs.running(prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
        GateRecord record = gateStore.find(release()).orElseThrow();
        assertThat(record.status()).as("the pass stands; no new round").isEqualTo(GateStatus.PASSED);
        assertThat(record.arrival()).isEqualTo("pipeline-job:gate-job-1");
        assertThat(record.pipelineExecution()).isEqualTo(EXECUTION);
        assertThat(record.handoff()).startsWith("DEPLOYED");
    }

    @Test
    void anAlarmFiringBetweenTheGateAndTheDeployActionStopsTheDeploy() {
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, clock.instant());
        clock.advance(Duration.ofSeconds(40));

        deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");

        JobResult result = onlyPut("deploy-job-1");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message()).contains("payments-api-5xx").contains(passNotEnough());
        assertThat(ecs.calls("UpdateService")).isEmpty();
    }

    @Test
    void aDeployRetriedLaterInTheSameExecutionIsRefusedOnceAChangeFreezeBegan() {
        // given: the gate action passed; the deploy action failed on something else, and the freeze began since
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        clock.advance(Duration.ofMinutes(90));
        calendars.givenClosed("payments-release-calendar", clock.instant().plus(Duration.ofDays(2)));

        // when: someone retries the failed deploy stage, which CodePipeline runs as a new job of the same execution
        deployAction.run(job("deploy-job-2", EXECUTION), "inv-deploy-2");

        // then
        JobResult result = onlyPut("deploy-job-2");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(((JobResult.Failed) result).type()).isEqualTo(JobFailureType.JOB_FAILED);
        assertThat(result.message()).contains("freeze: ").contains("payments-release-calendar").contains(passNotEnough())
                .doesNotContain("pass: too old");
        assertThat(ecs.calls("UpdateService")).isEmpty();
        GateRecord record = gateStore.find(release()).orElseThrow();
        assertThat(record.status()).as("the execution's pass is on record as it was").isEqualTo(GateStatus.PASSED);
        assertThat(record.handoff()).isNull();
    }

    @Test
    void aDeployRetriedLaterInTheSameExecutionIsRefusedOnceAnAlarmFires() {
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        clock.advance(Duration.ofMinutes(90));
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, clock.instant());

        deployAction.run(job("deploy-job-2", EXECUTION), "inv-deploy-2");

        JobResult result = onlyPut("deploy-job-2");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message()).contains("alarms: ").contains("payments-api-5xx").contains(passNotEnough());
        assertThat(ecs.calls("UpdateService")).isEmpty();
    }

    @Test
    void aDeployRetriedWithinTheGatesTimeoutInTheSameExecutionDeploysWithoutANewSoakWhileTheGateStillHolds() {
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        clock.advance(Duration.ofMinutes(110));

        deployAction.run(job("deploy-job-2", EXECUTION), "inv-deploy-2");

        assertThat(onlyPut("deploy-job-2")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(ecs.running(prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
        GateRecord record = gateStore.find(release()).orElseThrow();
        assertThat(record.arrival()).as("no new round, so no ten steady minutes again").isEqualTo("pipeline-job:gate-job-1");
        assertThat(record.handoff()).startsWith("DEPLOYED");
    }

    @Test
    void aLaterExecutionOfThePipelineStartsANewRoundAtTheGateAction() {
        passTheGateAction(EXECUTION, "gate-job-1", "gate-job-2");
        deployAction.run(job("deploy-job-1", EXECUTION), "inv-deploy-1");
        clock.advance(Duration.ofDays(3));
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, clock.instant());

        gateAction.run(job("gate-job-3", LATER_EXECUTION), null, "inv-gate-3");

        JobResult result = onlyPut("gate-job-3");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(result.message()).contains("refused the release").contains("payments-api-5xx");
        assertThat(gateStore.find(release()).orElseThrow().pipelineExecution()).isEqualTo(LATER_EXECUTION);
    }

    @Test
    void aRetriedGateActionOfTheSameExecutionIsEvaluatedAgain() {
        // given: the gate action failed on a firing alarm, which has cleared since
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, clock.instant());
        gateAction.run(job("gate-job-1", EXECUTION), null, "inv-gate-1");
        assertThat(onlyPut("gate-job-1")).isInstanceOf(JobResult.Failed.class);
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, clock.instant());
        clock.advance(Duration.ofMinutes(5));

        // when: someone retries the failed action, which CodePipeline runs as a new job of the same execution
        gateAction.run(job("gate-job-2", EXECUTION), null, "inv-gate-2");

        // then: a new round, waiting for its steady minutes rather than repeating the failure
        assertThat(onlyPut("gate-job-2")).isInstanceOf(JobResult.Continued.class);
        assertThat(gateStore.find(release()).orElseThrow().status()).isEqualTo(GateStatus.WAITING);
    }

    @Test
    void withoutTheExecutionInTheJobsTheDeployActionAsksTheGateAsANewArrival() {
        passTheGateAction(null, "gate-job-1", "gate-job-2");
        clock.advance(Duration.ofSeconds(40));

        deployAction.run(job("deploy-job-1", null), "inv-deploy-1");

        JobResult result = onlyPut("deploy-job-1");
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        assertThat(((JobResult.Failed) result).type()).isEqualTo(JobFailureType.CONFIGURATION_ERROR);
        assertThat(ecs.calls("UpdateService")).isEmpty();
    }

    @Test
    void theExecutionTheUserParametersNameTiesTheActionsTogetherWhenTheJobDataDoesNot() {
        // given: jobs as CodePipeline hands a Lambda invoke action's, with no pipelineContext; the reference pipeline's
        // UserParameters name the execution through #{codepipeline.PipelineExecutionId}, which CodePipeline resolved
        gateAction.run(namingItsExecution("gate-job-1", EXECUTION), null, "inv-gate-1");
        JobResult waiting = onlyPut("gate-job-1");
        assertThat(waiting).isInstanceOf(JobResult.Continued.class);
        clock.advance(Duration.ofMinutes(10));
        gateAction.run(namingItsExecution("gate-job-2", EXECUTION), ((JobResult.Continued) waiting).continuationToken(), "inv-gate-2");
        assertThat(onlyPut("gate-job-2")).isInstanceOf(JobResult.Succeeded.class);
        clock.advance(Duration.ofSeconds(40));

        // when
        deployAction.run(namingItsExecution("deploy-job-1", EXECUTION), "inv-deploy-1");

        // then
        assertThat(onlyPut("deploy-job-1")).isInstanceOf(JobResult.Succeeded.class);
        assertThat(ecs.running(prod()).containers()).containsExactly(new ContainerImage("app", PINNED));
        assertThat(gateStore.find(release()).orElseThrow().pipelineExecution()).isEqualTo(EXECUTION);
    }

    /** The gate action's first job waits for minSteady; its continuation job, ten minutes on, passes. */
    private void passTheGateAction(String execution, String firstJob, String continuationJob) {
        gateAction.run(job(firstJob, execution), null, "inv-" + firstJob);
        JobResult first = onlyPut(firstJob);
        assertThat(first).isInstanceOf(JobResult.Continued.class);
        clock.advance(Duration.ofMinutes(10));
        gateAction.run(job(continuationJob, execution), ((JobResult.Continued) first).continuationToken(), "inv-" + continuationJob);
        assertThat(onlyPut(continuationJob)).isInstanceOf(JobResult.Succeeded.class);
    }

    private static String passNotEnough() {
        return "passed " + new ImageDigest(DIGEST).shortForm() + " for pipeline execution " + EXECUTION;
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

    private static PipelineJob namingItsExecution(String id, String execution) {
        String userParameters = "{\"service\":\"payments-api\",\"environment\":\"prod\",\"pipelineExecutionId\":\"" + execution + "\"}";
        return new PipelineJob(id, "111111111111", userParameters, List.of(BUILD_OUTPUT), ACCESS, null, null);
    }

    private static PipelineJob job(String id, String execution) {
        return new PipelineJob(id, "111111111111", PROD, List.of(BUILD_OUTPUT), ACCESS, null, execution);
    }
}
