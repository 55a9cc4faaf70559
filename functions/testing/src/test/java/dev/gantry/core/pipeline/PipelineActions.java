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
import dev.gantry.core.gate.GateService;
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

/**
 * The reference pipeline's gate and deploy actions for payments-api's {@code prod}, through the real gate and deploy
 * services over the in-memory fakes: the build artifact hands over {@link #PINNED}, every environment of the
 * configuration runs 1.3.0, the gates' alarm is OK and their Change Calendar open.
 */
final class PipelineActions {

    static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    /** The digest {@code events/gantry-imagedefinitions-payments-api-pinned.json} hands over. */
    static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    static final String PINNED = REGISTRY + "/payments-api@" + DIGEST;
    static final ArtifactAccess ACCESS = new ArtifactAccess("fake-access-key-id", "fake-secret-access-key", "fake-session-token");
    static final String PROD = "{\"service\":\"payments-api\",\"environment\":\"prod\"}";
    static final ArtifactLocation BUILD_OUTPUT = new ArtifactLocation("BuildArtifact", "eu-west-1-111111111111-payments-api",
            "payments-api/BuildArtif/Gx7mPq2");

    final GantryConfig config;
    final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    final InMemoryAlarmStates alarms = new InMemoryAlarmStates();
    final InMemoryChangeCalendars calendars = new InMemoryChangeCalendars();
    final InMemoryGateStore gateStore = new InMemoryGateStore();
    final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    final InMemoryArtifactReader artifacts = new InMemoryArtifactReader();
    final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    final InMemoryPipelineJobs jobs = new InMemoryPipelineJobs();
    final InMemoryJobLedger ledger = new InMemoryJobLedger();
    final GateService gates;
    final PipelineGateService gateAction;
    final PipelineDeployService deployAction;

    /** @param gantryYml the configuration; its payments-api's second environment is {@code prod} */
    PipelineActions(String gantryYml) {
        config = ConfigLoader.parse(gantryYml, "gantry.yml");
        gates = new GateService(config, gateStore, releases, alarms, calendars, new InMemoryCustomChecks(), ApproverGroups.none(), clock);
        gateAction = new PipelineGateService(config, gates, artifacts, registry, jobs, ledger, clock);
        deployAction = new PipelineDeployService(config, new DeployService(config, ecs, releases, new InMemoryDeployControls(), clock)
                .withGates(gates), artifacts, registry, jobs, ledger, clock);
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(),
                PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        registry.givenImage(PINNED, Instant.parse("2026-11-23T09:58:12Z"));
        for (EnvironmentConfig environment : config.services().get(0).environments()) {
            ecs.givenService(EcsServiceRef.of(environment), "payments-api-" + environment.cluster(),
                    List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.3.0")));
        }
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        calendars.givenOpen("payments-release-calendar", null);
    }

    /**
     * The gate action's first job waits; {@code whileWaiting} runs; its continuation job, ten minutes on (the gates'
     * minSteady), passes.
     */
    void passTheGateAction(String execution, String firstJob, String continuationJob, Runnable whileWaiting) {
        gateAction.run(job(firstJob, execution), null, "inv-" + firstJob);
        JobResult first = onlyPut(firstJob);
        assertThat(first).isInstanceOf(JobResult.Continued.class);
        whileWaiting.run();
        clock.advance(Duration.ofMinutes(10));
        gateAction.run(job(continuationJob, execution), ((JobResult.Continued) first).continuationToken(), "inv-" + continuationJob);
        assertThat(onlyPut(continuationJob)).isInstanceOf(JobResult.Succeeded.class);
    }

    /** The one result put for {@code jobId}. */
    JobResult onlyPut(String jobId) {
        List<InMemoryPipelineJobs.Put> puts = jobs.puts(jobId);
        assertThat(puts).hasSize(1);
        return puts.get(0).result();
    }

    EcsServiceRef prod() {
        return EcsServiceRef.of(config.services().get(0).environments().get(1));
    }

    static ReleaseKey release() {
        return new ReleaseKey("payments-api", "prod", new ImageDigest(DIGEST));
    }

    /** A job of the prod action in {@code execution}, as the job data names it. */
    static PipelineJob job(String id, String execution) {
        return job(id, execution, PROD);
    }

    static PipelineJob job(String id, String execution, String userParameters) {
        return new PipelineJob(id, "111111111111", userParameters, List.of(BUILD_OUTPUT), ACCESS, null, execution);
    }
}
