package dev.gantry.aws;

import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.EcsGateway;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.TaskDefinitionSnapshot;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceNotActiveException;
import software.amazon.awssdk.services.ecs.model.ServiceNotFoundException;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;

/** {@link EcsGateway} over the ECS API, with one client per region. */
public final class SdkEcsGateway implements EcsGateway {

    /**
     * Fields of RegisterTaskDefinition that a new revision copies from the one it replaces. An allowlist,
     * not a denylist of read-only fields: a field AWS adds later is not copied by accident, and
     * {@code SdkEcsGatewayTest} fails until it is listed here or in {@link #NOT_COPIED}.
     */
    static final List<String> COPIED = List.of(
            "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
            "placementConstraints", "requiresCompatibilities", "cpu", "memory", "tags", "pidMode", "ipcMode",
            "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform", "enableFaultInjection");

    /** RegisterTaskDefinition fields deliberately not copied, with the reason. None today. */
    static final Map<String, String> NOT_COPIED = Map.of();

    // Revisions never change once registered, so what was described stays true: cache by ARN and skip a
    // second DescribeTaskDefinition when registering the copy. Bounded for long-lived warm instances.
    private static final int CACHE_SIZE = 64;

    private final Function<String, EcsClient> clientForRegion;
    private final Map<String, DescribeTaskDefinitionResponse> described =
            Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, DescribeTaskDefinitionResponse> eldest) {
                    return size() > CACHE_SIZE;
                }
            });

    /** @param clientForRegion the client for a region; called for every request, so it should cache */
    public SdkEcsGateway(Function<String, EcsClient> clientForRegion) {
        this.clientForRegion = clientForRegion;
    }

    /** One client for every region: tests, and deployments that use a single region. */
    public SdkEcsGateway(EcsClient client) {
        this(region -> client);
    }

    @Override
    public String currentTaskDefinitionArn(EcsServiceRef ref) {
        DescribeServicesResponse response = call(ref, "DescribeServices", () -> ecs(ref).describeServices(r -> r
                .cluster(ref.cluster()).services(ref.service())));
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
        // The PRIMARY deployment is what the service is moving to; taskDefinition can lag during a rollout.
        return service.deployments().stream()
                .filter(d -> "PRIMARY".equals(d.status()))
                .map(Deployment::taskDefinition)
                .findFirst()
                .orElse(service.taskDefinition());
    }

    @Override
    public TaskDefinitionSnapshot describeTaskDefinition(EcsServiceRef ref, String taskDefinitionArn) {
        TaskDefinition td = describe(ref, taskDefinitionArn).taskDefinition();
        List<ContainerImage> containers = td.containerDefinitions().stream()
                .map(c -> new ContainerImage(c.name(), c.image()))
                .toList();
        return new TaskDefinitionSnapshot(td.taskDefinitionArn(), td.family(), td.revision(), containers);
    }

    @Override
    public String registerRevision(EcsServiceRef ref, String sourceArn, Map<String, String> imageByContainer) {
        DescribeTaskDefinitionResponse source = describe(ref, sourceArn);
        RegisterTaskDefinitionRequest request = copyWithImages(source, imageByContainer);
        return call(ref, "RegisterTaskDefinition", () -> ecs(ref).registerTaskDefinition(request))
                .taskDefinition().taskDefinitionArn();
    }

    @Override
    public void updateService(EcsServiceRef ref, String taskDefinitionArn) {
        call(ref, "UpdateService", () -> ecs(ref).updateService(r -> r
                .cluster(ref.cluster()).service(ref.service()).taskDefinition(taskDefinitionArn)));
    }

    /** The RegisterTaskDefinition request for a copy of {@code source} with some container images replaced. */
    static RegisterTaskDefinitionRequest copyWithImages(DescribeTaskDefinitionResponse source, Map<String, String> imageByContainer) {
        TaskDefinition td = source.taskDefinition();
        // Containers are rebuilt from their own builder, so every field of a sidecar stays as it was.
        List<ContainerDefinition> containers = td.containerDefinitions().stream()
                .map(c -> imageByContainer.containsKey(c.name()) ? c.toBuilder().image(imageByContainer.get(c.name())).build() : c)
                .toList();
        RegisterTaskDefinitionRequest.Builder b = RegisterTaskDefinitionRequest.builder()
                .family(td.family())
                .taskRoleArn(td.taskRoleArn())
                .executionRoleArn(td.executionRoleArn())
                .networkMode(td.networkModeAsString())
                .containerDefinitions(containers)
                .cpu(td.cpu())
                .memory(td.memory())
                .pidMode(td.pidModeAsString())
                .ipcMode(td.ipcModeAsString())
                .proxyConfiguration(td.proxyConfiguration())
                .ephemeralStorage(td.ephemeralStorage())
                .runtimePlatform(td.runtimePlatform())
                .enableFaultInjection(td.enableFaultInjection());
        // Lists the response did not carry stay unset rather than being sent as empty lists.
        if (td.hasVolumes()) {
            b.volumes(td.volumes());
        }
        if (td.hasPlacementConstraints()) {
            b.placementConstraints(td.placementConstraints());
        }
        if (td.hasRequiresCompatibilities()) {
            b.requiresCompatibilitiesWithStrings(td.requiresCompatibilitiesAsStrings());
        }
        if (td.hasInferenceAccelerators()) {
            b.inferenceAccelerators(td.inferenceAccelerators());
        }
        if (source.hasTags() && !source.tags().isEmpty()) {
            b.tags(source.tags());
        }
        return b.build();
    }

    private DescribeTaskDefinitionResponse describe(EcsServiceRef ref, String arn) {
        DescribeTaskDefinitionResponse cached = described.get(arn);
        if (cached != null) {
            return cached;
        }
        DescribeTaskDefinitionResponse response = call(ref, "DescribeTaskDefinition", () -> ecs(ref).describeTaskDefinition(r -> r
                .taskDefinition(arn).include(TaskDefinitionField.TAGS)));
        described.put(arn, response);
        return response;
    }

    private EcsClient ecs(EcsServiceRef ref) {
        return clientForRegion.apply(ref.region());
    }

    /** Translates ECS errors: missing targets cannot be fixed by retrying; the rest carry the operation. */
    private static <T> T call(EcsServiceRef ref, String operation, java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (ClusterNotFoundException e) {
            throw new EcsTargetNotFoundException("ECS cluster " + ref.cluster() + " not found in " + ref.account() + "/" + ref.region(), e);
        } catch (ServiceNotFoundException e) {
            throw new EcsTargetNotFoundException("ECS service " + ref + " not found", e);
        } catch (ServiceNotActiveException e) {
            throw new EcsTargetNotFoundException("ECS service " + ref + " is not active", e);
        } catch (ClientException e) {
            throw new EcsGatewayException(operation + " for " + ref + " was refused: " + e.awsErrorDetails().errorMessage(), e);
        } catch (SdkException e) {
            throw new EcsGatewayException(operation + " for " + ref + " failed: " + e.getMessage(), e);
        }
    }
}
