package dev.gantry.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployOutcome.Result;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link DeployService} with a {@link GateService} wired: gated environments are entered through their gate. */
class GatedDeployServiceTest {

    private static final String REGISTRY = "111122223333.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String DIGEST = "sha256:" + "a1".repeat(32);
    private static final String NEWER = "sha256:" + "b2".repeat(32);
    private static final String HOTFIX = "sha256:" + "c3".repeat(32);
    private static final EcsServiceRef STAGING = new EcsServiceRef("111122223333", "eu-west-1", "staging", "payments-api");
    private static final EcsServiceRef PROD = new EcsServiceRef("111122223333", "eu-west-1", "prod", "payments-api");

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    private final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    private final InMemoryGateStore store = new InMemoryGateStore();
    private final InMemoryAlarmStates alarms = new InMemoryAlarmStates();
    private final GantryConfig config = ConfigLoader.parse("""
            version: 1
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                environments:
                  - { name: staging, account: "111122223333", region: eu-west-1, cluster: staging, service: payments-api }
                  - { name: prod, account: "111122223333", region: eu-west-1, cluster: prod, service: payments-api, gate: production }
            gates:
              - name: production
                alarms: { names: [payments-api-5xx] }
                timeout: 1h
            """, "gantry.yml");
    private final GateService gates = new GateService(config, store, releases, alarms, new InMemoryChangeCalendars(),
            new InMemoryCustomChecks(), ApproverGroups.none(), clock);
    private final DeployService deploys = new DeployService(config, ecs, releases, new InMemoryDeployControls(), clock).withGates(gates);

    @BeforeEach
    void givenRunningServices() {
        for (EcsServiceRef ref : List.of(STAGING, PROD)) {
            ecs.givenService(ref, "payments-api-" + ref.cluster(), List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.3.0")));
        }
    }

    @Test
    void deploysOnPushWhenTheGatePassesAtOnce() {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);

        DeployOutcome prod = outcome(deploys.onImagePush(push("1.4.0", DIGEST), "inv-1"), "prod");
        clock.advance(GateService.HANDOFF_GRACE.plusMinutes(1));
        GateSweepService.SweepReport sweep = new GateSweepService(gates, deploys).sweep("sweep-1");

        assertThat(prod.result()).isEqualTo(Result.DEPLOYED);
        assertThat(ecs.running(PROD).containers()).containsExactly(new ContainerImage("app", REGISTRY + "/payments-api@" + DIGEST));
        GateRecord record = store.find(key(DIGEST)).orElseThrow();
        assertThat(record.status()).isEqualTo(GateStatus.PASSED);
        assertThat(record.handoff()).isEqualTo("DEPLOYED: " + prod.reason());
        assertThat(sweep.lines()).as("the push deployed it; the sweep has nothing to hand over").isEmpty();
        assertThat(ecs.calls("UpdateService")).filteredOn(c -> c.service().equals(PROD)).hasSize(1);
    }

    @Test
    void refusesAReleaseTheGateFailsSayingWhy() {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, Instant.parse("2026-11-23T09:58:00Z"));

        DeployReport report = deploys.onImagePush(push("1.4.0", DIGEST), "inv-1");

