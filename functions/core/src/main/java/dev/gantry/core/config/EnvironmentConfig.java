package dev.gantry.core.config;

import java.util.List;

/**
 * One place a service runs.
 *
 * @param name environment name, unique within the service (e.g. {@code staging}, {@code prod})
 * @param account 12-digit AWS account id of the ECS service
 * @param region AWS region of the ECS service
 * @param cluster ECS cluster name
 * @param service ECS service name
 * @param containers containers whose image Gantry replaces; when absent, every container whose image
 *     comes from the service's repository
 * @param taskRoleArn the task role the task definition names; Gantry may pass only this role
 * @param executionRoleArn the execution role the task definition names; Gantry may pass only this role
 * @param gate name of the gate a release must pass before deploying here; none when absent
 */
public record EnvironmentConfig(
        String name,
        String account,
        String region,
        String cluster,
        String service,
        List<String> containers,
        String taskRoleArn,
        String executionRoleArn,
        String gate) {

    public EnvironmentConfig {
        containers = containers == null ? List.of() : List.copyOf(containers);
    }

    public boolean gated() {
        return gate != null;
    }
}
