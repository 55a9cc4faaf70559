package dev.gantry.aws;

import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.EcsGateway;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.TaskDefinitionArn;
import dev.gantry.core.deploy.TaskDefinitionSnapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceNotActiveException;
import software.amazon.awssdk.services.ecs.model.ServiceNotFoundException;
import software.amazon.awssdk.services.ecs.model.SortOrder;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;
import software.amazon.awssdk.services.ecs.model.TaskSet;

/** {@link EcsGateway} over the ECS API, with the client that reaches each service (its region, and its role if any). */
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

    // DescribeServices takes at most ten services per call.
    private static final int DESCRIBE_SERVICES_BATCH = 10;

    private final Function<EcsServiceRef, EcsClient> clientFor;
    private final Map<String, DescribeTaskDefinitionResponse> described =
            Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, DescribeTaskDefinitionResponse> eldest) {
                    return size() > CACHE_SIZE;
                }
            });

    /** The runtime wiring: each service through the client for its region and role. */
    public SdkEcsGateway(EcsClients clients) {
        this(clients::forTarget);
    }

    /** One client for every service: tests, and deployments that use a single region and no roles. */
    public SdkEcsGateway(EcsClient client) {
        this(service -> client);
    }

    /** @param clientFor the client that reaches a service; called for every request, so it should cache */
    SdkEcsGateway(Function<EcsServiceRef, EcsClient> clientFor) {
        this.clientFor = clientFor;
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

    @Override
    public List<String> revisionsOf(EcsServiceRef scope, String family) {
        ListTaskDefinitionsRequest request = ListTaskDefinitionsRequest.builder()
                .familyPrefix(family)
                .status(TaskDefinitionStatus.ACTIVE)
                .sort(SortOrder.DESC)
                .build();
        // The filter is a prefix by name ("app" may also list "app-worker"); only the exact family may be cleaned. The
        // paginator follows nextToken to the last page.
        return call(scope, "ListTaskDefinitions", () -> ecs(scope).listTaskDefinitionsPaginator(request).taskDefinitionArns().stream()
                .filter(arn -> TaskDefinitionArn.familyOf(arn).filter(family::equals).isPresent())
                .toList());
    }

    @Override
    public Set<String> taskDefinitionsInUse(EcsServiceRef scope, List<EcsServiceRef> services) {
        // One DescribeServices per client and cluster, ten services at a time: services reached through different roles
        // are described with different credentials.
        Map<ClientAndCluster, List<EcsServiceRef>> groups = new LinkedHashMap<>();
        for (EcsServiceRef service : services) {
            if (service.sameLocationAs(scope)) {
                groups.computeIfAbsent(new ClientAndCluster(ecs(service), service.cluster()), k -> new ArrayList<>()).add(service);
            }
        }
        Set<String> inUse = new LinkedHashSet<>();
        for (Map.Entry<ClientAndCluster, List<EcsServiceRef>> entry : groups.entrySet()) {
            EcsClient client = entry.getKey().client();
            List<EcsServiceRef> group = entry.getValue();
            for (int from = 0; from < group.size(); from += DESCRIBE_SERVICES_BATCH) {
                List<EcsServiceRef> batch = group.subList(from, Math.min(from + DESCRIBE_SERVICES_BATCH, group.size()));
                EcsServiceRef first = batch.get(0);
                DescribeServicesResponse response = call(first, "DescribeServices", () -> client.describeServices(r -> r
                        .cluster(first.cluster()).services(batch.stream().map(EcsServiceRef::service).toList())));
                for (Failure failure : response.failures()) {
                    // A service that does not exist runs nothing; any other failure leaves the answer incomplete.
                    if (!"MISSING".equals(failure.reason())) {
                        throw new EcsGatewayException("DescribeServices for " + failure.arn() + " in " + first.account() + "/"
                                + first.region() + " failed: " + failure.reason() + (failure.detail() == null ? "" : " (" + failure.detail() + ")"), null);
                    }
                }
                for (Service service : response.services()) {
                    addIfPresent(inUse, service.taskDefinition());
                    service.deployments().stream()
                            .filter(d -> "PRIMARY".equals(d.status()) || "ACTIVE".equals(d.status()))
                            .forEach(d -> addIfPresent(inUse, d.taskDefinition()));
                    // Blue/green services (CODE_DEPLOY or EXTERNAL controllers) report their revisions as task sets instead.
                    service.taskSets().stream()
                            .filter(t -> "PRIMARY".equals(t.status()) || "ACTIVE".equals(t.status()))
                            .map(TaskSet::taskDefinition)
                            .forEach(arn -> addIfPresent(inUse, arn));
                }
            }
        }
        return inUse;
    }

    @Override
    public void deregister(EcsServiceRef scope, String taskDefinitionArn) {
        call(scope, "DeregisterTaskDefinition", () -> ecs(scope).deregisterTaskDefinition(r -> r.taskDefinition(taskDefinitionArn)));
        // Its status changed; revisions are otherwise immutable, so this is the one time a cached answer goes stale.
        described.remove(taskDefinitionArn);
    }

    // Clients compare by identity: one per route.
    private record ClientAndCluster(EcsClient client, String cluster) {}

    private static void addIfPresent(Set<String> arns, String arn) {
        if (arn != null && !arn.isEmpty()) {
            arns.add(arn);
        }
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
        return clientFor.apply(ref);
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
