package dev.gantry.testing;

import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.EcsGateway;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.TaskDefinitionSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ECS in memory: services pointing at task-definition revisions, with the calls made recorded for
 * assertions. Behaves as ECS does where deploys can tell: revisions count up per family, registering
 * never changes an existing revision, unknown services and revisions are not found, a deregistered
 * revision is INACTIVE (still described, no longer listed, no service can be moved to it).
 */
public final class InMemoryEcsGateway implements EcsGateway {

    /** A call that changed something, in order. */
    public record Call(String operation, EcsServiceRef service, String taskDefinitionArn) {}

    private final Map<EcsServiceRef, String> taskDefinitionByService = new HashMap<>();
    private final Map<String, TaskDefinitionSnapshot> taskDefinitions = new LinkedHashMap<>();
    private final Map<String, Integer> lastRevision = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private final Set<String> inactive = new HashSet<>();
    private final Map<EcsServiceRef, Set<String>> activeDeployments = new HashMap<>();
    private final Map<String, RuntimeException> nextFailure = new HashMap<>();
    private final AtomicReference<RuntimeException> nextUpdateFailure = new AtomicReference<>();

    /** Adds a service running a new revision of {@code family} with these containers. */
    public synchronized String givenService(EcsServiceRef service, String family, List<ContainerImage> containers) {
        String arn = newRevision(service, family, containers);
        taskDefinitionByService.put(service, arn);
        return arn;
    }

    /**
     * Registers a revision of {@code family} in {@code location}'s account and region that no service runs, as an
     * earlier deploy would have left behind.
     */
    public synchronized String givenRevision(EcsServiceRef location, String family, List<ContainerImage> containers) {
        return newRevision(location, family, containers);
    }

    /** The service also has an ACTIVE deployment of {@code taskDefinitionArn}: a rollout from or to it is under way. */
    public synchronized void givenActiveDeployment(EcsServiceRef service, String taskDefinitionArn) {
        currentTaskDefinitionArn(service);
        activeDeployments.computeIfAbsent(service, s -> new LinkedHashSet<>()).add(taskDefinitionArn);
    }

    /** Makes the next {@link #updateService} throw {@code failure}, as a lost connection would. */
    public void failNextUpdateService(RuntimeException failure) {
        nextUpdateFailure.set(failure);
    }

    /**
     * Makes the next call of {@code operation} ({@code ListTaskDefinitions}, {@code DescribeServices} or
     * {@code DeregisterTaskDefinition}) throw {@code failure}.
     */
    public synchronized void failNext(String operation, RuntimeException failure) {
        nextFailure.put(operation, failure);
    }

    @Override
    public synchronized String currentTaskDefinitionArn(EcsServiceRef service) {
        String arn = taskDefinitionByService.get(service);
        if (arn == null) {
            throw new EcsTargetNotFoundException("ECS service " + service + " not found", null);
        }
        return arn;
    }

    @Override
    public synchronized TaskDefinitionSnapshot describeTaskDefinition(EcsServiceRef service, String taskDefinitionArn) {
        TaskDefinitionSnapshot snapshot = taskDefinitions.get(taskDefinitionArn);
        if (snapshot == null) {
            throw new EcsTargetNotFoundException("task definition " + taskDefinitionArn + " not found", null);
        }
        return snapshot;
    }

    @Override
    public synchronized String registerRevision(EcsServiceRef service, String sourceArn, Map<String, String> imageByContainer) {
        TaskDefinitionSnapshot source = describeTaskDefinition(service, sourceArn);
        List<ContainerImage> containers = source.containers().stream()
                .map(c -> new ContainerImage(c.name(), imageByContainer.getOrDefault(c.name(), c.image())))
                .toList();
        String arn = newRevision(service, source.family(), containers);
        calls.add(new Call("RegisterTaskDefinition", service, arn));
        return arn;
    }

    @Override
    public synchronized void updateService(EcsServiceRef service, String taskDefinitionArn) {
        currentTaskDefinitionArn(service);
        RuntimeException failure = nextUpdateFailure.getAndSet(null);
        if (failure != null) {
            throw failure;
        }
        if (inactive.contains(taskDefinitionArn)) {
            throw new EcsGatewayException("UpdateService for " + service + " was refused: " + taskDefinitionArn + " is INACTIVE", null);
        }
        taskDefinitionByService.put(service, taskDefinitionArn);
        calls.add(new Call("UpdateService", service, taskDefinitionArn));
    }

    @Override
    public synchronized List<String> revisionsOf(EcsServiceRef scope, String family) {
        failIfAsked("ListTaskDefinitions");
        String location = locationPrefix(scope);
        return taskDefinitions.values().stream()
                .filter(td -> td.family().equals(family) && td.arn().startsWith(location) && !inactive.contains(td.arn()))
                .sorted(Comparator.comparingInt(TaskDefinitionSnapshot::revision).reversed())
                .map(TaskDefinitionSnapshot::arn)
                .toList();
    }

    @Override
    public synchronized Set<String> taskDefinitionsInUse(EcsServiceRef scope, List<EcsServiceRef> services) {
        failIfAsked("DescribeServices");
        Set<String> inUse = new LinkedHashSet<>();
        for (EcsServiceRef service : services) {
            String primary = taskDefinitionByService.get(service);
            // A service ECS does not know is reported MISSING: it runs nothing.
            if (service.sameLocationAs(scope) && primary != null) {
                inUse.add(primary);
                inUse.addAll(activeDeployments.getOrDefault(service, Set.of()));
            }
        }
        return inUse;
    }

    @Override
    public synchronized void deregister(EcsServiceRef scope, String taskDefinitionArn) {
        failIfAsked("DeregisterTaskDefinition");
        if (!taskDefinitions.containsKey(taskDefinitionArn) || inactive.contains(taskDefinitionArn)) {
            throw new EcsTargetNotFoundException("task definition " + taskDefinitionArn + " not found or already INACTIVE", null);
        }
        inactive.add(taskDefinitionArn);
        calls.add(new Call("DeregisterTaskDefinition", scope, taskDefinitionArn));
    }

    /** True while the revision is registered and not deregistered. */
    public synchronized boolean isActive(String taskDefinitionArn) {
        return taskDefinitions.containsKey(taskDefinitionArn) && !inactive.contains(taskDefinitionArn);
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    public synchronized List<Call> calls(String operation) {
        return calls.stream().filter(c -> c.operation().equals(operation)).toList();
    }

    public synchronized TaskDefinitionSnapshot running(EcsServiceRef service) {
        return taskDefinitions.get(currentTaskDefinitionArn(service));
    }

    private void failIfAsked(String operation) {
        RuntimeException failure = nextFailure.remove(operation);
        if (failure != null) {
            throw failure;
        }
    }

    private static String locationPrefix(EcsServiceRef location) {
        return "arn:aws:ecs:" + location.region() + ":" + location.account() + ":";
    }

    private String newRevision(EcsServiceRef service, String family, List<ContainerImage> containers) {
        // Families belong to an account and region: the same name elsewhere counts on its own.
        int revision = lastRevision.merge(locationPrefix(service) + family, 1, Integer::sum);
        String arn = locationPrefix(service) + "task-definition/" + family + ":" + revision;
        taskDefinitions.put(arn, new TaskDefinitionSnapshot(arn, family, revision, containers));
        return arn;
    }
}
