package dev.gantry.testing;

import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.EcsGateway;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.TaskDefinitionSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ECS in memory: services pointing at task-definition revisions, with the calls made recorded for
 * assertions. Behaves as ECS does where deploys can tell: revisions count up per family, registering
 * never changes an existing revision, unknown services and revisions are not found.
 */
public final class InMemoryEcsGateway implements EcsGateway {

    /** A call that changed something, in order. */
    public record Call(String operation, EcsServiceRef service, String taskDefinitionArn) {}

    private final Map<EcsServiceRef, String> taskDefinitionByService = new HashMap<>();
    private final Map<String, TaskDefinitionSnapshot> taskDefinitions = new LinkedHashMap<>();
    private final Map<String, Integer> lastRevision = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private final AtomicReference<RuntimeException> nextUpdateFailure = new AtomicReference<>();

    /** Adds a service running a new revision of {@code family} with these containers. */
    public synchronized String givenService(EcsServiceRef service, String family, List<ContainerImage> containers) {
        String arn = newRevision(service, family, containers);
        taskDefinitionByService.put(service, arn);
        return arn;
    }

    /** Makes the next {@link #updateService} throw {@code failure}, as a lost connection would. */
    public void failNextUpdateService(RuntimeException failure) {
        nextUpdateFailure.set(failure);
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
        taskDefinitionByService.put(service, taskDefinitionArn);
        calls.add(new Call("UpdateService", service, taskDefinitionArn));
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

    private String newRevision(EcsServiceRef service, String family, List<ContainerImage> containers) {
        int revision = lastRevision.merge(family, 1, Integer::sum);
        String arn = "arn:aws:ecs:" + service.region() + ":" + service.account() + ":task-definition/" + family + ":" + revision;
        taskDefinitions.put(arn, new TaskDefinitionSnapshot(arn, family, revision, containers));
        return arn;
    }
}
