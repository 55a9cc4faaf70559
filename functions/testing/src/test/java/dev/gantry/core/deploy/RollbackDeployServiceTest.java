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
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.RolloutStatus;
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

/** {@link DeployService#deploy} of rollback requests: an earlier release deployed again, once, and the digest it leaves vetoed. */
class RollbackDeployServiceTest {

    private static final String ACCOUNT = "111122223333";
    private static final String REGISTRY = ACCOUNT + ".dkr.ecr.eu-west-1.amazonaws.com";
    private static final String LOG_ROUTER = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4";
    private static final ImageDigest D140 = new ImageDigest("sha256:" + "a1".repeat(32));
    private static final ImageDigest D141 = new ImageDigest("sha256:" + "b2".repeat(32));
    private static final ImageDigest D142 = new ImageDigest("sha256:" + "c3".repeat(32));
    private static final EcsServiceRef STAGING = new EcsServiceRef(ACCOUNT, "eu-west-1", "staging", "payments-api");
    private static final EcsServiceRef PROD = new EcsServiceRef(ACCOUNT, "eu-west-1", "prod", "payments-api");

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    private final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    private final InMemoryGateStore gateStore = new InMemoryGateStore();
    private final InMemoryAlarmStates alarms = new InMemoryAlarmStates();
    private final InMemoryDeployControls controls = new InMemoryDeployControls();
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
    private final GateService gates = new GateService(config, gateStore, releases, alarms, new InMemoryChangeCalendars(),
            new InMemoryCustomChecks(), ApproverGroups.none(), clock);
    private final DeployService deploys = new DeployService(config, ecs, releases, controls, clock).withGates(gates);

    @BeforeEach
    void givenRunningServicesAndTwoReleasesThatCompletedEverywhere() {
        for (EcsServiceRef ref : List.of(STAGING, PROD)) {
            ecs.givenService(ref, "payments-api-" + ref.cluster(), List.of(
                    new ContainerImage("app", REGISTRY + "/payments-api:1.3.0"),
                    new ContainerImage("log-router", LOG_ROUTER)));
        }
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        released("1.4.0", D140);
        released("1.4.1", D141);
    }

    @Test
    void rollsBackToTheEarlierDigestWithANewRevisionOfWhatRunsNow() {
        // given
        String runningRevision = ecs.currentTaskDefinitionArn(STAGING);

        // when
        DeployOutcome outcome = rollback("staging", D140, D141, "slack:trigger-1", "inv-r");

        // then
        assertThat(outcome.result()).isEqualTo(Result.DEPLOYED);
        assertThat(outcome.reason()).startsWith("rolled back from 1.4.1 (b2b2b2b2b2b2) to 1.4.0 (a1a1a1a1a1a1), and b2b2b2b2b2b2 is vetoed"
                + " for staging: ");
        assertThat(outcome.fromTaskDefinitionArn()).isEqualTo(runningRevision);
        assertThat(outcome.toTaskDefinitionArn()).as("a new revision, not the one 1.4.0 ran in")
                .isNotEqualTo(earlierRevisionOf(D140)).endsWith("payments-api-staging:4");
        assertThat(outcome.changes()).containsExactly("app: payments-api@sha256:b2b2b2b2b2b2 -> payments-api:1.4.0@sha256:a1a1a1a1a1a1");
        assertThat(ecs.running(STAGING).containers()).containsExactly(
                new ContainerImage("app", REGISTRY + "/payments-api@" + D140.value()),
                new ContainerImage("log-router", LOG_ROUTER));
        Release release = releases.find(key("staging", D140)).orElseThrow();
        assertThat(release.eventId()).isEqualTo("slack:trigger-1");
        assertThat(release.status()).isEqualTo(ReleaseStatus.SERVICE_UPDATED);
        assertThat(release.rolloutStatus()).isEqualTo(RolloutStatus.PENDING);
        assertThat(release.earlierDeploys()).singleElement().asString().contains("event-1.4.0").contains(earlierRevisionOf(D140));
        assertThat(releases.history("payments-api", "staging")).extracting(Release::key)
                .containsExactly(key("staging", D140), key("staging", D141));
        DeployControls.Veto veto = controls.vetoOf("payments-api", "staging", D141).orElseThrow();
        assertThat(veto.by()).isEqualTo("U0OPS0001");
        assertThat(veto.reason()).isEqualTo("rolled back to 1.4.0 (a1a1a1a1a1a1) (slack:trigger-1)");
    }

