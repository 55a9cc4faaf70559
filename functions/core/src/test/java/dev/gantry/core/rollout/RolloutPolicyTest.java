package dev.gantry.core.rollout;

import static dev.gantry.core.release.RolloutStatus.COMPLETED;
import static dev.gantry.core.release.RolloutStatus.FAILED;
import static dev.gantry.core.release.RolloutStatus.IN_PROGRESS;
import static dev.gantry.core.release.RolloutStatus.PENDING;
import static dev.gantry.core.release.RolloutStatus.ROLLED_BACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.core.rollout.DeploymentStateChange.Kind;
import dev.gantry.core.rollout.EcsDeploymentState.RolloutState;
import dev.gantry.core.rollout.EcsDeploymentState.Status;
import dev.gantry.core.rollout.RolloutPolicy.Assessment;
import dev.gantry.core.rollout.TaskStateChange.ContainerExit;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RolloutPolicyTest {

    private static final EcsServiceRef STAGING = new EcsServiceRef("111111111111", "eu-west-1", "staging", "payments-api");
    private static final String TD = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:";
    /** What the service ran before the release. */
    private static final String OLD = TD + "41";
    /** The release's revision. */
    private static final String NEW = TD + "42";
    /** A later release's revision. */
    private static final String NEWER = TD + "43";
    private static final String BREAKER_FAILED = "ECS deployment circuit breaker: task failed to start.";
    private static final String BREAKER_ROLLING_BACK = "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.";

    static Stream<Arguments> rollouts() {
        return Stream.of(
                row("in progress: the new deployment is starting its tasks",
                        List.of(primary("ecs-svc/2", NEW, RolloutState.IN_PROGRESS, null, 2, 1, 1, 0), active("ecs-svc/1", OLD, RolloutState.COMPLETED, null)),
                        event(Kind.IN_PROGRESS, "ecs-svc/2", "ECS deployment ecs-svc/2 in progress."),
                        IN_PROGRESS, "ECS deployment ecs-svc/2 in progress."),
                row("completed with all tasks running",
                        List.of(primary("ecs-svc/2", NEW, RolloutState.COMPLETED, null, 2, 0, 2, 0)),
                        event(Kind.COMPLETED, "ecs-svc/2", "ECS deployment ecs-svc/2 completed."),
                        COMPLETED, "ECS deployment ecs-svc/2 completed."),
                row("an in-progress event arriving after ECS completed the deployment reads as completed",
                        List.of(primary("ecs-svc/2", NEW, RolloutState.COMPLETED, "ECS deployment ecs-svc/2 completed.", 2, 0, 2, 0)),
                        event(Kind.IN_PROGRESS, "ecs-svc/2", "ECS deployment ecs-svc/2 in progress."),
                        COMPLETED, "ECS deployment ecs-svc/2 completed."),
                row("failed without rollback: the failed deployment stays primary",
                        List.of(primary("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED, 2, 0, 0, 3), active("ecs-svc/1", OLD, RolloutState.COMPLETED, null)),
                        event(Kind.FAILED, "ecs-svc/2", BREAKER_FAILED),
                        FAILED, BREAKER_FAILED + " (3 tasks failed)"),
                row("circuit breaker failed it and ECS rolled back to the previous revision",
                        List.of(primary("ecs-svc/3", OLD, RolloutState.IN_PROGRESS, BREAKER_ROLLING_BACK, 2, 1, 1, 0),
                                active("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED)),
                        event(Kind.FAILED, "ecs-svc/2", BREAKER_FAILED),
                        ROLLED_BACK, BREAKER_FAILED + "; ECS rolled the service back to " + OLD),
                row("circuit breaker rolled back to an older completed revision than the previous one",
                        List.of(primary("ecs-svc/3", TD + "40", RolloutState.IN_PROGRESS, BREAKER_ROLLING_BACK, 2, 1, 1, 0),
                                active("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED)),
                        event(Kind.FAILED, "ecs-svc/2", BREAKER_FAILED),
                        ROLLED_BACK, BREAKER_FAILED + "; ECS rolled the service back to " + TD + "40"),
                row("a CloudWatch alarm failed it and ECS rolled back: recognised by the revision it returned to",
                        List.of(primary("ecs-svc/3", OLD, RolloutState.IN_PROGRESS, null, 2, 0, 2, 0),
                                active("ecs-svc/2", NEW, RolloutState.FAILED, null)),
                        event(Kind.FAILED, "ecs-svc/2", "CloudWatch alarm payments-api-5xx went into ALARM during the deployment."),
                        ROLLED_BACK, "CloudWatch alarm payments-api-5xx went into ALARM during the deployment.; ECS rolled the service back to " + OLD),
                row("failed, then replaced by a newer deployment that is no rollback",
                        List.of(primary("ecs-svc/3", NEWER, RolloutState.IN_PROGRESS, null, 2, 2, 0, 0),
                                active("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED)),
                        event(Kind.FAILED, "ecs-svc/2", BREAKER_FAILED),
                        FAILED, BREAKER_FAILED),
                row("a failure without any reason from ECS still says which deployment failed",
                        List.of(primary("ecs-svc/2", NEW, RolloutState.FAILED, null, 2, 0, 0, 1)),
                        event(Kind.FAILED, "ecs-svc/2", null),
                        FAILED, "ECS failed deployment ecs-svc/2 (1 task failed)"),
                row("completed event for an older deployment while a newer one is primary",
                        List.of(primary("ecs-svc/3", NEWER, RolloutState.IN_PROGRESS, null, 2, 2, 0, 0),
                                active("ecs-svc/2", NEW, RolloutState.COMPLETED, null)),
                        event(Kind.COMPLETED, "ecs-svc/2", "ECS deployment ecs-svc/2 completed."),
                        COMPLETED, "ECS deployment ecs-svc/2 completed."),
                row("a state that fails even though the event says completed is read as failed",
                        List.of(primary("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED, 2, 0, 0, 0)),
                        event(Kind.COMPLETED, "ecs-svc/2", "ECS deployment ecs-svc/2 completed."),
                        FAILED, BREAKER_FAILED),
                row("no rollout state: every desired task runs and the old deployment is gone",
                        List.of(primary("ecs-svc/2", NEW, null, null, 2, 0, 2, 0)),
                        event(Kind.IN_PROGRESS, "ecs-svc/2", null),
                        COMPLETED, "deployment ecs-svc/2 runs 2 of 2 tasks (0 pending)"),
                row("no rollout state: the old deployment still runs tasks",
                        List.of(primary("ecs-svc/2", NEW, null, null, 2, 0, 2, 0), active("ecs-svc/1", OLD, null, null)),
                        event(Kind.IN_PROGRESS, "ecs-svc/2", null),
                        IN_PROGRESS, "deployment ecs-svc/2 runs 2 of 2 tasks (0 pending)"),
                row("no rollout state: tasks are still starting",
                        List.of(primary("ecs-svc/2", NEW, null, null, 2, 1, 1, 0)),
                        event(Kind.IN_PROGRESS, "ecs-svc/2", "ECS deployment ecs-svc/2 in progress."),
                        IN_PROGRESS, "ECS deployment ecs-svc/2 in progress."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rollouts")
    void assessesTheDeploymentTheEventNames(String situation, List<EcsDeploymentState> deployments, DeploymentStateChange event,
            RolloutStatus expected, String expectedReason) {
        EcsDeploymentState named = deployments.stream().filter(d -> d.id().equals(event.deploymentId())).findFirst().orElseThrow();

        Assessment assessment = RolloutPolicy.assess(named, event, deployments, OLD);

        assertThat(assessment.status()).isEqualTo(expected);
        assertThat(assessment.reason()).isEqualTo(expectedReason);
    }

    @Test
    void letsTheRollbacksOwnEventSettleTheDeploymentItReplaced() {
        EcsDeploymentState failed = active("ecs-svc/2", NEW, RolloutState.FAILED, BREAKER_FAILED);
        List<EcsDeploymentState> deployments = List.of(primary("ecs-svc/3", OLD, RolloutState.IN_PROGRESS, BREAKER_ROLLING_BACK, 2, 1, 1, 0), failed);

        Assessment assessment = RolloutPolicy.assess(failed, event(Kind.IN_PROGRESS, "ecs-svc/3", BREAKER_ROLLING_BACK), deployments, OLD);

        assertThat(assessment.status()).isEqualTo(ROLLED_BACK);
        assertThat(assessment.reason()).startsWith(BREAKER_FAILED);
    }

    @Test
    void neverLetsAnEventAboutAnotherDeploymentSettleThePrimary() {
        EcsDeploymentState newer = primary("ecs-svc/3", NEWER, RolloutState.IN_PROGRESS, null, 2, 2, 0, 0);
        List<EcsDeploymentState> deployments = List.of(newer, active("ecs-svc/2", NEW, RolloutState.COMPLETED, null));

        Assessment assessment = RolloutPolicy.assess(newer, event(Kind.COMPLETED, "ecs-svc/2", "ECS deployment ecs-svc/2 completed."), deployments, NEW);

        assertThat(assessment.status()).isEqualTo(IN_PROGRESS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doneOrNot")
    void tellsWhetherARolloutIsDone(String situation, EcsDeploymentState deployment, List<EcsDeploymentState> all, boolean done) {
        assertThat(RolloutPolicy.isDone(deployment, all)).isEqualTo(done);
    }

    static Stream<Arguments> doneOrNot() {
        EcsDeploymentState settled = primary("ecs-svc/2", NEW, null, null, 2, 0, 2, 0);
        return Stream.of(
                Arguments.of("rollout state COMPLETED", primary("ecs-svc/2", NEW, RolloutState.COMPLETED, null, 2, 0, 2, 0), List.of(), true),
                Arguments.of("rollout state FAILED", primary("ecs-svc/2", NEW, RolloutState.FAILED, null, 2, 0, 0, 2), List.of(), true),
                Arguments.of("rollout state IN_PROGRESS, even with every task running",
                        primary("ecs-svc/2", NEW, RolloutState.IN_PROGRESS, null, 2, 0, 2, 0), List.of(), false),
                Arguments.of("no rollout state, settled", settled, List.of(settled), true),
                Arguments.of("no rollout state, a task pending", primary("ecs-svc/2", NEW, null, null, 2, 1, 2, 0), List.of(), false),
                Arguments.of("no rollout state, fewer running than desired", primary("ecs-svc/2", NEW, null, null, 2, 0, 1, 0), List.of(), false),
                Arguments.of("no rollout state, an older deployment still active", settled,
                        List.of(settled, active("ecs-svc/1", OLD, null, null)), false),
                Arguments.of("no rollout state, not the primary deployment", active("ecs-svc/1", OLD, null, null), List.of(), false));
    }

    @ParameterizedTest(name = "recorded {0}, ECS says {1}: replaced {2}")
    @CsvSource(nullValues = "none", value = {
        "none,        IN_PROGRESS, true",
        "none,        COMPLETED,   true",
        "PENDING,     IN_PROGRESS, true",
        "PENDING,     COMPLETED,   true",
        "PENDING,     ROLLED_BACK, true",
        "IN_PROGRESS, COMPLETED,   true",
        "IN_PROGRESS, FAILED,      true",
        "IN_PROGRESS, ROLLED_BACK, true",
        "FAILED,      ROLLED_BACK, true",
        // duplicates keep what was recorded, reason included
        "IN_PROGRESS, IN_PROGRESS, false",
        "COMPLETED,   COMPLETED,   false",
        "ROLLED_BACK, ROLLED_BACK, false",
        // out of order: a final status is never replaced by a non-final one
        "COMPLETED,   IN_PROGRESS, false",
        "FAILED,      IN_PROGRESS, false",
        "ROLLED_BACK, IN_PROGRESS, false",
        // a rollout ends once
        "COMPLETED,   FAILED,      false",
        "FAILED,      COMPLETED,   false",
        "ROLLED_BACK, FAILED,      false",
        "ROLLED_BACK, COMPLETED,   false",
    })
    void replacesWhatAReleaseRecordedOnlyWithALaterStatus(RolloutStatus recorded, RolloutStatus observed, boolean replaced) {
        assertThat(RolloutPolicy.replaces(recorded, observed)).isEqualTo(replaced);
    }

    @ParameterizedTest(name = "rollout {0}: task stop recorded {1}")
    @CsvSource(nullValues = "none", value = {
        "none, true", "PENDING, true", "IN_PROGRESS, true", "COMPLETED, false", "FAILED, false", "ROLLED_BACK, false"})
    void recordsStoppedTasksOnlyWhileTheRolloutIsUnderWay(RolloutStatus recorded, boolean accepted) {
        assertThat(RolloutPolicy.acceptsTaskStop(recorded)).isEqualTo(accepted);
    }

    @Test
    void describesAStoppedTaskWithTheContainersThatExitedBadly() {
        TaskStateChange task = stopped("Essential container in task exited", List.of(
                new ContainerExit("app", 1, null),
                new ContainerExit("log-router", 0, null),
                new ContainerExit("sidecar", null, "CannotPullContainerError: pull access denied")));

        assertThat(RolloutPolicy.describeStop(task)).isEqualTo("task c13b4cb40f1f4fe4a2971f76ae5a47ad stopped (EssentialContainerExited):"
                + " Essential container in task exited; app exited 1; sidecar: CannotPullContainerError: pull access denied");
    }

    @Test
    void boundsTheReasonOfAStoppedTask() {
        TaskStateChange task = stopped("Essential container in task exited", List.of(new ContainerExit("app", 137, "x".repeat(2_000))));

        String reason = RolloutPolicy.describeStop(task);

        assertThat(reason).hasSize(RolloutPolicy.MAX_REASON_LENGTH).endsWith("x…").startsWith("task c13b4cb40f1f4fe4a2971f76ae5a47ad stopped");
    }

    @Test
    void neverCutsACharacterInHalf() {
        String emoji = "\uD83D\uDE80";
        String reason = "a".repeat(RolloutPolicy.MAX_REASON_LENGTH - 2) + emoji + "tail";

        String bounded = RolloutPolicy.bounded(reason);

        assertThat(bounded).isEqualTo("a".repeat(RolloutPolicy.MAX_REASON_LENGTH - 2) + "…");
        assertThat(RolloutPolicy.bounded("short")).isEqualTo("short");
    }

    private static TaskStateChange stopped(String reason, List<ContainerExit> containers) {
        return new TaskStateChange("event-1", STAGING, "arn:aws:ecs:eu-west-1:111111111111:task/staging/c13b4cb40f1f4fe4a2971f76ae5a47ad",
                NEW, "STOPPED", "EssentialContainerExited", reason, containers, Instant.parse("2026-11-23T10:05:00Z"));
    }

    private static Arguments row(String situation, List<EcsDeploymentState> deployments, DeploymentStateChange event, RolloutStatus expected,
            String reason) {
        return Arguments.of(situation, deployments, event, expected, reason);
    }

    private static DeploymentStateChange event(Kind kind, String deploymentId, String reason) {
        return new DeploymentStateChange("event-1", STAGING, kind, deploymentId, reason, Instant.parse("2026-11-23T10:05:00Z"));
    }

    private static EcsDeploymentState primary(String id, String td, RolloutState state, String reason, int desired, int pending, int running,
            int failed) {
        return new EcsDeploymentState(id, Status.PRIMARY, td, state, reason, desired, pending, running, failed, null, null);
    }

    private static EcsDeploymentState active(String id, String td, RolloutState state, String reason) {
        return new EcsDeploymentState(id, Status.ACTIVE, td, state, reason, 2, 0, 2, 0, null, null);
    }
}
