package dev.gantry.core.deploy;

import java.util.Map;

/**
 * The ECS control plane, as deploys use it.
 *
 * <p>Errors: {@link EcsTargetNotFoundException} when the cluster, service or task definition does not
 * exist or is inactive (a configuration problem: retrying cannot help); {@link EcsGatewayException}
 * for anything else the API refused after the client's own retries.
 */
public interface EcsGateway {

    /** The task-definition revision the service's primary deployment runs. */
    String currentTaskDefinitionArn(EcsServiceRef service);

    TaskDefinitionSnapshot describeTaskDefinition(EcsServiceRef service, String taskDefinitionArn);

    /**
     * Registers a new revision of {@code sourceArn}'s family that is identical to it, every registrable
     * field and tag included, except for the images of the named containers.
     *
     * @return the new revision's ARN
     */
    String registerRevision(EcsServiceRef service, String sourceArn, Map<String, String> imageByContainer);

    /** Moves the service to {@code taskDefinitionArn}; ECS then rolls it out. */
    void updateService(EcsServiceRef service, String taskDefinitionArn);

    /** The cluster, service or task definition is missing or inactive. */
    class EcsTargetNotFoundException extends RuntimeException {
        public EcsTargetNotFoundException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** ECS refused or failed a call. */
    class EcsGatewayException extends RuntimeException {
        public EcsGatewayException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
