package dev.gantry.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployOutcome.Result;
import dev.gantry.core.deploy.GateSweepService.SweepReport;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.release.Release;
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
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GateSweepServiceTest {

    private static final String REGISTRY = "111122223333.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String DIGEST = "sha256:" + "a1".repeat(32);
    private static final String NEWER = "sha256:" + "b2".repeat(32);
    private static final EcsServiceRef STAGING = new EcsServiceRef("111122223333", "eu-west-1", "staging", "payments-api");
    private static final EcsServiceRef PROD = new EcsServiceRef("111122223333", "eu-west-1", "prod", "payments-api");

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    private final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    private final InMemoryDeployControls controls = new InMemoryDeployControls();
    private final InMemoryGateStore store = new InMemoryGateStore();
    private final InMemoryAlarmStates alarms = new InMemoryAlarmStates();

    private GateService gates;
    private DeployService deploys;
    private GateSweepService sweep;

    @BeforeEach
    void givenRunningServicesAndAnApprovalGate() {
        for (EcsServiceRef ref : List.of(STAGING, PROD)) {
            ecs.givenService(ref, "payments-api-" + ref.cluster(), List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.3.0")));
        }
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        wire("""
                alarms: { names: [payments-api-5xx] }
                approvals: { required: 1, users: [U0AAAA002, U0AAAA003] }
                """);
    }

    @Test
    void holdsAPushAtTheGateAndDeploysItOnceAfterTheApproval() {
        DeployReport pushed = deploys.onImagePush(push("1.4.0", DIGEST), "inv-1");
        assertThat(outcome(pushed, "prod").result()).isEqualTo(Result.HELD);
        assertThat(outcome(pushed, "prod").reason()).isEqualTo("held at gate 'production': waiting for approvals: 0 of 1 approvals;"
                + " Gantry deploys it when the gate passes");
        assertThat(updatesOf(PROD)).isEmpty();
        clock.advance(Duration.ofSeconds(30));
        gates.decide(prod(DIGEST), approve("U0AAAA002", DIGEST));

        SweepReport first = sweep.sweep("sweep-1");
        clock.advance(Duration.ofMinutes(5));
        SweepReport second = sweep.sweep("sweep-2");

        assertThat(updatesOf(PROD)).hasSize(1);
        assertThat(ecs.running(PROD).containers()).containsExactly(new ContainerImage("app", REGISTRY + "/payments-api@" + DIGEST));
        assertThat(first.lines()).singleElement().satisfies(line -> {
            assertThat(line.release()).isEqualTo(prod(DIGEST).id());
            assertThat(line.status()).isEqualTo(GateStatus.PASSED);
            assertThat(line.what()).startsWith("handed to the deploy after the gate passed: DEPLOYED");
        });
        assertThat(second.lines()).isEmpty();
        GateRecord record = store.find(prod(DIGEST)).orElseThrow();
        assertThat(record.handoff()).startsWith("DEPLOYED: prod/payments-api");
        assertThat(record.dueAt()).isNull();
    }

    @Test
    void deploysAReleaseByItselfWhenItsFreezeEnds() {
        wire("""
                alarms: { names: [payments-api-5xx] }
                freezes:
                  - from: 2026-11-23T09:00:00Z
                    until: 2026-11-23T12:00:00Z
                """);
        deploys.onImagePush(push("1.4.0", DIGEST), "inv-1");
        clock.advance(Duration.ofMinutes(30));

        SweepReport frozen = sweep.sweep("sweep-1");
        clock.advance(Duration.ofMinutes(90));
        SweepReport open = sweep.sweep("sweep-2");
        SweepReport after = sweep.sweep("sweep-3");

        assertThat(frozen.lines()).singleElement().satisfies(line -> {
            assertThat(line.status()).isEqualTo(GateStatus.WAITING);
            assertThat(line.what()).startsWith("waiting for freeze: held until 2026-11-23T12:00:00Z");
        });
        assertThat(open.lines()).singleElement().satisfies(line -> assertThat(line.status()).isEqualTo(GateStatus.PASSED));
        assertThat(after.lines()).isEmpty();
        assertThat(updatesOf(PROD)).hasSize(1);
    }

    @Test
    void leavesAPassedReleaseDueWhenItsDeployFails() {
        deploys.onImagePush(push("1.4.0", DIGEST), "inv-1");
        clock.advance(Duration.ofSeconds(30));
        gates.decide(prod(DIGEST), approve("U0AAAA002", DIGEST));
        ecs.failNextUpdateService(new EcsGateway.EcsGatewayException("UpdateService timed out", null));

        SweepReport failed = sweep.sweep("sweep-1");
        GateRecord afterFailure = store.find(prod(DIGEST)).orElseThrow();
        clock.advance(Duration.ofMinutes(1));
        SweepReport retried = sweep.sweep("sweep-2");

        assertThat(failed.lines()).singleElement().satisfies(line -> assertThat(line.what())
                .startsWith("error: ").contains("payments-api/prod: UpdateService timed out"));
        assertThat(afterFailure.handoff()).isNull();
        assertThat(afterFailure.dueAt()).isNotNull().isBeforeOrEqualTo(clock.instant());
        assertThat(retried.lines()).singleElement().satisfies(line -> assertThat(line.what()).contains("DEPLOYED"));
        assertThat(updatesOf(PROD)).hasSize(1);
        assertThat(ecs.calls("RegisterTaskDefinition")).filteredOn(c -> c.service().equals(PROD))
                .as("the retry reuses the revision the failed attempt registered").hasSize(1);
        assertThat(store.find(prod(DIGEST)).orElseThrow().handoff()).startsWith("DEPLOYED");
    }

    @Test
    void keepsAPassedReleaseDueWhileAnotherInvocationHoldsItAndDeploysItOnceThatOnesLeaseHasRunOut() {
        deploys.onImagePush(push("1.4.0", DIGEST), "inv-1");
        clock.advance(Duration.ofSeconds(30));
        gates.decide(prod(DIGEST), approve("U0AAAA002", DIGEST));
        clock.advance(GateService.HANDOFF_GRACE);
        // An invocation that claimed the release and then died (a timeout, an out-of-memory kill) before ECS was called.
        releases.claim(Release.proposed(prod(DIGEST), "1.4.0", REGISTRY + "/payments-api@" + DIGEST, "push-1", "inv-that-dies",
                clock.instant().plusSeconds(90), clock.instant()), clock.instant(), Duration.ofSeconds(90));

        SweepReport whileHeld = sweep.sweep("sweep-1");
        clock.advance(Duration.ofSeconds(91));
        SweepReport afterLease = sweep.sweep("sweep-2");

        assertThat(whileHeld.lines()).singleElement().satisfies(line -> assertThat(line.what())
                .startsWith("passed; the deploy is in progress elsewhere, and the next sweep looks again")
                .contains("being deployed by another invocation"));
        assertThat(afterLease.lines()).singleElement().satisfies(line -> assertThat(line.what())
                .startsWith("handed to the deploy after the gate passed: DEPLOYED"));
        assertThat(updatesOf(PROD)).hasSize(1);
        assertThat(store.find(prod(DIGEST)).orElseThrow().handoff()).startsWith("DEPLOYED");
    }

    @Test
    void leavesAReleaseAPipelineBroughtToTheGateToThePipeline() {
        DeployRequest fromPipeline = new DeployRequest("payments-api", "prod", ImageReference.parse(REGISTRY + "/payments-api@" + DIGEST),
                "1.4.0", "job-1", null, List.of(), GateOrigin.PIPELINE);
        DeployOutcome held = outcome(deploys.deploy(fromPipeline, "inv-1"), "prod");
        clock.advance(Duration.ofSeconds(30));
        GateRecord passed = gates.decide(prod(DIGEST), approve("U0AAAA002", DIGEST));

        SweepReport report = sweep.sweep("sweep-1");

        assertThat(held.result()).isEqualTo(Result.HELD);
        assertThat(held.reason()).endsWith("; run the pipeline again once the gate has passed");
        assertThat(passed.status()).isEqualTo(GateStatus.PASSED);
        assertThat(passed.dueAt()).isNull();
        assertThat(report.lines()).isEmpty();
        assertThat(updatesOf(PROD)).isEmpty();
    }

    @Test
    void neverDeploysASupersededRelease() {
        deploys.onImagePush(push("1.4.0", DIGEST), "inv-1");
        clock.advance(Duration.ofMinutes(1));
        deploys.onImagePush(push("1.5.0", NEWER), "inv-2");
        clock.advance(Duration.ofSeconds(30));
        GateRecord lateApproval = gates.decide(prod(DIGEST), approve("U0AAAA002", DIGEST));
        gates.decide(prod(NEWER), approve("U0AAAA002", NEWER));

        SweepReport report = sweep.sweep("sweep-1");

        assertThat(lateApproval.status()).isEqualTo(GateStatus.SUPERSEDED);
        assertThat(report.lines()).extracting(SweepReport.Line::release).containsExactly(prod(NEWER).id());
        assertThat(updatesOf(PROD)).singleElement();
        assertThat(ecs.running(PROD).containers().get(0).image()).endsWith(NEWER);
    }

    @Test
    void neverDowngradesWhenAnOlderPassedReleaseIsRetriedAfterANewerOneWentIn() {
        deploys.onImagePush(push("1.4.0", DIGEST), "inv-1");
        clock.advance(Duration.ofSeconds(30));
        gates.decide(prod(DIGEST), approve("U0AAAA002", DIGEST));
        ecs.failNextUpdateService(new EcsGateway.EcsGatewayException("UpdateService timed out", null));
        sweep.sweep("sweep-1");
        // While 1.4.0 is due again, 1.5.0 is pushed, approved, and put into prod at once by an operator's deploy.
        deploys.onImagePush(push("1.5.0", NEWER), "inv-2");
        gates.decide(prod(NEWER), approve("U0AAAA003", NEWER));
        DeployOutcome operator = outcome(deploys.deploy(new DeployRequest("payments-api", "prod",
                ImageReference.parse(REGISTRY + "/payments-api@" + NEWER), "1.5.0", "operator", null), "inv-3"), "prod");
        assertThat(operator.result()).isEqualTo(Result.DEPLOYED);
        clock.advance(Duration.ofMinutes(1));

        SweepReport retried = sweep.sweep("sweep-2");
        SweepReport after = sweep.sweep("sweep-3");

        assertThat(ecs.running(PROD).containers().get(0).image()).endsWith(NEWER);
        assertThat(retried.lines()).singleElement().satisfies(line -> assertThat(line.what())
                .contains("SKIPPED: older than what prod runs: 1.4.0 < 1.5.0"));
        assertThat(store.find(prod(DIGEST)).orElseThrow().handoff()).startsWith("SKIPPED");
        assertThat(after.lines()).as("the answer stands: the release is not asked about again").isEmpty();
    }

    @Test
    void handsAVetoedPassedReleaseOverOnceAndLeavesItThere() {
        deploys.onImagePush(push("1.4.0", DIGEST), "inv-1");
        clock.advance(Duration.ofSeconds(30));
        gates.decide(prod(DIGEST), approve("U0AAAA002", DIGEST));
        controls.veto(new DeployControls.Veto("payments-api", "prod", new ImageDigest(DIGEST), "bad build", "U0AAAA003", clock.instant()));

        SweepReport refused = sweep.sweep("sweep-1");
        clock.advance(Duration.ofMinutes(1));
        SweepReport after = sweep.sweep("sweep-2");

        assertThat(refused.lines()).singleElement().satisfies(line -> assertThat(line.what()).contains("REFUSED").contains("bad build"));
        assertThat(after.lines()).isEmpty();
        assertThat(updatesOf(PROD)).isEmpty();
    }

    @Test
    void aDryRunSweepChangesNothingSoTheReleaseIsStillDueAfterwards() {
        deploys.onImagePush(push("1.4.0", DIGEST), "inv-1");
        clock.advance(Duration.ofSeconds(30));
        gates.decide(prod(DIGEST), approve("U0AAAA002", DIGEST));
        GateRecord before = store.find(prod(DIGEST)).orElseThrow();

        SweepReport dryRun = new GateSweepService(gates, deploys.dryRun()).sweep("sweep-dry");
        SweepReport real = sweep.sweep("sweep-1");

        assertThat(dryRun.lines()).singleElement().satisfies(line -> assertThat(line.what()).startsWith("dry run: due;"));
        assertThat(real.lines()).singleElement().satisfies(line -> assertThat(line.what()).contains("DEPLOYED"));
        assertThat(before.version()).as("the dry run wrote nothing").isEqualTo(
                store.find(prod(DIGEST)).orElseThrow().version() - 1);
        assertThat(updatesOf(PROD)).hasSize(1);
    }

    private void wire(String gateBody) {
        GantryConfig config = ConfigLoader.parse("""
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
                """ + gateBody.indent(4), "gantry.yml");
        gates = new GateService(config, store, releases, alarms, new InMemoryChangeCalendars(), new InMemoryCustomChecks(),
                ApproverGroups.none(), clock);
        deploys = new DeployService(config, ecs, releases, controls, clock).withGates(gates);
        sweep = new GateSweepService(gates, deploys);
    }

    private List<InMemoryEcsGateway.Call> updatesOf(EcsServiceRef service) {
        return ecs.calls("UpdateService").stream().filter(c -> c.service().equals(service)).toList();
    }

    private Approval approve(String user, String digest) {
        return new Approval(user, clock.instant(), new ImageDigest(digest), Approval.Decision.APPROVE, null);
    }

    private static ReleaseKey prod(String digest) {
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
