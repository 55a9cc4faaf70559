package dev.gantry.core.config;

import java.util.List;

/**
 * A base ("golden") image and the images built FROM it.
 *
 * <p>A dependent's {@code produces} repository may itself be the repository of another base image:
 * that is how multi-level chains (base, runtime, app) are declared. Cycles are rejected.
 *
 * @param name unique name of this base image
 * @param repository the ECR repository the base image is pushed to
 * @param tag the tag whose pushes count as a new base; {@code latest} when absent
 * @param dependents what to rebuild when the base changes; at least one
 */
public record BaseImageConfig(String name, String repository, String tag, List<DependentConfig> dependents) {

    public static final String DEFAULT_TAG = "latest";

    public BaseImageConfig {
        tag = tag == null ? DEFAULT_TAG : tag;
        dependents = dependents == null ? List.of() : List.copyOf(dependents);
    }
}
