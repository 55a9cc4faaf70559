package dev.gantry.infra;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Stack;

/**
 * What the configuration deploys to, as the ARNs and names that policies and event patterns need. Every list is
 * distinct and sorted, so the template reads the same on every synth.
 *
 * <p>An environment with a {@code roleArn} is reached through that role: ECS permissions for it belong on the role, in
 * its own account, not on Gantry's function roles. The {@code direct*} lists hold only the environments Gantry reaches
 * with its own credentials.
 */
final class ConfiguredTargets {

    /** One environment's ECS service and how Gantry reaches it. */
    record Target(String account, String region, String cluster, String service, String repository, EnvironmentConfig environment)
            implements Comparable<Target> {

        private static final Comparator<Target> ORDER = Comparator.comparing(Target::account)
                .thenComparing(Target::region)
                .thenComparing(Target::cluster)
                .thenComparing(Target::service);

        boolean direct() {
            return environment.roleArn() == null;
        }

        @Override
        public int compareTo(Target other) {
            return ORDER.compare(this, other);
        }
    }

    private final Stack stack;
    private final List<Target> targets;

    ConfiguredTargets(Stack stack, GantryConfig config) {
        this.stack = stack;
        TreeSet<Target> sorted = new TreeSet<>();
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig env : service.environments()) {
                sorted.add(new Target(env.account(), env.region(), env.cluster(), env.service(), service.repository(), env));
            }
        }
        this.targets = List.copyOf(sorted);
    }

    /** Every configured ECS service's ARN (the long format, with the cluster). */
    List<String> serviceArns() {
        return distinct(targets.stream(), this::serviceArn);
    }

    /** The ARNs of the services Gantry reaches with its own credentials. */
    List<String> directServiceArns() {
        return distinct(targets.stream().filter(Target::direct), this::serviceArn);
    }

    /** True when some environment is reached with Gantry's own credentials. */
    boolean anyDirect() {
        return targets.stream().anyMatch(Target::direct);
    }

    /** {@code task-definition/*} in each account and region Gantry reaches with its own credentials. */
    List<String> directTaskDefinitionArns() {
        return distinct(targets.stream().filter(Target::direct), t -> arn("ecs", t.region(), t.account(), "task-definition", "*"));
    }

    /**
     * The revisions ECS creates for each service Gantry reaches with its own credentials: {@code service-revision/<cluster>/
     * <service>/*}, since a revision's id is only known once ECS starts the deployment.
     */
    List<String> directServiceRevisionArns() {
        return distinct(targets.stream().filter(Target::direct),
                t -> arn("ecs", t.region(), t.account(), "service-revision", t.cluster() + "/" + t.service() + "/*"));
    }

    /** The task and execution roles of the environments Gantry reaches with its own credentials. */
    List<String> directPassableRoles() {
        return distinct(targets.stream().filter(Target::direct)
                .flatMap(t -> Stream.of(t.environment().taskRoleArn(), t.environment().executionRoleArn())), Function.identity());
    }

    /** The roles Gantry assumes. */
    List<String> assumableRoles() {
        return distinct(targets.stream(), t -> t.environment().roleArn());
    }

    /** Every configured cluster's ARN. */
    List<String> clusterArns() {
        return distinct(targets.stream(), t -> arn("ecs", t.region(), t.account(), "cluster", t.cluster()));
    }

    /** The task group ECS gives a service's tasks: {@code service:<name>}. */
    List<String> serviceTaskGroups() {
        return distinct(targets.stream(), t -> "service:" + t.service());
    }

    /** Each service's ECR repository in each account and region it runs in, where its images are pushed. */
    List<String> repositoryArns() {
        return distinct(targets.stream(), t -> arn("ecr", t.region(), t.account(), "repository", t.repository()));
    }

    private String serviceArn(Target t) {
        return arn("ecs", t.region(), t.account(), "service", t.cluster() + "/" + t.service());
    }

    private String arn(String service, String region, String account, String resource, String name) {
        return stack.formatArn(ArnComponents.builder()
                .service(service)
                .region(region)
                .account(account)
                .resource(resource)
                .resourceName(name)
                .arnFormat(ArnFormat.SLASH_RESOURCE_NAME)
                .build());
    }

    /**
     * Distinct and sorted. ARNs from {@code formatArn} render the partition as one token, the same in every ARN of a
     * synth, so they sort by the configuration's values.
     */
    private static <T> List<String> distinct(Stream<T> items, Function<T, String> value) {
        return items.map(value).filter(Objects::nonNull).distinct().sorted().toList();
    }
}
