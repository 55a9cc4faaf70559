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
 * @param keepRevisions how many of the newest revisions of the task-definition family survive the cleanup
 *     after a deploy; default {@value #DEFAULT_KEEP_REVISIONS}, at least {@value #MIN_KEEP_REVISIONS}
 * @param autoDeploy whether a pushed release deploys here by itself; {@code true} when absent. When
 *     {@code false}, only an explicit deploy (a pipeline's deploy action, an operator) enters it
 * @param roleArn an IAM role in {@code account} that Gantry assumes to reach this environment's ECS service;
 *     when absent, Gantry uses its own credentials
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
        String gate,
        Integer keepRevisions,
        String roleArn,
        Boolean autoDeploy) {

    /** Revisions kept when {@code keepRevisions} is absent: enough history to roll back by hand for weeks of releases. */
    public static final int DEFAULT_KEEP_REVISIONS = 10;

    /** The revision a service runs and the one a rollback returns to: fewer would leave nothing to roll back to. */
    public static final int MIN_KEEP_REVISIONS = 2;

    public EnvironmentConfig {
        containers = containers == null ? List.of() : List.copyOf(containers);
        keepRevisions = keepRevisions == null ? DEFAULT_KEEP_REVISIONS : keepRevisions;
        autoDeploy = autoDeploy == null ? Boolean.TRUE : autoDeploy;
    }

    public boolean gated() {
        return gate != null;
    }
}