    @Test
    void aRollbackRequestDeliveredAgainMovesTheServiceOnce() {
        // given
        rollback("staging", D140, D141, "slack:trigger-1", "inv-r1");
        clock.advance(Duration.ofMinutes(2));

        // when
        DeployOutcome again = rollback("staging", D140, D141, "slack:trigger-1", "inv-r2");

        // then
        assertThat(again.result()).isEqualTo(Result.DUPLICATE);
        assertThat(updatesOf(STAGING)).as("1.4.0, 1.4.1 and the rollback").hasSize(3);
        assertThat(releases.find(key("staging", D140)).orElseThrow().earlierDeploys()).hasSize(1);
    }

    @Test
    void aRollbackRetriedAfterItsUpdateFailedReusesItsRevision() {
        // given
        ecs.failNextUpdateService(new EcsGateway.EcsGatewayException("UpdateService timed out", null));
        try {
            rollback("staging", D140, D141, "slack:trigger-1", "inv-r1");
        } catch (DeployService.DeployFailedException expected) {
            // the retry below is what is under test
        }

        // when
        DeployOutcome retry = rollback("staging", D140, D141, "slack:trigger-1", "inv-r2");

        // then
        assertThat(retry.result()).isEqualTo(Result.DEPLOYED);
        assertThat(ecs.calls("RegisterTaskDefinition")).filteredOn(c -> c.service().equals(STAGING)).hasSize(3);
        assertThat(ecs.running(STAGING).containers().get(0).image()).endsWith(D140.value());
    }

    @Test
    void skipsARollbackWhenTheEnvironmentMovedOnSinceItWasAsked() {
        // given: asked while staging ran 1.4.1, but 1.4.2 went in since
        released("1.4.2", D142);

        // when
        DeployOutcome outcome = rollback("staging", D140, D141, "slack:trigger-1", "inv-r");

        // then
        assertThat(outcome.result()).isEqualTo(Result.SKIPPED);
        assertThat(outcome.reason()).isEqualTo("the rollback was asked for while staging ran b2b2b2b2b2b2, but it runs 1.4.2 (c3c3c3c3c3c3)"
                + " now; look again and ask again");
        assertThat(updatesOf(STAGING)).hasSize(3);
        assertThat(controls.vetoOf("payments-api", "staging", D142)).isEmpty();
        assertThat(controls.vetoOf("payments-api", "staging", D141)).isEmpty();
    }

    @Test
    void answersUnchangedWhenTheEnvironmentAlreadyRunsTheTarget() {
        DeployOutcome outcome = rollback("staging", D141, D140, "slack:trigger-1", "inv-r");

        assertThat(outcome.result()).isEqualTo(Result.UNCHANGED);
        assertThat(outcome.reason()).isEqualTo("staging already runs 1.4.1 (b2b2b2b2b2b2)");
        assertThat(updatesOf(STAGING)).hasSize(2);
    }

    @Test
    void refusesARollbackToAVetoedDigest() {
        controls.veto(new DeployControls.Veto("payments-api", "staging", D140, "leaks memory", "U0OPS0001", clock.instant()));

        DeployOutcome outcome = rollback("staging", D140, D141, "slack:trigger-1", "inv-r");

        assertThat(outcome.result()).isEqualTo(Result.REFUSED);
        assertThat(outcome.reason()).contains("vetoed").contains("leaks memory");
        assertThat(updatesOf(STAGING)).hasSize(2);
        assertThat(controls.vetoOf("payments-api", "staging", D141)).isEmpty();
    }

    @Test
    void refusesARollbackToADigestThatNeverRanThere() {
        DeployOutcome outcome = rollback("staging", D142, D141, "slack:trigger-1", "inv-r");

        assertThat(outcome.result()).isEqualTo(Result.REFUSED);
        assertThat(outcome.reason()).isEqualTo("c3c3c3c3c3c3 never ran in staging: a rollback returns to a release Gantry deployed there");
        assertThat(updatesOf(STAGING)).hasSize(2);
    }

    @Test
    void rollsAGatedEnvironmentBackOnTheGatesEarlierPassWhileItsAlarmFires() {
        // given: the incident a rollback answers, which would fail a new round of the gate
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, clock.instant().minusSeconds(30));
        GateRecord passedBefore = gateStore.find(key("prod", D140)).orElseThrow();

        // when
        DeployOutcome outcome = rollback("prod", D140, D141, "slack:trigger-1", "inv-r");

