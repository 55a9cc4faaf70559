package dev.gantry.core.rollout;

import dev.gantry.core.deploy.EcsServiceRef;
import java.time.Instant;

/**
 * ECS reporting that a deployment of a service started, completed or failed (the EventBridge
 * {@code ECS Deployment State Change} event).
 *
 * @param eventId the event's id, to correlate logs
 * @param service the service the deployment belongs to
 * @param kind what happened
 * @param deploymentId the deployment, e.g. {@code ecs-svc/1234567890123456789}
 * @param reason ECS's words, e.g. {@code ECS deployment circuit breaker: task failed to start.}; may be null
 * @param updatedAt when ECS changed the deployment
 */
public record DeploymentStateChange(
        String eventId,
        EcsServiceRef service,
        Kind kind,
        String deploymentId,
        String reason,
        Instant updatedAt) {

    /** The deployment events ECS sends, by their {@code eventName}. */
    public enum Kind {
        /** {@code SERVICE_DEPLOYMENT_IN_PROGRESS}: sent for new deployments and for rollbacks alike. */
        IN_PROGRESS,
        /** {@code SERVICE_DEPLOYMENT_COMPLETED}: the service reached a steady state on the deployment. */
        COMPLETED,
        /** {@code SERVICE_DEPLOYMENT_FAILED}: the circuit breaker or a deployment alarm failed it. */
        FAILED
    }
}
