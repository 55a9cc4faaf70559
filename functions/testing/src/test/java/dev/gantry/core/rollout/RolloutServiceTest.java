package dev.gantry.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.core.rollout.DeploymentStateChange.Kind;
import dev.gantry.core.rollout.EcsDeploymentState.RolloutState;
import dev.gantry.core.rollout.EcsDeploymentState.Status;
import dev.gantry.core.rollout.RolloutOutcome.Result;
import dev.gantry.core.rollout.TaskStateChange.ContainerExit;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsDeployments;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RolloutServiceTest {

    private static final EcsServiceRef STAGING = new EcsServiceRef("111111111111", "eu-west-1", "staging", "payments-api");
    private static final EcsServiceRef PROD = new EcsServiceRef("111111111111", "eu-west-1", "prod", "payments-api");
    private static final String TD = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:";
    private static final String OLD = TD + "41";
    private static final String NEW = TD + "42";
    private static final String NEWER = TD + "43";
    private static final ImageDigest DIGEST = new ImageDigest("sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd");
    private static final ImageDigest NEXT_DIGEST = new ImageDigest("sha256:" + "ab".repeat(32));
    private static final String BREAKER_FAILED = "ECS deployment circuit breaker: task failed to start.";
    private static final String BREAKER_ROLLING_BACK = "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.";

    private final InMemoryEcsDeployments ecs = new InMemoryEcsDeployments();
    private final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    private final InMemoryDeployControls controls = new InMemoryDeployControls();
    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final RolloutService rollouts = new RolloutService(Fixtures.exampleConfig(), ecs, releases, controls, clock);

    @Test
    void followsARolloutFromPendingThroughInProgressToCompleted() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/2", NEW, RolloutState.IN_PROGRESS, null), active("ecs-svc/1", OLD, RolloutState.COMPLETED, null));

        RolloutReport started = rollouts.onDeploymentStateChange(event(STAGING, Kind.IN_PROGRESS, "ecs-svc/2", "ECS deployment ecs-svc/2 in progress."));

        assertThat(started.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.result()).isEqualTo(Result.RECORDED);
            assertThat(o.release()).isEqualTo("payments-api/staging/07348c117739");
            assertThat(o.status()).isEqualTo(RolloutStatus.IN_PROGRESS);
        });
        assertThat(rolloutOf(release)).isEqualTo(RolloutStatus.IN_PROGRESS);

        ecs.given(STAGING, primary("ecs-svc/2", NEW, RolloutState.COMPLETED, null));
        clock.advance(Duration.ofMinutes(4));
        RolloutReport completed = rollouts.onDeploymentStateChange(event(STAGING, Kind.COMPLETED, "ecs-svc/2", "ECS deployment ecs-svc/2 completed."));

        Release after = releases.find(release).orElseThrow();
        assertThat(completed.outcomes().get(0).result()).isEqualTo(Result.RECORDED);
        assertThat(after.rolloutStatus()).isEqualTo(RolloutStatus.COMPLETED);
        assertThat(after.rolloutReason()).isEqualTo("ECS deployment ecs-svc/2 completed.");
        assertThat(after.updatedAt()).isEqualTo(clock.instant());
        assertThat(controls.vetoOf("payments-api", "staging", DIGEST)).isEmpty();
    }

    @Test
    void recordsAFailureWithoutRollbackAndVetoesNothing() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED), active("ecs-svc/1", OLD, RolloutState.COMPLETED, null));

        RolloutReport report = rollouts.onDeploymentStateChange(event(STAGING, Kind.FAILED, "ecs-svc/2", BREAKER_FAILED));

        assertThat(report.outcomes().get(0).vetoed()).isFalse();
        assertThat(rolloutOf(release)).isEqualTo(RolloutStatus.FAILED);
        assertThat(releases.find(release).orElseThrow().rolloutReason()).isEqualTo(BREAKER_FAILED);
        assertThat(controls.vetoOf("payments-api", "staging", DIGEST)).isEmpty();
    }

    @Test
    void recordsARollbackAndVetoesTheDigestInThatEnvironment() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/3", OLD, RolloutState.IN_PROGRESS, BREAKER_ROLLING_BACK),
                active("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED));

        RolloutReport report = rollouts.onDeploymentStateChange(event(STAGING, Kind.FAILED, "ecs-svc/2", BREAKER_FAILED));

        RolloutOutcome outcome = report.outcomes().get(0);
        assertThat(outcome.status()).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(outcome.vetoed()).isTrue();
        assertThat(releases.find(release).orElseThrow().rolloutReason())
                .isEqualTo(BREAKER_FAILED + "; ECS rolled the service back to " + OLD);
        Veto veto = controls.vetoOf("payments-api", "staging", DIGEST).orElseThrow();
        assertThat(veto.by()).isEqualTo(RolloutService.ROLLBACK_VETO_BY);
        assertThat(veto.at()).isEqualTo(clock.instant());
        assertThat(veto.reason()).startsWith("ECS rolled back deployment ecs-svc/2: " + BREAKER_FAILED);
        assertThat(controls.vetoOf("payments-api", "prod", DIGEST)).isEmpty();
    }

    @Test
    void reportsARollbackWithoutRecordingOrVetoingInADryRun() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/3", OLD, RolloutState.IN_PROGRESS, BREAKER_ROLLING_BACK),
                active("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED));

        RolloutReport report = rollouts.dryRun().onDeploymentStateChange(event(STAGING, Kind.FAILED, "ecs-svc/2", BREAKER_FAILED));

        RolloutOutcome outcome = report.outcomes().get(0);
        assertThat(outcome.result()).isEqualTo(RolloutOutcome.Result.PLANNED);
        assertThat(outcome.reason()).startsWith("dry run: would record ROLLED_BACK and veto the digest");
        assertThat(releases.find(release).orElseThrow().rolloutStatus()).isEqualTo(RolloutStatus.PENDING);
        assertThat(controls.vetoOf("payments-api", "staging", DIGEST)).isEmpty();
    }

    @Test
    void vetoesADigestThatADeploymentAlarmRolledBack() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/3", OLD, RolloutState.IN_PROGRESS, null), active("ecs-svc/2", NEW, RolloutState.FAILED, null));

        rollouts.onDeploymentStateChange(event(STAGING, Kind.FAILED, "ecs-svc/2", "CloudWatch alarm payments-api-5xx went into ALARM."));

        assertThat(rolloutOf(release)).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(controls.vetoOf("payments-api", "staging", DIGEST)).isPresent();
    }

    @Test
    void vetoesBeforeRecordingSoARetryAfterAFailedWriteStillEndsVetoed() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/3", OLD, RolloutState.IN_PROGRESS, BREAKER_ROLLING_BACK),
                active("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED));
        RolloutService flaky = new RolloutService(Fixtures.exampleConfig(), ecs, failingFirstRolloutWrite(releases), controls, clock);
        DeploymentStateChange failed = event(STAGING, Kind.FAILED, "ecs-svc/2", BREAKER_FAILED);

        assertThatThrownBy(() -> flaky.onDeploymentStateChange(failed)).isInstanceOf(ReleaseStore.ReleaseStoreException.class);
        assertThat(controls.vetoOf("payments-api", "staging", DIGEST)).isPresent();
        assertThat(rolloutOf(release)).isEqualTo(RolloutStatus.PENDING);

        RolloutReport retry = flaky.onDeploymentStateChange(failed);

        assertThat(retry.outcomes().get(0).result()).isEqualTo(Result.RECORDED);
        assertThat(rolloutOf(release)).isEqualTo(RolloutStatus.ROLLED_BACK);
    }

    @Test
    void turnsARecordedFailureIntoARollbackWhenTheRollbackShowsUpLater() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED));
        rollouts.onDeploymentStateChange(event(STAGING, Kind.FAILED, "ecs-svc/2", BREAKER_FAILED));
        assertThat(rolloutOf(release)).isEqualTo(RolloutStatus.FAILED);

        ecs.given(STAGING, primary("ecs-svc/3", OLD, RolloutState.IN_PROGRESS, BREAKER_ROLLING_BACK),
                active("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED));
        RolloutReport report = rollouts.onDeploymentStateChange(event(STAGING, Kind.IN_PROGRESS, "ecs-svc/3", BREAKER_ROLLING_BACK));

        assertThat(report.outcomes()).extracting(RolloutOutcome::deploymentId, RolloutOutcome::result)
                .containsExactly(tuple("ecs-svc/3", Result.IGNORED), tuple("ecs-svc/2", Result.RECORDED));
        assertThat(rolloutOf(release)).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(controls.vetoOf("payments-api", "staging", DIGEST)).isPresent();
    }

    @Test
    void keepsACompletedRolloutWhenAnInProgressEventArrivesLate() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/2", NEW, RolloutState.COMPLETED, null));
        rollouts.onDeploymentStateChange(event(STAGING, Kind.COMPLETED, "ecs-svc/2", "ECS deployment ecs-svc/2 completed."));
        // DescribeServices is eventually consistent: it may still show the rollout under way.
        ecs.given(STAGING, primary("ecs-svc/2", NEW, RolloutState.IN_PROGRESS, null), active("ecs-svc/1", OLD, RolloutState.COMPLETED, null));

        RolloutReport late = rollouts.onDeploymentStateChange(event(STAGING, Kind.IN_PROGRESS, "ecs-svc/2", "ECS deployment ecs-svc/2 in progress."));

        assertThat(late.outcomes().get(0).result()).isEqualTo(Result.UNCHANGED);
        assertThat(late.outcomes().get(0).reason()).contains("already recorded COMPLETED");
        assertThat(rolloutOf(release)).isEqualTo(RolloutStatus.COMPLETED);
        assertThat(releases.find(release).orElseThrow().rolloutReason()).isEqualTo("ECS deployment ecs-svc/2 completed.");
    }

    @Test
    void writesNothingForADuplicateEvent() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/2", NEW, RolloutState.COMPLETED, null));
        DeploymentStateChange completed = event(STAGING, Kind.COMPLETED, "ecs-svc/2", "ECS deployment ecs-svc/2 completed.");
        rollouts.onDeploymentStateChange(completed);
        Instant recordedAt = releases.find(release).orElseThrow().updatedAt();
        clock.advance(Duration.ofMinutes(1));

        RolloutReport again = rollouts.onDeploymentStateChange(completed);

        assertThat(again.outcomes().get(0).result()).isEqualTo(Result.UNCHANGED);
        assertThat(releases.find(release).orElseThrow().updatedAt()).isEqualTo(recordedAt);
    }

    @Test
    void recordsARollbackOnceWhenAnotherCopyOfTheEventRecordsItFirst() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/3", OLD, RolloutState.IN_PROGRESS, BREAKER_ROLLING_BACK),
                active("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED));
        DeploymentStateChange failed = event(STAGING, Kind.FAILED, "ecs-svc/2", BREAKER_FAILED);
        RolloutService racing = new RolloutService(Fixtures.exampleConfig(), ecs,
                otherCopyRecordsFirst(releases, () -> rollouts.onDeploymentStateChange(failed)), controls, clock);

        RolloutReport report = racing.onDeploymentStateChange(failed);

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.result()).isEqualTo(Result.UNCHANGED);
            assertThat(o.status()).isEqualTo(RolloutStatus.ROLLED_BACK);
            assertThat(o.vetoed()).isFalse();
        });
        assertThat(rolloutOf(release)).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(controls.vetoOf("payments-api", "staging", DIGEST)).isPresent();
    }

    @Test
    void leavesALiftedVetoLiftedWhenTheRollbackEventComesAgain() {
        givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/3", OLD, RolloutState.IN_PROGRESS, BREAKER_ROLLING_BACK),
                active("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED));
        DeploymentStateChange failed = event(STAGING, Kind.FAILED, "ecs-svc/2", BREAKER_FAILED);
        rollouts.onDeploymentStateChange(failed);
        controls.liftVeto("payments-api", "staging", DIGEST);

        RolloutReport again = rollouts.onDeploymentStateChange(failed);

        assertThat(again.outcomes().get(0).result()).isEqualTo(Result.UNCHANGED);
        assertThat(controls.vetoOf("payments-api", "staging", DIGEST)).isEmpty();
    }

    @Test
    void ignoresAServiceGantryDoesNotManageWithoutAskingEcs() {
        EcsServiceRef elsewhere = new EcsServiceRef("111122223333", "us-west-2", "default", "servicetest");

        RolloutReport report = rollouts.onDeploymentStateChange(event(elsewhere, Kind.COMPLETED, "ecs-svc/123", "completed"));

        assertThat(report.ignored()).isTrue();
        assertThat(report.reason()).contains("default/servicetest").contains("not a service environment in the configuration");
        assertThat(ecs.asked()).isEmpty();
    }

    @Test
    void ignoresADeploymentEcsNoLongerLists() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/3", NEWER, RolloutState.COMPLETED, null));

        RolloutReport report = rollouts.onDeploymentStateChange(event(STAGING, Kind.COMPLETED, "ecs-svc/2", "completed"));

        assertThat(report.ignored()).isTrue();
        assertThat(report.reason()).contains("no longer lists deployment ecs-svc/2");
        assertThat(rolloutOf(release)).isEqualTo(RolloutStatus.PENDING);
    }

    @Test
    void ignoresADeploymentGantryDidNotMake() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(STAGING, primary("ecs-svc/9", TD + "99", RolloutState.COMPLETED, null));

        RolloutReport report = rollouts.onDeploymentStateChange(event(STAGING, Kind.COMPLETED, "ecs-svc/9", "completed"));

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.result()).isEqualTo(Result.IGNORED);
            assertThat(o.reason()).contains(TD + "99").contains("which no Gantry release of payments-api/staging registered");
        });
        assertThat(rolloutOf(release)).isEqualTo(RolloutStatus.PENDING);
    }

    @Test
    void settlesTheOlderReleaseAndLeavesTheNewerAloneWhenAnOlderDeploymentCompletes() {
        ReleaseKey older = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ReleaseKey newer = givenDeployed(STAGING, NEXT_DIGEST, NEW, NEWER);
        ecs.given(STAGING, primary("ecs-svc/3", NEWER, RolloutState.IN_PROGRESS, null), active("ecs-svc/2", NEW, RolloutState.COMPLETED, null));

        rollouts.onDeploymentStateChange(event(STAGING, Kind.COMPLETED, "ecs-svc/2", "ECS deployment ecs-svc/2 completed."));

        assertThat(rolloutOf(older)).isEqualTo(RolloutStatus.COMPLETED);
        assertThat(rolloutOf(newer)).isEqualTo(RolloutStatus.PENDING);
    }

    @Test
    void matchesTheReleaseThatMovedTheServiceNotOneThatFoundItAlreadyThere() {
        ReleaseKey moved = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ReleaseKey unchanged = givenDeployed(STAGING, NEXT_DIGEST, NEW, NEW);
        ecs.given(STAGING, primary("ecs-svc/2", NEW, RolloutState.COMPLETED, null));

        rollouts.onDeploymentStateChange(event(STAGING, Kind.COMPLETED, "ecs-svc/2", "completed"));

        assertThat(rolloutOf(moved)).isEqualTo(RolloutStatus.COMPLETED);
        assertThat(rolloutOf(unchanged)).isEqualTo(RolloutStatus.PENDING);
    }

    @Test
    void looksOnlyAtTheReleasesOfTheEnvironmentTheEventIsAbout() {
        ReleaseKey staging = givenDeployed(STAGING, DIGEST, OLD, NEW);
        ecs.given(PROD, primary("ecs-svc/5", NEW, RolloutState.COMPLETED, null));

        RolloutReport report = rollouts.onDeploymentStateChange(event(PROD, Kind.COMPLETED, "ecs-svc/5", "completed"));

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.environment()).isEqualTo("prod");
            assertThat(o.result()).isEqualTo(Result.IGNORED);
        });
        assertThat(rolloutOf(staging)).isEqualTo(RolloutStatus.PENDING);
        assertThat(ecs.asked()).extracting(EcsServiceRef::cluster).containsExactly("prod");
    }

    @Test
    void failsForARetryWhileTheDeployHasNotRecordedItsServiceUpdate() {
        ReleaseKey key = new ReleaseKey("payments-api", "staging", DIGEST);
        releases.claim(Release.proposed(key, "1.4.0", "img", "push-1", "inv-1", clock.instant().plusSeconds(90), clock.instant()),
                clock.instant(), Duration.ofSeconds(90));
        releases.recordRegistered(key, "inv-1", OLD, NEW, List.of(), clock.instant());
        ecs.given(STAGING, primary("ecs-svc/2", NEW, RolloutState.IN_PROGRESS, null));
        DeploymentStateChange started = event(STAGING, Kind.IN_PROGRESS, "ecs-svc/2", "in progress");

        assertThatThrownBy(() -> rollouts.onDeploymentStateChange(started))
                .isInstanceOf(RolloutService.ReleaseNotReadyException.class)
                .hasMessageContaining("payments-api/staging/07348c117739").hasMessageContaining("ecs-svc/2");

        releases.recordServiceUpdated(key, "inv-1", clock.instant());
        rollouts.onDeploymentStateChange(started);
        assertThat(rolloutOf(key)).isEqualTo(RolloutStatus.IN_PROGRESS);
    }

    @Test
    void addsWhyATaskStoppedToARolloutUnderWayKeepingItsStatus() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        releases.recordRollout(release, RolloutStatus.IN_PROGRESS, "ECS deployment ecs-svc/2 in progress.", clock.instant());
        clock.advance(Duration.ofSeconds(30));

        RolloutReport report = rollouts.onTaskStateChange(stopped(STAGING, NEW, "Essential container in task exited", 1));

        Release after = releases.find(release).orElseThrow();
        assertThat(report.outcomes().get(0).result()).isEqualTo(Result.RECORDED);
        assertThat(after.rolloutStatus()).isEqualTo(RolloutStatus.IN_PROGRESS);
        assertThat(after.rolloutReason()).isEqualTo("task 0f1e2d3c stopped (EssentialContainerExited): Essential container in task exited; app exited 1");
        assertThat(after.updatedAt()).isEqualTo(clock.instant());
    }

    @Test
    void keepsOnlyTheLatestStoppedTasksReasonOnAPendingRollout() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);

        rollouts.onTaskStateChange(stopped(STAGING, NEW, "Essential container in task exited", 1));
        rollouts.onTaskStateChange(stopped(STAGING, NEW, "Task failed ELB health checks", 143));

        Release after = releases.find(release).orElseThrow();
        assertThat(after.rolloutStatus()).isEqualTo(RolloutStatus.PENDING);
        assertThat(after.rolloutReason()).contains("Task failed ELB health checks").contains("app exited 143").doesNotContain("Essential container in task exited");
    }

    @Test
    void leavesAnEndedRolloutAloneWhenItsTasksStopLater() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        releases.recordRollout(release, RolloutStatus.COMPLETED, "ECS deployment ecs-svc/2 completed.", clock.instant());

        RolloutReport report = rollouts.onTaskStateChange(stopped(STAGING, NEW, "Scaling activity initiated by (deployment ecs-svc/3)", 0));

        assertThat(report.outcomes().get(0).result()).isEqualTo(Result.UNCHANGED);
        assertThat(releases.find(release).orElseThrow().rolloutReason()).isEqualTo("ECS deployment ecs-svc/2 completed.");
    }

    @Test
    void ignoresTasksThatNoServiceStartedOrThatAreStillRunning() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        TaskStateChange standalone = new TaskStateChange("event-t1", null, "arn:aws:ecs:eu-west-1:111111111111:task/staging/1a2b", NEW,
                "STOPPED", "EssentialContainerExited", "Essential container in task exited", List.of(), clock.instant());
        TaskStateChange running = new TaskStateChange("event-t2", STAGING, "arn:aws:ecs:eu-west-1:111111111111:task/staging/3c4d", NEW,
                "RUNNING", null, null, List.of(), clock.instant());

        assertThat(rollouts.onTaskStateChange(standalone).reason()).contains("not started by an ECS service");
        assertThat(rollouts.onTaskStateChange(running).reason()).contains("is RUNNING");
        assertThat(releases.find(release).orElseThrow().rolloutReason()).isNull();
    }

    @Test
    void ignoresAStoppedTaskOfARevisionOrServiceGantryDoesNotManage() {
        ReleaseKey release = givenDeployed(STAGING, DIGEST, OLD, NEW);
        EcsServiceRef elsewhere = new EcsServiceRef("111111111111", "eu-west-1", "staging", "someone-else");

        RolloutReport otherRevision = rollouts.onTaskStateChange(stopped(STAGING, TD + "7", "Essential container in task exited", 1));
        RolloutReport otherService = rollouts.onTaskStateChange(stopped(elsewhere, NEW, "Essential container in task exited", 1));

        assertThat(otherRevision.outcomes().get(0).result()).isEqualTo(Result.IGNORED);
        assertThat(otherService.ignored()).isTrue();
        assertThat(releases.find(release).orElseThrow().rolloutReason()).isNull();
    }

    /**
     * {@code store}, except that its first rollout write fails as an unreachable table would. A proxy, so
     * that it keeps delegating whatever the port gains.
     */
    private static ReleaseStore failingFirstRolloutWrite(ReleaseStore store) {
        AtomicBoolean failed = new AtomicBoolean();
        return (ReleaseStore) Proxy.newProxyInstance(ReleaseStore.class.getClassLoader(), new Class<?>[] {ReleaseStore.class},
                (proxy, method, arguments) -> {
                    if (method.getName().equals("recordRollout") && failed.compareAndSet(false, true)) {
                        throw new ReleaseStore.ReleaseStoreException("the table could not be reached", null);
                    }
                    try {
                        return method.invoke(store, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * {@code store}, except that just before its first rollout write another copy of the event runs to its end: the
     * two copies read the same history, and the other records first.
     */
    private static ReleaseStore otherCopyRecordsFirst(ReleaseStore store, Runnable otherCopy) {
        AtomicBoolean raced = new AtomicBoolean();
        return (ReleaseStore) Proxy.newProxyInstance(ReleaseStore.class.getClassLoader(), new Class<?>[] {ReleaseStore.class},
                (proxy, method, arguments) -> {
                    if (method.getName().equals("recordRollout") && raced.compareAndSet(false, true)) {
                        otherCopy.run();
                    }
                    try {
                        return method.invoke(store, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private ReleaseKey givenDeployed(EcsServiceRef where, ImageDigest digest, String from, String to) {
        String environment = where.cluster();
        ReleaseKey key = new ReleaseKey("payments-api", environment, digest);
        String owner = "inv-" + digest.shortForm();
        releases.claim(Release.proposed(key, "1.4.0", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api@" + digest, "push-1",
                owner, clock.instant().plusSeconds(90), clock.instant()), clock.instant(), Duration.ofSeconds(90));
        releases.recordRegistered(key, owner, from, to, List.of(), clock.instant());
        releases.recordServiceUpdated(key, owner, clock.instant());
        clock.advance(Duration.ofMinutes(1));
        return key;
    }

    private RolloutStatus rolloutOf(ReleaseKey key) {
        return releases.find(key).orElseThrow().rolloutStatus();
    }

    private DeploymentStateChange event(EcsServiceRef service, Kind kind, String deploymentId, String reason) {
        return new DeploymentStateChange("event-" + kind + "-" + deploymentId, service, kind, deploymentId, reason, clock.instant());
    }

    private TaskStateChange stopped(EcsServiceRef service, String taskDefinitionArn, String reason, int exitCode) {
        return new TaskStateChange("event-stop", service, "arn:aws:ecs:eu-west-1:111111111111:task/staging/0f1e2d3c", taskDefinitionArn,
                "STOPPED", "EssentialContainerExited", reason, List.of(new ContainerExit("app", exitCode, null)), clock.instant());
    }

    private static EcsDeploymentState primary(String id, String td, RolloutState state, String reason) {
        return new EcsDeploymentState(id, Status.PRIMARY, td, state, reason, 2, 0, 2, 0, null, null);
    }

    private static EcsDeploymentState active(String id, String td, RolloutState state, String reason) {
        return new EcsDeploymentState(id, Status.ACTIVE, td, state, reason, 2, 0, 2, 0, null, null);
    }
}