        assertThat(outcome(report, "prod").result()).isEqualTo(Result.REFUSED);
        assertThat(outcome(report, "prod").reason()).isEqualTo("gate 'production' refused it: alarms: in ALARM: payments-api-5xx");
        assertThat(outcome(report, "staging").result()).as("the ungated environment is not held back").isEqualTo(Result.DEPLOYED);
        assertThat(ecs.calls("UpdateService")).extracting(InMemoryEcsGateway.Call::service).containsExactly(STAGING);
    }

    @Test
    void refusesAReleaseWhoseGateTimedOut() {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.INSUFFICIENT_DATA, null);
        DeployOutcome held = outcome(deploys.onImagePush(push("1.4.0", DIGEST), "inv-1"), "prod");
        clock.advance(Duration.ofHours(1));

        DeployOutcome again = outcome(deploys.onImagePush(push("1.4.0", DIGEST), "inv-2"), "prod");

        assertThat(held.result()).isEqualTo(Result.HELD);
        assertThat(again.result()).isEqualTo(Result.REFUSED);
        assertThat(again.reason()).startsWith("gate 'production' timed out: waited PT1H");
        assertThat(ecs.calls("UpdateService")).extracting(InMemoryEcsGateway.Call::service).containsExactly(STAGING);
    }

    @Test
    void skipsAReleaseANewerDigestReplacedAtTheGate() {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.INSUFFICIENT_DATA, null);
        deploys.onImagePush(push("1.4.0", DIGEST), "inv-1");
        clock.advance(Duration.ofMinutes(1));
        deploys.onImagePush(push("1.5.0", NEWER), "inv-2");
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        clock.advance(Duration.ofMinutes(1));

        DeployOutcome replayed = outcome(deploys.onImagePush(push("1.4.0", DIGEST), "inv-3"), "prod");

        assertThat(replayed.result()).isEqualTo(Result.SKIPPED);
        assertThat(replayed.reason()).isEqualTo("replaced at the gate by a newer digest, " + new ImageDigest(NEWER).shortForm());
        assertThat(ecs.calls("UpdateService")).filteredOn(c -> c.service().equals(PROD)).isEmpty();
    }

    @Test
    void aHotfixOnAnOlderLinePushedLaterDoesNotReplaceTheHigherVersionWaitingAtTheGate() {
        // given: 1.5.0 ran in staging and waits at prod's gate
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.INSUFFICIENT_DATA, null);
        deploys.onImagePush(push("1.5.0", NEWER), "inv-1");
        clock.advance(Duration.ofMinutes(2));

        // when: a hotfix of the 1.4 line is pushed after it
        DeployReport hotfix = deploys.onImagePush(push("1.4.1", HOTFIX), "inv-2");
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        clock.advance(Duration.ofMinutes(1));
        new GateSweepService(gates, deploys).sweep("sweep-1");

        // then: the higher version is the newest release, at the gate as in staging, and only it reaches prod
        assertThat(outcome(hotfix, "staging").result()).isEqualTo(Result.SKIPPED);
        assertThat(outcome(hotfix, "prod").result()).isEqualTo(Result.SKIPPED);
        assertThat(outcome(hotfix, "prod").reason()).isEqualTo("replaced at the gate by a newer digest, " + new ImageDigest(NEWER).shortForm());
        assertThat(store.find(key(HOTFIX)).orElseThrow().status()).isEqualTo(GateStatus.SUPERSEDED);
        assertThat(store.find(key(NEWER)).orElseThrow().status()).isEqualTo(GateStatus.PASSED);
        assertThat(ecs.running(PROD).containers()).containsExactly(new ContainerImage("app", REGISTRY + "/payments-api@" + NEWER));
    }

    @Test
    void aDryRunNeitherEvaluatesTheGateNorDeploys() {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);

        DeployOutcome prod = outcome(deploys.dryRun().onImagePush(push("1.4.0", DIGEST), "inv-1"), "prod");

        assertThat(prod.result()).isEqualTo(Result.HELD);
        assertThat(prod.reason()).isEqualTo("dry run: behind gate 'production', not reached yet; a dry run does not evaluate gates");
        assertThat(alarms.calls()).isZero();
        assertThat(store.find(key(DIGEST))).isEmpty();
        assertThat(ecs.calls()).isEmpty();
    }

    private static ReleaseKey key(String digest) {
        return new ReleaseKey("payments-api", "prod", new ImageDigest(digest));
    }

    private ImagePush push(String tag, String digest) {
        return new ImagePush("event-" + tag, "111122223333", "eu-west-1", "payments-api", tag, digest, "PUSH", "SUCCESS",
                clock.instant().minusSeconds(60));
    }

    private static DeployOutcome outcome(DeployReport report, String environment) {
        return report.outcomes().stream().filter(o -> o.environment().equals(environment)).findFirst().orElseThrow();
    }
}
