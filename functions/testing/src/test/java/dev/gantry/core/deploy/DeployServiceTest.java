package dev.gantry.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployOutcome.Result;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeployServiceTest {

    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final EcsServiceRef STAGING = new EcsServiceRef("111111111111", "eu-west-1", "staging", "payments-api");
    private static final EcsServiceRef PROD = new EcsServiceRef("111111111111", "eu-west-1", "prod", "payments-api");
    private static final String LOG_ROUTER = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4";

    private final GantryConfig config = Fixtures.exampleConfig();
    private final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    private final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryDeployControls controls = new InMemoryDeployControls();
    private final DeployService service = new DeployService(config, ecs, releases, controls, clock);

    @BeforeEach
    void givenRunningServices() {
        for (EcsServiceRef ref : List.of(STAGING, PROD)) {
            ecs.givenService(ref, "payments-api-" + ref.cluster(), List.of(
                    new ContainerImage("app", REGISTRY + "/payments-api:1.3.0"),
                    new ContainerImage("log-router", LOG_ROUTER)));
        }
    }

    @Test
    void registersRevisionPinnedToDigestAndMovesTheService() {
        DeployReport report = service.onImagePush(push("1.4.0", DIGEST), "inv-1");

        DeployOutcome staging = outcome(report, "staging");
        assertThat(staging.result()).isEqualTo(Result.DEPLOYED);
        assertThat(staging.fromTaskDefinitionArn()).endsWith("task-definition/payments-api-staging:1");
        assertThat(staging.toTaskDefinitionArn()).endsWith("task-definition/payments-api-staging:2");
        assertThat(staging.changes()).containsExactly("app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:07348c117739");
        assertThat(releases.find(key(DIGEST)).orElseThrow().changes()).isEqualTo(staging.changes());
        assertThat(ecs.running(STAGING).containers()).containsExactly(
                new ContainerImage("app", REGISTRY + "/payments-api@" + DIGEST),
                new ContainerImage("log-router", LOG_ROUTER));
        assertThat(report.image()).isEqualTo(REGISTRY + "/payments-api@" + DIGEST);
    }

    @Test
    void holdsAGatedEnvironmentAndSaysWhy() {
        DeployReport report = service.onImagePush(push("1.4.0", DIGEST), "inv-1");

        DeployOutcome prod = outcome(report, "prod");
        assertThat(prod.result()).isEqualTo(Result.HELD);
        assertThat(prod.reason()).contains("gate 'production'");
        assertThat(ecs.running(PROD).containers().get(0).image()).endsWith(":1.3.0");
    }

    @Test
    void skipsATagOutsideThePolicyWithTheReason() {
        DeployReport report = service.onImagePush(push("2.0.0", DIGEST), "inv-1");

        assertThat(report.outcomes()).allSatisfy(o -> {
            assertThat(o.result()).isEqualTo(Result.SKIPPED);
            assertThat(o.reason()).contains("'2.0.0'").contains("semver >=1.0.0 <2.0.0");
        });
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void deploysADuplicateEventOnlyOnce() {
        service.onImagePush(push("1.4.0", DIGEST), "inv-1");
        clock.advance(Duration.ofMinutes(3));

        DeployReport again = service.onImagePush(push("1.4.0", DIGEST), "inv-2");

        assertThat(outcome(again, "staging").result()).isEqualTo(Result.DUPLICATE);
        assertThat(ecs.calls("RegisterTaskDefinition")).hasSize(1);
        assertThat(ecs.calls("UpdateService")).hasSize(1);
    }

    @Test
    void saysARetriedEventWasDeployedByItsOwnEarlierAttemptAndAnotherEventByThatOne() {
        service.onImagePush(push("1.4.0", DIGEST), "inv-1");

        DeployOutcome retried = outcome(service.onImagePush(push("1.4.0", DIGEST), "inv-2"), "staging");
        DeployOutcome retagged = outcome(service.onImagePush(push("1.4.1", DIGEST), "inv-3"), "staging");

        assertThat(retried.reason()).endsWith("was already deployed by an earlier attempt at this same event (event-1.4.0)");
        assertThat(retagged.reason()).endsWith("was already deployed (event event-1.4.0)");
    }

    @Test
    void treatsTheSameDigestUnderAnotherTagAsTheSameRelease() {
        service.onImagePush(push("1.4.0", DIGEST), "inv-1");

        DeployReport retagged = service.onImagePush(push("1.4.1", DIGEST), "inv-2");

        assertThat(outcome(retagged, "staging").result()).isEqualTo(Result.DUPLICATE);
        assertThat(ecs.calls("RegisterTaskDefinition")).hasSize(1);
    }

    @Test
    void reusesTheRegisteredRevisionWhenTheRetryFollowsAFailedUpdate() {
        ecs.failNextUpdateService(new EcsGateway.EcsGatewayException("UpdateService timed out", null));

        assertThatThrownBy(() -> service.onImagePush(push("1.4.0", DIGEST), "inv-1"))
                .isInstanceOf(DeployService.DeployFailedException.class)
                .hasMessageContaining("payments-api/staging: UpdateService timed out");
        DeployReport retry = service.onImagePush(push("1.4.0", DIGEST), "inv-2");

        assertThat(outcome(retry, "staging").result()).isEqualTo(Result.DEPLOYED);
        assertThat(ecs.calls("RegisterTaskDefinition")).hasSize(1);
        assertThat(ecs.calls("UpdateService")).singleElement()
                .satisfies(call -> assertThat(call.taskDefinitionArn()).endsWith("payments-api-staging:2"));
        assertThat(releases.find(key(DIGEST)).orElseThrow().status()).isEqualTo(ReleaseStatus.SERVICE_UPDATED);
    }

    @Test
    void reportsTheDeployInProgressWhileAnotherInvocationHoldsTheRelease() {
        releases.claim(Release.proposed(key(DIGEST), "1.4.0", "img", "e-0", "inv-other", clock.instant().plusSeconds(60), clock.instant()),
                clock.instant(), Duration.ofSeconds(60));

        DeployReport report = service.onImagePush(push("1.4.0", DIGEST), "inv-1");

        assertThat(outcome(report, "staging").result()).isEqualTo(Result.IN_PROGRESS);
        assertThat(outcome(report, "staging").reason()).contains("payments-api/staging/07348c117739").contains("another invocation");
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void plansWithoutChangingAnythingInADryRun() {
        DeployReport report = service.dryRun().onImagePush(push("1.4.0", DIGEST), "inv-1");

        DeployOutcome staging = outcome(report, "staging");
        assertThat(staging.result()).isEqualTo(Result.PLANNED);
        assertThat(staging.changes()).containsExactly("app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:07348c117739");
        assertThat(ecs.calls()).isEmpty();
        assertThat(releases.find(key(DIGEST))).isEmpty();
    }

    @Test
    void deploysAnImageAPipelineChoseToTheNamedEnvironmentOnly() {
        GantryConfig twoUngated = ConfigLoader.parse("""
                version: 1
                services:
                  - name: payments-api
                    repository: payments-api
                    tagPolicy: { exact: never-pushed }
                    environments:
                      - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: payments-api }
                      - { name: prod, account: "111111111111", region: eu-west-1, cluster: prod, service: payments-api }
                """, "gantry.yml");
        DeployService deploys = new DeployService(twoUngated, ecs, releases, controls, clock);
        DeployRequest request = new DeployRequest("payments-api", "prod",
                dev.gantry.core.image.ImageReference.parse(REGISTRY + "/payments-api@" + DIGEST), "1.4.0", "job-1", null);

        DeployReport report = deploys.deploy(request, "inv-1");

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.environment()).isEqualTo("prod");
            assertThat(o.result()).isEqualTo(Result.DEPLOYED);
        });
        assertThat(ecs.calls("UpdateService")).singleElement().satisfies(c -> assertThat(c.service()).isEqualTo(PROD));
    }

    @Test
    void refusesARequestForAnUnknownServiceOrEnvironment() {
        dev.gantry.core.image.ImageReference image = dev.gantry.core.image.ImageReference.parse(REGISTRY + "/payments-api@" + DIGEST);

        assertThatThrownBy(() -> service.deploy(new DeployRequest("nope", null, image, "1", "job-1", null), "inv-1"))
                .isInstanceOf(DeployService.UnknownTargetException.class).hasMessageContaining("no service 'nope'");
        assertThatThrownBy(() -> service.deploy(new DeployRequest("payments-api", "qa", image, "1", "job-1", null), "inv-1"))
                .isInstanceOf(DeployService.UnknownTargetException.class).hasMessageContaining("no environment 'qa'");
    }

    @Test
    void takesOverAReleaseWhoseOwnerDiedOnceTheLeaseRunsOut() {
        releases.claim(Release.proposed(key(DIGEST), "1.4.0", "img", "e-0", "inv-dead", clock.instant().plusSeconds(90), clock.instant()),
                clock.instant(), Duration.ofSeconds(90));
        clock.advance(DeployService.DEFAULT_LEASE.plusSeconds(1));

        DeployReport report = service.onImagePush(push("1.4.0", DIGEST), "inv-1");

        assertThat(outcome(report, "staging").result()).isEqualTo(Result.DEPLOYED);
        assertThat(releases.find(key(DIGEST)).orElseThrow().owner()).isEqualTo("inv-1");
    }

    @Test
    void reportsUnchangedWhenTheServiceAlreadyRunsTheDigest() {
        ecs.givenService(STAGING, "payments-api-staging", List.of(
                new ContainerImage("app", REGISTRY + "/payments-api@" + DIGEST), new ContainerImage("log-router", LOG_ROUTER)));

        DeployReport report = service.onImagePush(push("1.4.0", DIGEST), "inv-1");

        assertThat(outcome(report, "staging").result()).isEqualTo(Result.UNCHANGED);
        assertThat(ecs.calls("RegisterTaskDefinition")).isEmpty();
        assertThat(ecs.calls("UpdateService")).isEmpty();
        // No ECS deployment follows to end the rollout: the release is recorded as rolled out, or a soak would wait on it.
        Release recorded = releases.find(key(DIGEST)).orElseThrow();
        assertThat(recorded.rolloutStatus()).isEqualTo(RolloutStatus.COMPLETED);
        assertThat(recorded.rolloutReason()).contains("already ran").contains("no rollout was started");
    }

    @Test
    void rejectsTheAwsSampleDigestNamingTheField() {
        String sixtyHexDigits = "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234";

        assertThatThrownBy(() -> service.onImagePush(push("1.4.0", sixtyHexDigits), "inv-1"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("detail.image-digest")
                .hasMessageContaining("64 lower-case hex digits (found 60");
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void ignoresDeletesFailuresOtherRepositoriesAndUntaggedPushes() {
        assertThat(service.onImagePush(event("DELETE", "SUCCESS", "payments-api", "1.4.0"), "i").reason()).contains("DELETE SUCCESS");
        assertThat(service.onImagePush(event("PUSH", "FAILURE", "payments-api", "1.4.0"), "i").reason()).contains("PUSH FAILURE");
        assertThat(service.onImagePush(event("PUSH", "SUCCESS", "someone-else", "1.4.0"), "i").reason())
                .contains("'someone-else' belongs to no service");
        assertThat(service.onImagePush(event("PUSH", "SUCCESS", "payments-api", null), "i").reason()).contains("untagged");
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void failsClearlyWhenTheServiceIsMissingAndKeepsNoLease() {
        InMemoryEcsGateway empty = new InMemoryEcsGateway();
        DeployService withoutServices = new DeployService(config, empty, releases, controls, clock);

        assertThatThrownBy(() -> withoutServices.onImagePush(push("1.4.0", DIGEST), "inv-1"))
                .isInstanceOf(DeployService.DeployFailedException.class)
                .hasMessageContaining("payments-api/staging: ECS service staging/payments-api (111111111111, eu-west-1) not found");
        assertThat(releases.find(key(DIGEST)).orElseThrow().leaseUntil()).isBefore(clock.instant());
    }

    @Test
    void deploysTheOtherEnvironmentsWhenOneFails() {
        GantryConfig twoUngated = ConfigLoader.parse("""
                version: 1
                services:
                  - name: payments-api
                    repository: payments-api
                    tagPolicy: { glob: "*" }
                    environments:
                      - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: payments-api }
                      - { name: qa, account: "111111111111", region: eu-west-1, cluster: qa, service: payments-api }
                """, "gantry.yml");
        DeployService deploys = new DeployService(twoUngated, ecs, releases, controls, clock);

        assertThatThrownBy(() -> deploys.onImagePush(push("1.4.0", DIGEST), "inv-1"))
                .isInstanceOf(DeployService.DeployFailedException.class)
                .hasMessageContaining("payments-api/qa: ECS service qa/payments-api");
        assertThat(ecs.calls("UpdateService")).singleElement().satisfies(c -> assertThat(c.service()).isEqualTo(STAGING));
    }

    private static final String DIGEST_150 = "sha256:" + "15".repeat(32);
    private static final String DIGEST_160 = "sha256:" + "16".repeat(32);

    @Test
    void deploysOnPushOnlyWhereAutoDeployIsOnAndExplicitlyEverywhere() {
        GantryConfig manualProd = ConfigLoader.parse("""
                version: 1
                services:
                  - name: payments-api
                    repository: payments-api
                    tagPolicy: { glob: "*" }
                    environments:
                      - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: payments-api }
                      - { name: prod, account: "111111111111", region: eu-west-1, cluster: prod, service: payments-api, autoDeploy: false }
                """, "gantry.yml");
        DeployService deploys = new DeployService(manualProd, ecs, releases, controls, clock);

        DeployReport pushed = deploys.onImagePush(push("1.4.0", DIGEST), "inv-1");
        DeployReport promoted = deploys.deploy(new DeployRequest("payments-api", "prod",
                dev.gantry.core.image.ImageReference.parse(REGISTRY + "/payments-api@" + DIGEST), "1.4.0", "job-1", null), "inv-2");

        assertThat(outcome(pushed, "staging").result()).isEqualTo(Result.DEPLOYED);
        assertThat(outcome(pushed, "prod").result()).isEqualTo(Result.HELD);
        assertThat(outcome(pushed, "prod").reason()).contains("autoDeploy is off for prod");
        assertThat(outcome(promoted, "prod").result()).isEqualTo(Result.DEPLOYED);
        assertThat(ecs.calls("UpdateService")).extracting(InMemoryEcsGateway.Call::service).containsExactly(STAGING, PROD);
    }

    @Test
    void refusesAVetoedDigestSayingWhoVetoedItAndWhy() {
        controls.veto(new DeployControls.Veto("payments-api", "staging", new ImageDigest(DIGEST), "broke checkout", "U0EXAMPLE1",
                Instant.parse("2026-11-23T09:00:00Z")));

        DeployOutcome staging = outcome(service.onImagePush(push("1.4.0", DIGEST), "inv-1"), "staging");

        assertThat(staging.result()).isEqualTo(Result.REFUSED);
        assertThat(staging.reason()).contains("vetoed").contains("U0EXAMPLE1").contains("broke checkout");
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void holdsAPinnedEnvironmentUntilThePinExpires() {
        controls.pin(new DeployControls.Pin("payments-api", "staging", new ImageDigest(DIGEST_150), clock.instant().plusSeconds(3600),
                "incident 42", "U0EXAMPLE2", clock.instant()));

        DeployOutcome whilePinned = outcome(service.onImagePush(push("1.4.0", DIGEST), "inv-1"), "staging");
        clock.advance(Duration.ofHours(2));
        DeployOutcome afterExpiry = outcome(service.onImagePush(push("1.4.0", DIGEST), "inv-2"), "staging");

        assertThat(whilePinned.result()).isEqualTo(Result.HELD);
        assertThat(whilePinned.reason()).contains("pinned to " + new ImageDigest(DIGEST_150).shortForm()).contains("incident 42");
        assertThat(afterExpiry.result()).isEqualTo(Result.DEPLOYED);
    }

    @Test
    void deploysThePinnedDigestItself() {
        controls.pin(new DeployControls.Pin("payments-api", "staging", new ImageDigest(DIGEST), null, "hold", "U0EXAMPLE2", clock.instant()));

        assertThat(outcome(service.onImagePush(push("1.4.0", DIGEST), "inv-1"), "staging").result()).isEqualTo(Result.DEPLOYED);
    }

    @Test
    void neverDowngradesToALowerVersionArrivingLate() {
        service.onImagePush(push("1.6.0", DIGEST_160), "inv-1");

        DeployOutcome late = outcome(service.onImagePush(push("1.5.0", DIGEST_150), "inv-2"), "staging");

        assertThat(late.result()).isEqualTo(Result.SKIPPED);
        assertThat(late.reason()).contains("1.5.0 < 1.6.0").contains("never downgrades");
        assertThat(ecs.running(STAGING).containers().get(0).image()).endsWith(DIGEST_160);
    }

    @Test
    void movesUpToAHigherVersion() {
        service.onImagePush(push("1.5.0", DIGEST_150), "inv-1");

        DeployOutcome newer = outcome(service.onImagePush(push("1.6.0", DIGEST_160), "inv-2"), "staging");

        assertThat(newer.result()).isEqualTo(Result.DEPLOYED);
        assertThat(ecs.running(STAGING).containers().get(0).image()).endsWith(DIGEST_160);
    }

    @Test
    void ignoresAnOlderPushOfAMutableTagArrivingLate() {
        GantryConfig tracking = ConfigLoader.parse("""
                version: 1
                services:
                  - name: payments-api
                    repository: payments-api
                    tagPolicy: { track: latest }
                    environments:
                      - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: payments-api }
                """, "gantry.yml");
        DeployService deploys = new DeployService(tracking, ecs, releases, controls, clock);
        Instant first = Instant.parse("2026-11-23T09:00:00Z");
        deploys.onImagePush(pushAt("latest", DIGEST_160, first.plusSeconds(60)), "inv-1");

        DeployOutcome late = outcome(deploys.onImagePush(pushAt("latest", DIGEST_150, first), "inv-2"), "staging");

        assertThat(late.result()).isEqualTo(Result.SKIPPED);
        assertThat(late.reason()).contains("pushed before what staging runs");
        assertThat(ecs.running(STAGING).containers().get(0).image()).endsWith(DIGEST_160);
    }

    @Test
    void doesNotCountARolledBackReleaseAsRunning() {
        service.onImagePush(push("1.6.0", DIGEST_160), "inv-1");
        releases.recordRollout(key(DIGEST_160), dev.gantry.core.release.RolloutStatus.ROLLED_BACK, "circuit breaker", clock.instant());

        DeployOutcome fix = outcome(service.onImagePush(push("1.5.1", DIGEST_150), "inv-2"), "staging");

        assertThat(fix.result()).isEqualTo(Result.DEPLOYED);
    }

    @Test
    void waitsForAnotherReleaseOfTheEnvironmentThenDeploys() {
        releases.lockEnvironment("payments-api", "staging", "inv-other", clock.instant(), Duration.ofSeconds(5));
        DeployService patient = new DeployService(config, ecs, releases, controls, clock, DeployService.DEFAULT_LEASE, false, clock::advance);

        DeployOutcome staging = outcome(patient.onImagePush(push("1.4.0", DIGEST), "inv-1"), "staging");

        assertThat(staging.result()).isEqualTo(Result.DEPLOYED);
        assertThat(releases.lockEnvironment("payments-api", "staging", "inv-3", clock.instant(), Duration.ofSeconds(5)))
                .as("the lock is given back after the deploy").isTrue();
    }

    @Test
    void failsWhenTheEnvironmentStaysBusy() {
        releases.lockEnvironment("payments-api", "staging", "inv-other", clock.instant(), Duration.ofHours(1));
        DeployService patient = new DeployService(config, ecs, releases, controls, clock, DeployService.DEFAULT_LEASE, false, clock::advance);

        assertThatThrownBy(() -> patient.onImagePush(push("1.4.0", DIGEST), "inv-1"))
                .isInstanceOf(DeployService.DeployFailedException.class)
                .hasMessageContaining("payments-api/staging is being deployed by another release");
        assertThat(ecs.calls()).isEmpty();
    }

    private static ImagePush pushAt(String tag, String digest, Instant pushedAt) {
        return new ImagePush("event-" + digest.substring(7, 12), "111111111111", "eu-west-1", "payments-api", tag, digest, "PUSH",
                "SUCCESS", pushedAt);
    }

    private static ReleaseKey key(String digest) {
        return new ReleaseKey("payments-api", "staging", new ImageDigest(digest));
    }

    private static DeployOutcome outcome(DeployReport report, String environment) {
        return report.outcomes().stream().filter(o -> o.environment().equals(environment)).findFirst().orElseThrow();
    }

    private static ImagePush push(String tag, String digest) {
        return new ImagePush("event-" + tag, "111111111111", "eu-west-1", "payments-api", tag, digest, "PUSH", "SUCCESS",
                Instant.parse("2026-11-23T09:59:00Z"));
    }

    private static ImagePush event(String action, String result, String repository, String tag) {
        return new ImagePush("event-x", "111111111111", "eu-west-1", repository, tag, DIGEST, action, result,
                Instant.parse("2026-11-23T09:59:00Z"));
    }
}
