package dev.gantry.core.rollout;

import java.time.Instant;

/**
 * One deployment of an ECS service as DescribeServices lists it: the revision it runs, its place in the
 * service and how far its rollout got. ECS keeps a deployment listed while it is PRIMARY or is being
 * replaced, and forgets it soon after it became INACTIVE.
 *
 * @param id the deployment id, e.g. {@code ecs-svc/1234567890123456789}; events name deployments by it
 * @param status PRIMARY for what the service is moving to, ACTIVE for one being replaced
 * @param taskDefinitionArn the revision its tasks run
 * @param rolloutState null when ECS reports none (services that ECS does not roll out itself)
 * @param rolloutStateReason ECS's words about the rollout state, e.g. the circuit breaker's; may be null
 * @param desiredCount tasks the deployment should run
 * @param pendingCount tasks starting
 * @param runningCount tasks running
 * @param failedTasks tasks that failed to start or to stay healthy during the rollout
 * @param createdAt when ECS created the deployment; may be null
 * @param updatedAt when ECS last changed it; may be null
 */
public record EcsDeploymentState(
        String id,
        Status status,
        String taskDefinitionArn,
        RolloutState rolloutState,
        String rolloutStateReason,
        int desiredCount,
        int pendingCount,
        int runningCount,
        int failedTasks,
        Instant createdAt,
        Instant updatedAt) {

    /** A deployment's place in its service. */
    public enum Status {
        /** The newest deployment: what the service is moving to or runs. */
        PRIMARY,
        /** An older deployment still running tasks that are being replaced. */
        ACTIVE,
        /** A deployment whose tasks are all gone. */
        INACTIVE
    }

    /** The rollout state ECS keeps per deployment. */
    public enum RolloutState {
        IN_PROGRESS,
        COMPLETED,
        /** The circuit breaker or a deployment alarm failed it. */
        FAILED
    }

    public boolean isPrimary() {
        return status == Status.PRIMARY;
    }
}
