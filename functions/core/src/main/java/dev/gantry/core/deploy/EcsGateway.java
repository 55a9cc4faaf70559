package dev.gantry.core.deploy;

import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /**
     * The ACTIVE revisions of exactly {@code family} (not of families it is a prefix of) in {@code scope}'s account
     * and region, newest first; every page of the listing.
     *
     * @param scope whose account, region and credentials to list with
     * @return revision ARNs; empty when the family has no active revision
     */
    List<String> revisionsOf(EcsServiceRef scope, String family);

    /**
     * The task-definition revisions {@code services} run or are moving to or from: those of their PRIMARY and ACTIVE
     * deployments. Services outside {@code scope}'s account and region are left out (they cannot run its task
     * definitions); a service ECS reports as missing runs nothing.
     *
     * <p>Errors: {@link EcsGatewayException} when any service could not be described, so no caller acts on an
     * incomplete answer.
     *
     * @return revision ARNs; empty when none of the services is in scope
     */
    Set<String> taskDefinitionsInUse(EcsServiceRef scope, List<EcsServiceRef> services);

    /**
     * Deregisters a revision (ECS marks it INACTIVE): tasks and services already running it carry on, but nothing new
     * can start from it.
     *
     * @param scope whose account, region and credentials to call with
     */
    void deregister(EcsServiceRef scope, String taskDefinitionArn);

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
