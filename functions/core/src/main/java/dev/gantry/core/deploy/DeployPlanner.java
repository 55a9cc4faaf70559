package dev.gantry.core.deploy;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.image.ImageReference;
import java.util.ArrayList;
import java.util.List;

/** Decides which containers of a task definition take the new image. Pure. */
public final class DeployPlanner {

    private DeployPlanner() {}

    /**
     * @param newImage the digest-pinned image, e.g. {@code 1111.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:...}
     * @throws PlanException when a configured container does not exist, or no container uses the repository
     */
    public static DeployPlan plan(ServiceConfig service, EnvironmentConfig environment, TaskDefinitionSnapshot current,
            ImageReference newImage) {
        List<ContainerImage> targets = new ArrayList<>();
        if (environment.containers().isEmpty()) {
            String account = newImage.ecrAccount().orElseThrow();
            String region = newImage.ecrRegion().orElseThrow();
            for (ContainerImage container : current.containers()) {
                if (ImageReference.parse(container.image()).isFromEcr(account, region, service.repository())) {
                    targets.add(container);
                }
            }
            if (targets.isEmpty()) {
                throw new PlanException("no container of " + current.arn() + " runs an image from repository '"
                        + service.repository() + "' in " + account + "/" + region
                        + "; name the containers under 'containers' for environment '" + environment.name() + "'");
            }
        } else {
            for (String name : environment.containers()) {
                ContainerImage container = current.containers().stream()
                        .filter(c -> c.name().equals(name))
                        .findFirst()
                        .orElseThrow(() -> new PlanException("task definition " + current.arn() + " has no container '"
                                + name + "' (it has: " + String.join(", ", current.containers().stream().map(ContainerImage::name).toList())
                                + ")"));
                targets.add(container);
            }
        }
        String to = newImage.render();
        List<ContainerChange> changes = targets.stream()
                .filter(c -> !c.image().equals(to))
                .map(c -> new ContainerChange(c.name(), c.image(), to))
                .toList();
        return new DeployPlan(current.arn(), changes);
    }

    /** The configuration and the running task definition disagree; a person has to fix one of them. */
    public static final class PlanException extends RuntimeException {
        public PlanException(String message) {
            super(message);
        }
    }
}
