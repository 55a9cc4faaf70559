package dev.gantry.aws;

import dev.gantry.core.deploy.EcsGateway.EcsGatewayException;
import dev.gantry.core.deploy.EcsGateway.EcsTargetNotFoundException;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.rollout.EcsDeploymentState;
import dev.gantry.core.rollout.EcsDeploymentState.RolloutState;
import dev.gantry.core.rollout.EcsDeploymentState.Status;
import dev.gantry.core.rollout.EcsDeployments;
import java.util.List;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.Service;

/** {@link EcsDeployments} over ECS DescribeServices. */
public final class SdkEcsDeployments implements EcsDeployments {

    private final Function<EcsServiceRef, EcsClient> clientFor;

    /** @param clientFor the client that reaches a service (its region, and its account's credentials); called per request, so it should cache */
    public SdkEcsDeployments(Function<EcsServiceRef, EcsClient> clientFor) {
        this.clientFor = clientFor;
    }

    /** One client for every service: tests, and deployments in a single region and account. */
    public SdkEcsDeployments(EcsClient client) {
        this(service -> client);
    }

    @Override
    public List<EcsDeploymentState> deploymentsOf(EcsServiceRef ref) {
        DescribeServicesResponse response;
        try {
            response = clientFor.apply(ref).describeServices(r -> r.cluster(ref.cluster()).services(ref.service()));
        } catch (ClusterNotFoundException e) {
            throw new EcsTargetNotFoundException("ECS cluster " + ref.cluster() + " not found in " + ref.account() + "/" + ref.region(), e);
        } catch (ClientException e) {
            throw new EcsGatewayException("DescribeServices for " + ref + " was refused: " + e.awsErrorDetails().errorMessage(), e);
        } catch (SdkException e) {
            throw new EcsGatewayException("DescribeServices for " + ref + " failed: " + e.getMessage(), e);
        }
        if (!response.hasServices() || response.services().isEmpty()) {
            String reason = response.hasFailures() && !response.failures().isEmpty()
                    ? response.failures().stream().map(Failure::reason).findFirst().orElse("MISSING")
                    : "MISSING";
            throw new EcsTargetNotFoundException("ECS service " + ref + " not found (" + reason + ")", null);
        }
        Service service = response.services().get(0);
        if (!"ACTIVE".equals(service.status())) {
            throw new EcsTargetNotFoundException("ECS service " + ref + " is " + service.status() + ", not ACTIVE", null);
        }
        return service.deployments().stream().map(SdkEcsDeployments::state).toList();
    }

    static EcsDeploymentState state(Deployment deployment) {
        return new EcsDeploymentState(
                deployment.id(),
                status(deployment.status()),
                deployment.taskDefinition(),
                rolloutState(deployment.rolloutStateAsString()),
                deployment.rolloutStateReason(),
                count(deployment.desiredCount()),
                count(deployment.pendingCount()),
                count(deployment.runningCount()),
                count(deployment.failedTasks()),
                deployment.createdAt(),
                deployment.updatedAt());
    }

    /** ECS documents PRIMARY, ACTIVE and INACTIVE; any other listed deployment is one being replaced, which ACTIVE means. */
    private static Status status(String status) {
        if ("PRIMARY".equals(status)) {
            return Status.PRIMARY;
        }
        return "INACTIVE".equals(status) ? Status.INACTIVE : Status.ACTIVE;
    }

    /** A rollout state this SDK does not know is read as none, which leaves "is it done" to the task counts. */
    private static RolloutState rolloutState(String state) {
        if (state == null) {
            return null;
        }
        return switch (state) {
            case "IN_PROGRESS" -> RolloutState.IN_PROGRESS;
            case "COMPLETED" -> RolloutState.COMPLETED;
            case "FAILED" -> RolloutState.FAILED;
            default -> null;
        };
    }

    private static int count(Integer value) {
        return value == null ? 0 : value;
    }
}
