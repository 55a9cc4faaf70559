package dev.gantry.core.config;

import java.util.List;

/**
 * An application Gantry deploys.
 *
 * @param name unique service name, used in Slack and in release records
 * @param repository the ECR repository its images are pushed to (name, not URI)
 * @param tagPolicy which pushed tags are releases; required
 * @param environments where it runs, in promotion order (e.g. staging, then prod); at least one
 */
public record ServiceConfig(String name, String repository, TagPolicyConfig tagPolicy, List<EnvironmentConfig> environments) {

    public ServiceConfig {
        environments = environments == null ? List.of() : List.copyOf(environments);
    }
}
