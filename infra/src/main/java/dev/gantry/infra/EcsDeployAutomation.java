package dev.gantry.infra;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Stage;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * Gantry's deploy automation: an image pushed to a service's ECR repository becomes a new ECS task-definition
 * revision pinned to the image digest, rolled out to the service.
 *
 * <p>What it creates:
 * <ul>
 *   <li>the {@code ecs-deploy} Lambda function ({@code java21}, arm64, id {@code Resource}), shipped as
 *       {@code lib/gantry-ecs-deploy-lambda.jar} plus {@code gantry.yml}, with a log group of its own;</li>
 *   <li>an EventBridge rule on the default bus matching successful ECR pushes to exactly the repositories the
 *       configuration's services deploy from;</li>
 *   <li>two encrypted SQS queues: events EventBridge could not hand to Lambda, and invocations that still failed
 *       after Lambda's retries;</li>
 *   <li>a role that may describe and update only the configured ECS services and pass only the configured task and
 *       execution roles, and read and write the state table.</li>
 * </ul>
 *
 * <p>Defaults and limits are on {@link EcsDeployAutomationProps}.
 */
public final class EcsDeployAutomation extends Construct {

    /** The handler class the function jar provides, a {@code RequestStreamHandler}. */
    public static final String HANDLER = "dev.gantry.fn.ecsdeploy.EcsDeployHandler::handleRequest";

    /** The jar's name inside the package, under {@code lib/}. */
    public static final String JAR_NAME = "gantry-ecs-deploy-lambda.jar";

    /** Where the configuration lands in the function's file system. */
    public static final String CONFIG_PATH = "/var/task/" + FunctionPackage.CONFIG_FILE_NAME;

    public static final String POWERTOOLS_SERVICE_NAME = "gantry-ecs-deploy";

    /** Lambda's async retries for a failed invocation: a deploy that failed twice more needs a person. */
    public static final int INVOKE_RETRY_ATTEMPTS = 2;

    // A push not deployed within an hour is parked in a queue rather than rolled out hours late, when a newer
    // image may already be running; someone decides whether to replay it.
    private static final int MAX_EVENT_AGE_HOURS = 1;

    // EventBridge fails to deliver when Lambda throttles or briefly rejects the Invoke call; with EventBridge's
    // backoff, eight tries span the minutes that takes to clear.
    private static final int DELIVERY_RETRY_ATTEMPTS = 8;

    // The SQS maximum: a failure on Friday evening is still there to replay after a long weekend.
    private static final int QUEUE_RETENTION_DAYS = 14;

    private static final String ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";
    private static final String STAGING_DIR = "gantry-packages";

    private final Function function;
    private final LogGroup logGroup;
    private final Rule rule;
    private final Queue deliveryDeadLetterQueue;
    private final Queue failedInvocationQueue;

    /**
     * @throws IllegalArgumentException when the configuration declares no services, or the jar or the configuration
     *     file is missing
     */
    public EcsDeployAutomation(Construct scope, String id, EcsDeployAutomationProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props");
        GantryConfig config = props.config();
        List<String> repositories = config.serviceRepositories();
        if (repositories.isEmpty()) {
            throw new IllegalArgumentException("the configuration declares no services, so there is nothing for "
                    + "EcsDeployAutomation to deploy; add it only when 'services' is not empty");
        }

        Path packageDir = FunctionPackage.stage(stagingRoot(), props.functionJar(), JAR_NAME, props.configFile());

        this.logGroup = LogGroup.Builder.create(this, "LogGroup")
                .retention(props.logRetention())
                .build();

        // An explicit role without AWSLambdaBasicExecutionRole: that managed policy may write to every log group
        // in the account, this function needs only its own.
        Role role = Role.Builder.create(this, "ServiceRole")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("Gantry ecs-deploy: rolls the configured ECS services to pushed images")
                .build();

        this.function = Function.Builder.create(this, "Resource")
                .description("Gantry ecs-deploy: rolls ECS services to pushed images, pinned to their digest")
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .handler(HANDLER)
                .code(Code.fromAsset(packageDir.toString()))
                .memorySize(props.memorySize())
                .timeout(props.timeout())
                .role(role)
                .logGroup(logGroup)
                .environment(environment(props))
                .build();

        this.deliveryDeadLetterQueue = encryptedQueue("DeliveryDeadLetterQueue");
        this.failedInvocationQueue = encryptedQueue("FailedInvocationQueue");

        // Two queues, not one: EventBridge parks the raw ECR event when it cannot invoke the function at all,
        // Lambda parks an invocation record (request, error, attempts) when the function ran and failed. Different
        // shapes, different causes and a different remedy (replay the event vs. fix the deploy), so each gets its
        // own queue.
        function.configureAsyncInvoke(EventInvokeConfigOptions.builder()
                .retryAttempts(INVOKE_RETRY_ATTEMPTS)
                .maxEventAge(Duration.hours(MAX_EVENT_AGE_HOURS))
                .onFailure(new SqsDestination(failedInvocationQueue))
                .build());

        this.rule = Rule.Builder.create(this, "ImagePushRule")
                .description("Gantry: a successful ECR push to a service repository starts a deploy")
                .eventPattern(imagePushPattern(repositories))
                .build();
        rule.addTarget(new LambdaFunction(function, LambdaFunctionProps.builder()
                .deadLetterQueue(deliveryDeadLetterQueue)
                .maxEventAge(Duration.hours(MAX_EVENT_AGE_HOURS))
                .retryAttempts(DELIVERY_RETRY_ATTEMPTS)
                .build()));

        grantEcs(config);
        grantPassRole(config);
        props.table().grant(function,
                "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query");
        logGroup.grantWrite(function);
    }

