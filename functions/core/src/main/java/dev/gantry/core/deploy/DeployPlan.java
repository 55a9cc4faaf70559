package dev.gantry.core.deploy;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a deploy will change: the revision it starts from and each container whose image moves.
 * Empty {@code changes} means every target container already runs the digest.
 */
public record DeployPlan(String fromTaskDefinitionArn, List<ContainerChange> changes) {

    public DeployPlan {
        changes = List.copyOf(changes);
    }

    public boolean isNoOp() {
        return changes.isEmpty();
    }

    public Map<String, String> imageByContainer() {
        return changes.stream().collect(Collectors.toMap(ContainerChange::container, ContainerChange::to));
    }

    public List<String> describe() {
        return changes.stream().map(ContainerChange::describe).toList();
    }

    /** One {@link ContainerChange#summary} line per container, for release records, reports and Slack. */
    public List<String> summaries(String toTag) {
        return changes.stream().map(c -> c.summary(toTag)).toList();
    }
}
