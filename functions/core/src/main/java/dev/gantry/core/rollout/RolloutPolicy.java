package dev.gantry.core.rollout;

import dev.gantry.core.release.RolloutStatus;
import dev.gantry.core.rollout.DeploymentStateChange.Kind;
import dev.gantry.core.rollout.EcsDeploymentState.RolloutState;
import dev.gantry.core.rollout.EcsDeploymentState.Status;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How an ECS rollout stands and how it ended, decided from what ECS lists about the service's
 * deployments and from the event that reported on one of them. Pure: no I/O and no clock, so every
 * rule below has a row in {@code RolloutPolicyTest}.
 *
 * <ul>
 *   <li>A deployment that failed (the event says so, or its rollout state does) is {@code ROLLED_BACK}
 *       when a rollback replaced it as the service's PRIMARY deployment, otherwise {@code FAILED}.</li>
 *   <li>One that completed (the event says so, or its rollout state does, or for services without a
 *       rollout state: every desired task runs and no older deployment is left) is {@code COMPLETED}.</li>
 *   <li>Anything else is {@code IN_PROGRESS}.</li>
 *   <li>What a release recorded is replaced only by a later status: events arrive late, twice and out
 *       of order, and a final status is never replaced by a non-final one.</li>
 * </ul>
 */
public final class RolloutPolicy {

    /** The longest reason a release records; ECS's reasons are short, but container reasons can be long. */
    public static final int MAX_REASON_LENGTH = 500;

    private RolloutPolicy() {}

    /** How one deployment's rollout stands, and ECS's words for it. */
    public record Assessment(RolloutStatus status, String reason) {}

    /**
     * Is the deployment's rollout over? It is when ECS set its rollout state to COMPLETED or FAILED; a
     * deployment without a rollout state is over when it is PRIMARY, runs every desired task, starts no
     * more, and no older deployment is still being replaced.
     */
    public static boolean isDone(EcsDeploymentState deployment, List<EcsDeploymentState> all) {
        if (deployment.rolloutState() != null) {
            return deployment.rolloutState() != RolloutState.IN_PROGRESS;
        }
        return deployment.isPrimary()
                && deployment.pendingCount() == 0
                && deployment.runningCount() == deployment.desiredCount()
                && all.stream().noneMatch(other -> !other.id().equals(deployment.id()) && other.status() == Status.ACTIVE);
    }

    /**
     * How {@code deployment} stands.
     *
     * @param event the event being handled; it counts only when it names {@code deployment}, and may be null
     * @param all every deployment ECS lists for the service, {@code deployment} included
     * @param previousTaskDefinitionArn the revision the service ran before {@code deployment}, if known:
     *     a rollback returns to it, whatever words ECS uses for the rollback
     */
    public static Assessment assess(EcsDeploymentState deployment, DeploymentStateChange event, List<EcsDeploymentState> all,
            String previousTaskDefinitionArn) {
        Kind kind = event != null && deployment.id().equals(event.deploymentId()) ? event.kind() : null;
        if (kind == Kind.FAILED || deployment.rolloutState() == RolloutState.FAILED) {
            String why = firstPresent(kind == Kind.FAILED ? event.reason() : null, deployment.rolloutStateReason(),
                    "ECS failed deployment " + deployment.id());
            if (deployment.failedTasks() > 0) {
                why += " (" + deployment.failedTasks() + (deployment.failedTasks() == 1 ? " task" : " tasks") + " failed)";
            }
            Optional<EcsDeploymentState> rollback = rollbackOf(deployment, all, previousTaskDefinitionArn);
            if (rollback.isPresent()) {
                return new Assessment(RolloutStatus.ROLLED_BACK,
                        bounded(why + "; ECS rolled the service back to " + rollback.get().taskDefinitionArn()));
            }
            return new Assessment(RolloutStatus.FAILED, bounded(why));
        }
        if (kind == Kind.COMPLETED || isDone(deployment, all)) {
            return new Assessment(RolloutStatus.COMPLETED, bounded(firstPresent(kind == Kind.COMPLETED ? event.reason() : null,
                    deployment.rolloutStateReason(), "deployment " + deployment.id() + " runs " + tasks(deployment))));
        }
        return new Assessment(RolloutStatus.IN_PROGRESS, bounded(firstPresent(kind == Kind.IN_PROGRESS ? event.reason() : null,
                deployment.rolloutStateReason(), "deployment " + deployment.id() + " runs " + tasks(deployment))));
    }

