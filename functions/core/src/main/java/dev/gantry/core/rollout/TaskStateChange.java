package dev.gantry.core.rollout;

import dev.gantry.core.deploy.EcsServiceRef;
import java.time.Instant;
import java.util.List;

/**
 * ECS reporting a task's new state (the EventBridge {@code ECS Task State Change} event), as far as
 * following a rollout needs it: why a task of a new revision stopped.
 *
 * @param eventId the event's id, to correlate logs
 * @param service the service that started the task; null when no service did (its group is not
 *     {@code service:<name>})
 * @param taskArn the task
 * @param taskDefinitionArn the revision the task ran
 * @param lastStatus e.g. {@code RUNNING} or {@code STOPPED}
 * @param stopCode e.g. {@code EssentialContainerExited}; null unless stopped
 * @param stoppedReason e.g. {@code Essential container in task exited}; null unless stopped
 * @param containers each container's exit, in the event's order
 * @param time when ECS sent the event
 */
public record TaskStateChange(
        String eventId,
        EcsServiceRef service,
        String taskArn,
        String taskDefinitionArn,
        String lastStatus,
        String stopCode,
        String stoppedReason,
        List<ContainerExit> containers,
        Instant time) {

    public TaskStateChange {
        containers = containers == null ? List.of() : List.copyOf(containers);
    }

    public boolean isStopped() {
        return "STOPPED".equals(lastStatus);
    }

    /**
     * How one container of the task ended.
     *
     * @param name container name
     * @param exitCode null when the container never ran or has not exited
     * @param reason why it stopped, e.g. {@code CannotPullContainerError: ...}; may be null
     */
    public record ContainerExit(String name, Integer exitCode, String reason) {}
}