    /** The ecs-deploy function. */
    public Function getFunction() {
        return function;
    }

    public LogGroup getLogGroup() {
        return logGroup;
    }

    /** The rule matching successful pushes to the configured service repositories. */
    public Rule getRule() {
        return rule;
    }

    /** Receives the ECR events EventBridge could not deliver to the function. */
    public Queue getDeliveryDeadLetterQueue() {
        return deliveryDeadLetterQueue;
    }

    /** Receives Lambda's record of invocations that failed after {@value #INVOKE_RETRY_ATTEMPTS} retries. */
    public Queue getFailedInvocationQueue() {
        return failedInvocationQueue;
    }

    private Path stagingRoot() {
        Stage stage = Stage.of(this);
        if (stage == null) {
            throw new IllegalStateException("EcsDeployAutomation must be created inside a CDK App or Stage");
        }
        return Path.of(stage.getAssetOutdir()).toAbsolutePath().resolve(STAGING_DIR);
    }

    private static Map<String, String> environment(EcsDeployAutomationProps props) {
        // Insertion-ordered: the template must not depend on a hash map's iteration order.
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GANTRY_CONFIG", CONFIG_PATH);
        env.put("GANTRY_TABLE", props.table().getTableName());
        env.put("POWERTOOLS_SERVICE_NAME", POWERTOOLS_SERVICE_NAME);
        env.put("POWERTOOLS_LOG_LEVEL", "INFO");
        // Cold start: a deploy runs for seconds, far too short for C2-compiled code to repay its compilation.
        // Stopping at C1 saves JIT work during init and the first request.
        env.put("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
        return env;
    }

    private static EventPattern imagePushPattern(List<String> repositories) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("action-type", List.of("PUSH"));
        detail.put("result", List.of("SUCCESS"));
        detail.put("repository-name", repositories);
        return EventPattern.builder()
                .source(List.of("aws.ecr"))
                .detailType(List.of("ECR Image Action"))
                .detail(detail)
                .build();
    }

    private Queue encryptedQueue(String id) {
        return Queue.Builder.create(this, id)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(QUEUE_RETENTION_DAYS))
                .build();
    }

    private void grantEcs(GantryConfig config) {
        Stack stack = Stack.of(this);
        List<EcsTarget> targets = ecsTargets(config);
        List<String> serviceArns = targets.stream()
                .map(t -> ecsArn(stack, t.region(), t.account(), "service", t.cluster() + "/" + t.service()))
                .toList();
        grant(List.of("ecs:DescribeServices", "ecs:UpdateService"), serviceArns, null);

        // DescribeTaskDefinition and RegisterTaskDefinition do not support resource-level permissions: AWS
        // evaluates them only against "*".
        grant(List.of("ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"), List.of("*"), null);

        // The new revision is a copy of the running one, tags included, and registering a tagged task definition
        // needs TagResource. The condition allows tagging only as part of that registration.
        List<String> taskDefinitionArns = targets.stream()
                .map(t -> new Location(t.account(), t.region()))
                .distinct()
                .map(l -> ecsArn(stack, l.region(), l.account(), "task-definition", "*"))
                .toList();
        grant(List.of("ecs:TagResource"), taskDefinitionArns,
                Map.of("StringEquals", Map.of("ecs:CreateAction", "RegisterTaskDefinition")));
    }

    private void grantPassRole(GantryConfig config) {
        List<String> roles = passableRoles(config);
        if (roles.isEmpty()) {
            return;
        }
        grant(List.of("iam:PassRole"), roles,
                Map.of("StringEquals", Map.of("iam:PassedToService", ECS_TASKS_SERVICE)));
    }

    private void grant(List<String> actions, List<String> resources, Map<String, Map<String, String>> conditions) {
        GrantOnPrincipalOptions.Builder options = GrantOnPrincipalOptions.builder()
                .grantee(function)
                .actions(actions)
                .resourceArns(resources);
        if (conditions != null) {
            options.conditions(conditions);
        }
        Grant.addToPrincipal(options.build());
    }

    private static String ecsArn(Stack stack, String region, String account, String resource, String name) {
        return stack.formatArn(ArnComponents.builder()
                .service("ecs")
                .region(region)
                .account(account)
                .resource(resource)
                .resourceName(name)
                .arnFormat(ArnFormat.SLASH_RESOURCE_NAME)
                .build());
    }

    /** Every ECS service the configuration deploys to, sorted so the policy reads the same on every synth. */
    static List<EcsTarget> ecsTargets(GantryConfig config) {
        TreeSet<EcsTarget> targets = new TreeSet<>();
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig env : service.environments()) {
                targets.add(new EcsTarget(env.account(), env.region(), env.cluster(), env.service()));
            }
        }
        return List.copyOf(targets);
    }

    /** The task and execution roles the configuration names, distinct and sorted. */
    static List<String> passableRoles(GantryConfig config) {
        return config.services().stream()
                .flatMap(service -> service.environments().stream())
                .flatMap(env -> Stream.of(env.taskRoleArn(), env.executionRoleArn()))
                .filter(Objects::nonNull)
                .distinct()
                .sorted()
                .toList();
    }

    private record Location(String account, String region) {}

    record EcsTarget(String account, String region, String cluster, String service) implements Comparable<EcsTarget> {
        private static final Comparator<EcsTarget> ORDER = Comparator.comparing(EcsTarget::account)
                .thenComparing(EcsTarget::region)
                .thenComparing(EcsTarget::cluster)
                .thenComparing(EcsTarget::service);

        @Override
        public int compareTo(EcsTarget other) {
            return ORDER.compare(this, other);
        }
    }
}
