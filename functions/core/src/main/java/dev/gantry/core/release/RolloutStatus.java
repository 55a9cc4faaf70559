package dev.gantry.core.release;

/** How an ECS rollout of a release ended, or that it has not yet. */
public enum RolloutStatus {
    /** UpdateService was called; ECS has not reported on the deployment yet. */
    PENDING,
    IN_PROGRESS,
    COMPLETED,
    /** The deployment failed and ECS did not roll back (or the rollback itself failed). */
    FAILED,
    /** The circuit breaker or a CloudWatch alarm rolled the service back to its previous deployment. */
    ROLLED_BACK;

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == ROLLED_BACK;
    }
}
