package dev.gantry.infra;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import software.amazon.awscdk.Arn;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.EventBusProps;
import software.amazon.awscdk.services.iam.AccountPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * What an account holding Gantry environments needs, deployed into that account and region: the roles Gantry assumes
 * there (each environment's {@code roleArn}) and the rules that forward the account's ECS and ECR events to Gantry's
 * event bus. Gantry's own stack accepts those events ({@link GantryAutomation} adds the bus policy).
 *
 * <p>Only environments with a {@code roleArn} in this account are served: an environment without one is reached with
 * Gantry's own credentials, in Gantry's account.
 *
 * <ul>
 *   <li>A role is created under the name and path its ARN gives, once per account: in the stack of the first region,
 *       in order, that one of its environments runs in, since IAM is global and a second stack creating the same name
 *       would fail. It may be assumed only by Gantry's function roles ({@code aws:PrincipalArn} under
 *       {@link GantryEnvironmentAccessProps#gantryRoleNamePrefix()} in Gantry's account) and is allowed exactly what a
 *       deploy does to its environments' services: describe and update them, read their revisions, copy and register
 *       task definitions (tagging only within the registration), and pass the task and execution roles to ECS tasks
 *       only.</li>
 *   <li>Rules forward deployment state changes of the services, stopped tasks of their clusters and image pushes to
 *       their repositories in this account. A delivery that fails lands in a dead-letter queue here.</li>
 * </ul>
 */
public final class GantryEnvironmentAccess extends Construct {

    private static final String ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";

    // A forwarded event that cannot be delivered waits here as long as SQS keeps anything: someone replays it.
    private static final int DEAD_LETTER_RETENTION_DAYS = 14;

    private final List<Role> roles = new ArrayList<>();
    private final List<Rule> forwardingRules = new ArrayList<>();
    private final Queue forwardingDeadLetterQueue;
    private Role forwardingRole;

    public GantryEnvironmentAccess(Construct scope, String id, GantryEnvironmentAccessProps props) {
        super(scope, id);
        List<Served> here = served(props.config(), props.account(), props.region());
        List<Served> inAccount = served(props.config(), props.account(), null);

        // Roles, keyed and ordered by ARN so the template reads the same on every synth.
        Map<String, List<Served>> byRole = new TreeMap<>();
        for (Served environment : inAccount) {
            byRole.computeIfAbsent(environment.environment().roleArn(), arn -> new ArrayList<>()).add(environment);
        }
        for (Map.Entry<String, List<Served>> role : byRole.entrySet()) {
            String firstRegion = role.getValue().stream().map(s -> s.environment().region()).sorted().findFirst().orElseThrow();
            if (firstRegion.equals(props.region())) {
                roles.add(role(role.getKey(), role.getValue(), props));
            }
        }

        this.forwardingDeadLetterQueue = Queue.Builder.create(this, "ForwardingDeadLetterQueue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(DEAD_LETTER_RETENTION_DAYS))
                .build();
        IEventBus gantryBus = EventBus.fromEventBusArn(this, "GantryEventBus", Stack.of(this).formatArn(ArnComponents.builder()
                .service("events")
                .region(props.gantryRegion())
                .account(props.gantryAccount())
                .resource("event-bus")
                .resourceName("default")
                .arnFormat(ArnFormat.SLASH_RESOURCE_NAME)
                .build()));
        if (!here.isEmpty()) {
            // One role for the three rules rather than the one per rule the CDK would add: all put to the same bus.
            this.forwardingRole = Role.Builder.create(this, "ForwardingRole")
                    .assumedBy(new ServicePrincipal("events.amazonaws.com"))
                    .description("EventBridge forwards this account's Gantry events to Gantry's event bus")
                    .build();
            gantryBus.grantPutEventsTo(forwardingRole);
            forward("DeploymentStateRule", "Gantry: forward deployment state changes of Gantry's services to Gantry", EventPattern.builder()
                    .source(List.of("aws.ecs"))
                    .detailType(List.of("ECS Deployment State Change"))
                    .resources(distinct(here, s -> arn("ecs", s, "service", s.environment().cluster() + "/" + s.environment().service())))
                    .build(), gantryBus);
            Map<String, Object> stoppedTask = new LinkedHashMap<>();
            stoppedTask.put("lastStatus", List.of("STOPPED"));
            stoppedTask.put("clusterArn", distinct(here, s -> arn("ecs", s, "cluster", s.environment().cluster())));
            stoppedTask.put("group", distinct(here, s -> "service:" + s.environment().service()));
            forward("TaskStoppedRule", "Gantry: forward stopped tasks of Gantry's services to Gantry", EventPattern.builder()
                    .source(List.of("aws.ecs"))
                    .detailType(List.of("ECS Task State Change"))
                    .detail(stoppedTask)
                    .build(), gantryBus);
            Map<String, Object> push = new LinkedHashMap<>();
            push.put("action-type", List.of("PUSH"));
            push.put("result", List.of("SUCCESS"));
            push.put("repository-name", distinct(here, Served::repository));
            forward("ImagePushRule", "Gantry: forward image pushes to Gantry's service repositories to Gantry", EventPattern.builder()
                    .source(List.of("aws.ecr"))
                    .detailType(List.of("ECR Image Action"))
                    .detail(push)
                    .build(), gantryBus);
        }
    }

    /**
     * The accounts holding environments Gantry reaches through a role, each of which gets a stack of this construct and
     * sends events to Gantry's bus; sorted.
     */
    public static List<String> environmentAccounts(GantryConfig config) {
        return served(config, null, null).stream().map(s -> s.environment().account()).distinct().sorted().toList();
    }

    /** The regions of {@code account} that hold environments Gantry reaches through a role; sorted. */
    public static List<String> environmentRegions(GantryConfig config, String account) {
        return served(config, account, null).stream().map(s -> s.environment().region()).distinct().sorted().toList();
    }

    private Role role(String roleArn, List<Served> environments, GantryEnvironmentAccessProps props) {
        String resourceName = Arn.split(roleArn, ArnFormat.SLASH_RESOURCE_NAME).getResourceName();
        int lastSlash = resourceName.lastIndexOf('/');
        String path = lastSlash < 0 ? "/" : "/" + resourceName.substring(0, lastSlash + 1);
        String name = resourceName.substring(lastSlash + 1);

        List<PolicyStatement> statements = new ArrayList<>();
        statements.add(allow(List.of("ecs:DescribeServices", "ecs:UpdateService"),
                distinct(environments, s -> arn("ecs", s, "service", s.environment().cluster() + "/" + s.environment().service())), null));
        // ECS creates a revision, and its id, with each deployment: the pattern stays within one service.
        statements.add(allow(List.of("ecs:DescribeServiceRevisions"), distinct(environments,
                s -> arn("ecs", s, "service-revision", s.environment().cluster() + "/" + s.environment().service() + "/*")), null));
        // The Service Authorization Reference lists no resource type for these: AWS evaluates them only against "*".
        statements.add(allow(List.of("ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition", "ecs:ListTaskDefinitions",
                "ecs:DeregisterTaskDefinition"), List.of("*"), null));
        // A copied revision keeps its tags, and registering a tagged task definition needs TagResource: only within that.
        statements.add(allow(List.of("ecs:TagResource"), distinct(environments, s -> arn("ecs", s, "task-definition", "*")),
                Map.of("StringEquals", Map.of("ecs:CreateAction", "RegisterTaskDefinition"))));
        List<String> passable = distinct(environments.stream()
                .flatMap(s -> Stream.of(s.environment().taskRoleArn(), s.environment().executionRoleArn()))
                .filter(Objects::nonNull)
                .toList(), Function.identity());
        if (!passable.isEmpty()) {
            statements.add(allow(List.of("iam:PassRole"), passable, Map.of("StringEquals", Map.of("iam:PassedToService", ECS_TASKS_SERVICE))));
        }

        String id = "Role-" + name;
        return Role.Builder.create(this, id)
                .roleName(name)
                .path(path)
                .description("Gantry deploys to " + String.join(", ", distinct(environments, Served::label)) + " through this role")
                .assumedBy(new AccountPrincipal(props.gantryAccount()).withConditions(Map.of("ArnLike", Map.of("aws:PrincipalArn",
                        "arn:" + Aws.PARTITION + ":iam::" + props.gantryAccount() + ":role/" + props.gantryRoleNamePrefix() + "*"))))
                .inlinePolicies(Map.of("GantryDeploy", PolicyDocument.Builder.create().statements(statements).build()))
                .build();
    }

    private void forward(String id, String description, EventPattern pattern, IEventBus gantryBus) {
        Rule rule = Rule.Builder.create(this, id).description(description).eventPattern(pattern).build();
        // An event bus target takes no retry policy: EventBridge retries a failed delivery to a bus for 24 hours on its own,
        // and what still fails then lands in the dead-letter queue.
        rule.addTarget(new software.amazon.awscdk.services.events.targets.EventBus(gantryBus, EventBusProps.builder()
                .deadLetterQueue(forwardingDeadLetterQueue)
                .role(forwardingRole)
                .build()));
        forwardingRules.add(rule);
    }

    private static PolicyStatement allow(List<String> actions, List<String> resources, Map<String, Object> conditions) {
        PolicyStatement.Builder statement = PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(actions).resources(resources);
        if (conditions != null) {
            statement.conditions(conditions);
        }
        return statement.build();
    }

    private String arn(String service, Served environment, String resource, String name) {
        return Stack.of(this).formatArn(ArnComponents.builder()
                .service(service)
                .region(environment.environment().region())
                .account(environment.environment().account())
                .resource(resource)
                .resourceName(name)
                .arnFormat(ArnFormat.SLASH_RESOURCE_NAME)
                .build());
    }

    private static <T> List<String> distinct(List<T> items, Function<T, String> value) {
        return List.copyOf(new TreeSet<>(items.stream().map(value).filter(Objects::nonNull).toList()));
    }

    /** Environments with a role, in {@code account} (any when null) and {@code region} (any when null). */
    private static List<Served> served(GantryConfig config, String account, String region) {
        List<Served> served = new ArrayList<>();
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig environment : service.environments()) {
                if (environment.roleArn() != null
                        && (account == null || account.equals(environment.account()))
                        && (region == null || region.equals(environment.region()))) {
                    served.add(new Served(service.name(), service.repository(), environment));
                }
            }
        }
        return served;
    }

    /** One environment reached through a role, with what its service is called and where its images are pushed. */
    private record Served(String service, String repository, EnvironmentConfig environment) {
        String label() {
            return service + "/" + environment.name();
        }
    }

    /** The roles created here: the environments' {@code roleArn}s whose first region this is. */
    public List<Role> getRoles() {
        return List.copyOf(roles);
    }

    /** The rules forwarding this account's events to Gantry. */
    public List<Rule> getForwardingRules() {
        return List.copyOf(forwardingRules);
    }

    /** Where a forwarded event lands when Gantry's bus cannot be reached. */
    public Queue getForwardingDeadLetterQueue() {
        return forwardingDeadLetterQueue;
    }
}
