package dev.gantry.core.rollout;

import dev.gantry.core.release.RolloutStatus;

/**
 * What one ECS event meant for one release.
 *
 * @param service service name
 * @param environment environment name
 * @param release the release's id ({@code payments-api/staging/07348c117739}); null when no release matched
 * @param deploymentId the ECS deployment looked at; null for a task event
 * @param taskDefinitionArn the revision the deployment or task ran
 * @param result what Gantry did
 * @param status the release's rollout status after the event; null when no release matched
 * @param reason what was recorded, or why nothing was
 * @param vetoed whether the release's digest was vetoed for the environment because ECS rolled it back
 */
public record RolloutOutcome(
        String service,
        String environment,
        String release,
        String deploymentId,
        String taskDefinitionArn,
        Result result,
        RolloutStatus status,
        String reason,
        boolean vetoed) {

    public enum Result {
        /** The release's rollout status or reason was written. */
        RECORDED,
        /** The release already knew as much or more: a duplicate, late or out-of-order event. */
        UNCHANGED,
        /** No Gantry release, or none that is still following its rollout, matched the event. */
        IGNORED,
        /** Dry run: what would have been written (and vetoed); nothing was. */
        PLANNED
    }

    static RolloutOutcome ignored(String service, String environment, String deploymentId, String taskDefinitionArn, String reason) {
        return new RolloutOutcome(service, environment, null, deploymentId, taskDefinitionArn, Result.IGNORED, null, reason, false);
    }

    static RolloutOutcome unchanged(String service, String environment, String release, String deploymentId, String taskDefinitionArn,
            RolloutStatus status, String reason) {
        return new RolloutOutcome(service, environment, release, deploymentId, taskDefinitionArn, Result.UNCHANGED, status, reason, false);
    }
}
