package dev.gantry.core.rollout;

import dev.gantry.core.deploy.EcsGateway;
import dev.gantry.core.deploy.EcsServiceRef;
import java.util.List;

/**
 * Reads an ECS service's deployments: what following a rollout needs from the ECS control plane. Kept
 * apart from {@link EcsGateway}, which changes services, so that the rollout follower can be granted
 * DescribeServices and nothing more.
 *
 * <p>Errors: {@link EcsGateway.EcsTargetNotFoundException} when the cluster or service does not exist
 * or is not active; {@link EcsGateway.EcsGatewayException} for anything else the API refused after the
 * client's own retries.
 */
public interface EcsDeployments {

    /**
     * The service's deployments as ECS lists them now, in ECS's order (PRIMARY first). ECS forgets a
     * deployment soon after it became INACTIVE, so one that an event names may be missing.
     */
    List<EcsDeploymentState> deploymentsOf(EcsServiceRef service);
}
