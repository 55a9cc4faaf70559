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

    /**
     * Whether this status may be recorded over {@code current}: events arrive late and twice, so a final
     * status is never replaced, except that a failure may turn out to have been rolled back. Nor is it recorded
     * again: of two copies of an event racing, only the first records it (and vetoes, and tells).
     */
    public boolean mayReplace(RolloutStatus current) {
        return current == null || !current.isFinal() || (current == FAILED && this == ROLLED_BACK);
    }
}