        // then
        assertThat(outcome.result()).isEqualTo(Result.DEPLOYED);
        assertThat(ecs.running(PROD).containers().get(0).image()).endsWith(D140.value());
        assertThat(gateStore.find(key("prod", D140)).orElseThrow()).as("no new round").isEqualTo(passedBefore);
        assertThat(controls.vetoOf("payments-api", "prod", D141)).isPresent();
    }

    @Test
    void refusesAGatedRollbackToADigestTheGateNeverLetIn() {
        // given: 1.3.9 ran in prod before the gate was configured, so its gate has no record of it
        ImageDigest d139 = new ImageDigest("sha256:" + "d4".repeat(32));
        ReleaseKey before = key("prod", d139);
        releases.claim(Release.proposed(before, "1.3.9", REGISTRY + "/payments-api@" + d139.value(), "event-1.3.9", "inv-old",
                clock.instant().plusSeconds(90), clock.instant()), clock.instant(), Duration.ofSeconds(90));
        releases.recordRegistered(before, "inv-old", "arn:old:1", "arn:old:2", List.of(), clock.instant());
        releases.recordServiceUpdated(before, "inv-old", clock.instant());
        releases.recordRollout(before, RolloutStatus.COMPLETED, null, clock.instant());
        clock.advance(Duration.ofMinutes(5));
        released("1.4.2", D142);

        // when
        DeployOutcome outcome = rollback("prod", d139, D142, "slack:trigger-1", "inv-r");

        // then
        assertThat(outcome.result()).isEqualTo(Result.REFUSED);
        assertThat(outcome.reason()).isEqualTo("d4d4d4d4d4d4 never passed gate 'production' of prod; a rollback returns only to a digest"
                + " the gate let in, and does not go past it");
        assertThat(updatesOf(PROD)).hasSize(3);
        assertThat(controls.vetoOf("payments-api", "prod", D142)).isEmpty();
    }

    @Test
    void afterARollbackTheDigestLeftIsRefusedAndNewerPushesDeploy() {
        // given
        rollback("staging", D140, D141, "slack:trigger-1", "inv-r");
        clock.advance(Duration.ofMinutes(5));

        // when
        DeployOutcome pushedAgain = staging(deploys.onImagePush(push("1.4.1", D141, "event-1.4.1-again"), "inv-p1"));
        DeployOutcome newer = staging(deploys.onImagePush(push("1.4.2", D142, "event-1.4.2"), "inv-p2"));

        // then
        assertThat(pushedAgain.result()).isEqualTo(Result.REFUSED);
        assertThat(newer.result()).isEqualTo(Result.DEPLOYED);
        assertThat(newer.changes()).containsExactly("app: payments-api@sha256:a1a1a1a1a1a1 -> payments-api:1.4.2@sha256:c3c3c3c3c3c3");
    }

    /** Pushes {@code tag}, which deploys staging and passes prod's gate, and records both rollouts completed. */
    private void released(String tag, ImageDigest digest) {
        deploys.onImagePush(push(tag, digest, "event-" + tag), "inv-" + tag);
        for (String environment : List.of("staging", "prod")) {
            releases.recordRollout(key(environment, digest), RolloutStatus.COMPLETED, null, clock.instant());
        }
        clock.advance(Duration.ofHours(1));
    }

    private DeployOutcome rollback(String environment, ImageDigest to, ImageDigest from, String eventId, String invocationId) {
        Release target = releases.find(key(environment, to)).orElse(null);
        DeployRequest request = DeployRequest.rollback("payments-api", environment, ImageReference.ecr(ACCOUNT, "eu-west-1", "payments-api", to),
                target == null ? null : target.tag(), eventId, null, List.of("U0OPS0001"), from);
        return deploys.deploy(request, invocationId).outcomes().get(0);
    }

    private String earlierRevisionOf(ImageDigest digest) {
        return ecs.calls("UpdateService").stream()
                .filter(c -> c.service().equals(STAGING))
                .map(InMemoryEcsGateway.Call::taskDefinitionArn)
                .filter(arn -> ecs.describeTaskDefinition(STAGING, arn).containers().get(0).image().endsWith(digest.value()))
                .findFirst()
                .orElseThrow();
    }

    private List<InMemoryEcsGateway.Call> updatesOf(EcsServiceRef service) {
        return ecs.calls("UpdateService").stream().filter(c -> c.service().equals(service)).toList();
    }

    private static ReleaseKey key(String environment, ImageDigest digest) {
        return new ReleaseKey("payments-api", environment, digest);
    }

    private ImagePush push(String tag, ImageDigest digest, String eventId) {
        return new ImagePush(eventId, ACCOUNT, "eu-west-1", "payments-api", tag, digest.value(), "PUSH", "SUCCESS",
                clock.instant().minusSeconds(60));
    }

    private static DeployOutcome staging(DeployReport report) {
        return report.outcomes().stream().filter(o -> o.environment().equals("staging")).findFirst().orElseThrow();
    }
}
