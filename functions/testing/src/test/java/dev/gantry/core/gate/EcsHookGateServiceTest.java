package dev.gantry.core.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.EcsHookGateService.HookAnswer;
import dev.gantry.core.gate.EcsHookGateService.HookStatus;
import dev.gantry.core.gate.ServiceRevisions.ContainerImage;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.InMemoryServiceRevisions;
import dev.gantry.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EcsHookGateServiceTest {

    private static final String REGISTRY = "111122223333.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String APP = "sha256:" + "a1".repeat(32);
    private static final String WORKER = "sha256:" + "b2".repeat(32);
    private static final String MIGRATIONS = "sha256:" + "c3".repeat(32);
    private static final String LOG_ROUTER = "sha256:" + "d4".repeat(32);
    private static final String WEB = "sha256:" + "e5".repeat(32);
    private static final String ENVOY = "sha256:" + "f6".repeat(32);
    private static final String PAYMENTS_PROD = "arn:aws:ecs:eu-west-1:111122223333:service/prod/payments-api";
    private static final String PAYMENTS_STAGING = "arn:aws:ecs:eu-west-1:111122223333:service/staging/payments-api";
    private static final String CHECKOUT_PROD = "arn:aws:ecs:eu-west-1:111122223333:service/prod/checkout-web";
    private static final String REVISION = "arn:aws:ecs:eu-west-1:111122223333:service-revision/prod/payments-api/4980306466373577095";
    private static final String CHECKOUT_REVISION = "arn:aws:ecs:eu-west-1:111122223333:service-revision/prod/checkout-web/1130000000000000001";
    private static final String STAGE = "PRE_SCALE_UP";

    /** payments-api's gated prod lists its containers; checkout-web's does not, so its repository decides. */
    private final GantryConfig config = ConfigLoader.parse("""
            version: 1
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                environments:
                  - { name: staging, account: "111122223333", region: eu-west-1, cluster: staging, service: payments-api }
                  - name: prod
                    account: "111122223333"
                    region: eu-west-1
                    cluster: prod
                    service: payments-api
                    containers: [app, worker]
                    gate: production
              - name: checkout-web
                repository: checkout-web
                tagPolicy: { glob: "release-*" }
                environments:
                  - { name: prod, account: "111122223333", region: eu-west-1, cluster: prod, service: checkout-web, gate: production }
            gates:
              - name: production
                approvals: { required: 1, users: [U0AAAA002] }
                custom:
                  - { name: change-ticket, url: "https://checks.example.com/change-ticket" }
            """, "gantry.yml");
    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryGateStore store = new InMemoryGateStore();
    private final InMemoryCustomChecks custom = new InMemoryCustomChecks();
    private final InMemoryServiceRevisions revisions = new InMemoryServiceRevisions();
    private final GateService gates = new GateService(config, store, new InMemoryReleaseStore(), new InMemoryAlarmStates(),
            new InMemoryChangeCalendars(), custom, ApproverGroups.none(), clock);
    private final EcsHookGateService hooks = new EcsHookGateService(config, gates, revisions, clock);

    @BeforeEach
    void givenARevisionOfPaymentsApi() {
        custom.givenPass("change-ticket", "CHG-1 approved");
        revisions.givenRevision(REVISION, PAYMENTS_PROD, List.of(
                new ContainerImage("app", REGISTRY + "/payments-api:1.4.0", APP),
                new ContainerImage("log-router", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4", LOG_ROUTER)));
    }

    @Test
    void failsAHookForAServiceGantryDoesNotKnow() {
        HookAnswer answer = hooks.answer("arn:aws:ecs:eu-west-1:111122223333:service/prod/inventory", REVISION, STAGE);

        assertThat(answer.status()).isEqualTo(HookStatus.FAILED);
        assertThat(answer.reason()).contains("is not in Gantry's configuration");
        assertThat(revisions.calls()).isZero();
    }

    @Test
    void succeedsAtOnceForAnEnvironmentWithoutAGate() {
        HookAnswer answer = hooks.answer(PAYMENTS_STAGING, REVISION, STAGE);

        assertThat(answer.status()).isEqualTo(HookStatus.SUCCEEDED);
        assertThat(answer.reason()).isEqualTo("payments-api/staging has no gate");
        assertThat(revisions.calls()).isZero();
        assertThat(custom.calls()).isZero();
    }

    @Test
    void asksAgainLaterWhileTheGateWaitsAndSucceedsOnceItPasses() {
        HookAnswer waiting = hooks.answer(PAYMENTS_PROD, REVISION, STAGE);
        clock.advance(Duration.ofMinutes(2));
        gates.decide(key("payments-api", APP), approve(APP));
        clock.advance(Duration.ofMinutes(1));

        HookAnswer passed = hooks.answer(PAYMENTS_PROD, REVISION, STAGE);

        assertThat(waiting.status()).isEqualTo(HookStatus.IN_PROGRESS);
        assertThat(waiting.reason()).isEqualTo("gate 'production' for payments-api/prod/a1a1a1a1a1a1: WAITING"
                + " (waiting for approvals: 0 of 1 approvals)");
        assertThat(passed.status()).isEqualTo(HookStatus.SUCCEEDED);
        assertThat(passed.callBackDelay()).isNull();
        GateRecord record = store.find(key("payments-api", APP)).orElseThrow();
        assertThat(record.origin()).isEqualTo(GateOrigin.ECS_HOOK);
        assertThat(record.image()).isEqualTo(REGISTRY + "/payments-api@" + APP);
    }

    @ParameterizedTest
    @CsvSource({
        "PT10S, PT30S",
        "PT2M,  PT2M",
        "PT1H,  PT5M",
    })
    void asksEcsToCallBackWhenTheGateLooksAgainWithinHalfAMinuteAndFiveMinutes(Duration retryAfter, Duration callBack) {
        custom.givenWait("change-ticket", "CHG-1 awaits the CAB", retryAfter);

        HookAnswer answer = hooks.answer(PAYMENTS_PROD, REVISION, STAGE);

        assertThat(answer.status()).isEqualTo(HookStatus.IN_PROGRESS);
        assertThat(answer.callBackDelay()).isEqualTo(callBack);
    }

    @Test
    void failsTheDeploymentWhenTheGateRefusesTheRelease() {
        custom.givenFail("change-ticket", "CHG-1 was rejected by the CAB");

        HookAnswer answer = hooks.answer(PAYMENTS_PROD, REVISION, STAGE);

        assertThat(answer.status()).isEqualTo(HookStatus.FAILED);
        assertThat(answer.reason()).isEqualTo("gate 'production' for payments-api/prod/a1a1a1a1a1a1: FAILED"
                + " (custom:change-ticket: CHG-1 was rejected by the CAB)");
    }

    @Test
    void asksAgainWhenTheRevisionCannotBeRead() {
        revisions.failWith("ECS DescribeServiceRevisions failed: connection reset");

        HookAnswer answer = hooks.answer(PAYMENTS_PROD, REVISION, STAGE);

        assertThat(answer.status()).isEqualTo(HookStatus.IN_PROGRESS);
        assertThat(answer.callBackDelay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(answer.reason()).isEqualTo("the revision being deployed could not be read:"
                + " ECS DescribeServiceRevisions failed: connection reset");
        assertThat(store.find(key("payments-api", APP))).isEmpty();
    }

    @Test
    void gatesOnlyTheContainersTheEnvironmentLists() {
        revisions.givenRevision(REVISION, PAYMENTS_PROD, List.of(
                new ContainerImage("app", REGISTRY + "/payments-api:1.4.0", APP),
                new ContainerImage("migrations", REGISTRY + "/payments-api:1.4.0-migrations", MIGRATIONS),
                new ContainerImage("log-router", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4", LOG_ROUTER)));

        hooks.answer(PAYMENTS_PROD, REVISION, STAGE);

        assertThat(store.find(key("payments-api", APP))).isPresent();
        assertThat(store.find(key("payments-api", MIGRATIONS))).as("from the repository, but not a listed container").isEmpty();
        assertThat(store.find(key("payments-api", LOG_ROUTER))).isEmpty();
    }

    @Test
    void gatesTheImagesOfTheServiceRepositoryWhenTheEnvironmentListsNoContainers() {
        revisions.givenRevision(CHECKOUT_REVISION, CHECKOUT_PROD, List.of(
                new ContainerImage("web", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/checkout-web:release-42", WEB),
                new ContainerImage("envoy", "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.3.0-prod", ENVOY)));

        HookAnswer answer = hooks.answer(CHECKOUT_PROD, CHECKOUT_REVISION, STAGE);

        assertThat(answer.reason()).contains("checkout-web/prod/e5e5e5e5e5e5").doesNotContain("f6f6f6f6f6f6");
        assertThat(store.find(key("checkout-web", WEB))).isPresent();
        assertThat(store.find(key("checkout-web", ENVOY))).isEmpty();
    }

    @Test
    void failsARevisionThatRunsNoImageOfTheService() {
        revisions.givenRevision(REVISION, PAYMENTS_PROD, List.of(
                new ContainerImage("log-router", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4", LOG_ROUTER)));

        HookAnswer answer = hooks.answer(PAYMENTS_PROD, REVISION, STAGE);

        assertThat(answer.status()).isEqualTo(HookStatus.FAILED);
        assertThat(answer.reason()).contains("runs no image of payments-api");
    }

    @Test
    void waitsUntilEveryDigestOfTheRevisionHasPassed() {
        revisions.givenRevision(REVISION, PAYMENTS_PROD, List.of(
                new ContainerImage("app", REGISTRY + "/payments-api:1.4.0", APP),
                new ContainerImage("worker", REGISTRY + "/payments-api:1.4.0-worker", WORKER)));
        HookAnswer bothWaiting = hooks.answer(PAYMENTS_PROD, REVISION, STAGE);
        clock.advance(Duration.ofMinutes(1));
        gates.decide(key("payments-api", APP), approve(APP));
        clock.advance(Duration.ofMinutes(1));

        HookAnswer oneWaiting = hooks.answer(PAYMENTS_PROD, REVISION, STAGE);
        gates.decide(key("payments-api", WORKER), approve(WORKER));
        clock.advance(Duration.ofMinutes(1));
        HookAnswer bothPassed = hooks.answer(PAYMENTS_PROD, REVISION, STAGE);

        assertThat(bothWaiting.status()).isEqualTo(HookStatus.IN_PROGRESS);
        assertThat(oneWaiting.status()).isEqualTo(HookStatus.IN_PROGRESS);
        assertThat(oneWaiting.reason()).contains("payments-api/prod/a1a1a1a1a1a1: PASSED", "payments-api/prod/b2b2b2b2b2b2: WAITING");
        assertThat(bothPassed.status()).isEqualTo(HookStatus.SUCCEEDED);
        assertThat(store.find(key("payments-api", APP)).orElseThrow().status()).isEqualTo(GateStatus.PASSED);
        assertThat(store.find(key("payments-api", WORKER)).orElseThrow().status()).isEqualTo(GateStatus.PASSED);
    }

    @Test
    void aNewRevisionSupersedesTheDigestsItNoLongerRuns() {
        hooks.answer(PAYMENTS_PROD, REVISION, STAGE);
        String next = "arn:aws:ecs:eu-west-1:111122223333:service-revision/prod/payments-api/4980306466373577096";
        revisions.givenRevision(next, PAYMENTS_PROD, List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.5.0", WORKER)));
        clock.advance(Duration.ofMinutes(5));

        HookAnswer newer = hooks.answer(PAYMENTS_PROD, next, STAGE);
        HookAnswer older = hooks.answer(PAYMENTS_PROD, REVISION, STAGE);

        assertThat(newer.status()).isEqualTo(HookStatus.IN_PROGRESS);
        assertThat(older.status()).isEqualTo(HookStatus.FAILED);
        assertThat(older.reason()).contains("SUPERSEDED (replaced at the gate by a newer digest, b2b2b2b2b2b2)");
    }

    private Approval approve(String digest) {
        return new Approval("U0AAAA002", clock.instant(), new ImageDigest(digest), Approval.Decision.APPROVE, null);
    }

    private static ReleaseKey key(String service, String digest) {
        return new ReleaseKey(service, "prod", new ImageDigest(digest));
    }
}