    /**
     * Whether {@code observed} replaces the status a release recorded: only a later status does. The same
     * status again is a duplicate and keeps the reason already recorded (a stopped task's, say); a final
     * status is never replaced, except FAILED by ROLLED_BACK when the rollback became visible after the
     * failure was recorded.
     *
     * @param recorded null for a release that recorded no rollout yet
     */
    public static boolean replaces(RolloutStatus recorded, RolloutStatus observed) {
        if (observed == null || observed == recorded) {
            return false;
        }
        if (recorded == null || recorded == RolloutStatus.PENDING) {
            return true;
        }
        if (recorded == RolloutStatus.IN_PROGRESS) {
            return observed.isFinal();
        }
        return recorded == RolloutStatus.FAILED && observed == RolloutStatus.ROLLED_BACK;
    }

    /** A stopped task is part of a rollout's story only while the rollout has not ended. */
    public static boolean acceptsTaskStop(RolloutStatus recorded) {
        return recorded == null || !recorded.isFinal();
    }

    /**
     * The reason a stopped task leaves on its release, bounded to {@link #MAX_REASON_LENGTH}: the task's
     * stop code and reason, then each container that exited non-zero or with a reason.
     */
    public static String describeStop(TaskStateChange task) {
        StringBuilder text = new StringBuilder("task ").append(lastSegment(task.taskArn())).append(" stopped");
        if (task.stopCode() != null) {
            text.append(" (").append(task.stopCode()).append(')');
        }
        text.append(": ").append(task.stoppedReason() == null ? "no reason given" : task.stoppedReason());
        String exits = task.containers().stream()
                .filter(c -> (c.exitCode() != null && c.exitCode() != 0) || c.reason() != null)
                .map(c -> c.name() + (c.exitCode() == null ? "" : " exited " + c.exitCode()) + (c.reason() == null ? "" : ": " + c.reason()))
                .collect(Collectors.joining("; "));
        if (!exits.isEmpty()) {
            text.append("; ").append(exits);
        }
        return bounded(text.toString());
    }

    /** {@code reason} cut to {@link #MAX_REASON_LENGTH} characters, marked with an ellipsis when cut. */
    public static String bounded(String reason) {
        if (reason == null || reason.length() <= MAX_REASON_LENGTH) {
            return reason;
        }
        int cut = MAX_REASON_LENGTH - 1;
        if (Character.isHighSurrogate(reason.charAt(cut - 1))) {
            cut--;
        }
        return reason.substring(0, cut) + "…";
    }

    /**
     * The deployment that rolled {@code failed} back, if one did. ECS keeps a failed deployment PRIMARY
     * when it does not roll back; when it does, the rollback becomes PRIMARY and runs an earlier revision.
     * The circuit breaker says "rolling back" in the rollback's reason; alarm rollbacks are recognised by
     * returning to the revision the failed deployment replaced.
     */
    private static Optional<EcsDeploymentState> rollbackOf(EcsDeploymentState failed, List<EcsDeploymentState> all,
            String previousTaskDefinitionArn) {
        return all.stream()
                .filter(EcsDeploymentState::isPrimary)
                .filter(primary -> !primary.id().equals(failed.id()))
                .filter(primary -> !Objects.equals(primary.taskDefinitionArn(), failed.taskDefinitionArn()))
                .filter(primary -> saysRollingBack(primary.rolloutStateReason())
                        || (previousTaskDefinitionArn != null && previousTaskDefinitionArn.equals(primary.taskDefinitionArn())))
                .findFirst();
    }

    private static boolean saysRollingBack(String reason) {
        if (reason == null) {
            return false;
        }
        String lower = reason.toLowerCase(Locale.ROOT);
        return lower.contains("rolling back") || lower.contains("rolled back") || lower.contains("rollback");
    }

    private static String tasks(EcsDeploymentState deployment) {
        return deployment.runningCount() + " of " + deployment.desiredCount() + " tasks (" + deployment.pendingCount() + " pending)";
    }

    private static String firstPresent(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate;
            }
        }
        return null;
    }

    private static String lastSegment(String arn) {
        return arn == null ? "?" : arn.substring(arn.lastIndexOf('/') + 1);
    }
}
