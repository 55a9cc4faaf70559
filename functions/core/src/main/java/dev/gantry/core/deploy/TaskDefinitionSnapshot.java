package dev.gantry.core.deploy;

import java.util.List;

/** What a deploy decision needs to know of a task-definition revision. */
public record TaskDefinitionSnapshot(String arn, String family, int revision, List<ContainerImage> containers) {

    public TaskDefinitionSnapshot {
        containers = List.copyOf(containers);
    }
}
