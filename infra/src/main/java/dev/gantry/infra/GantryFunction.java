package dev.gantry.infra;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.dynamodb.ITable;
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
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * One Gantry Lambda function with what every Gantry function has: Java 21 on arm64 from the shared package, a log group
 * of its own that only it may write to, a role of its own (no account-wide managed policy), the configuration and state
 * table in its environment, and asynchronous invocations that are not retried and land in the failure queue.
 *
 * <p>Not a construct of its own, on purpose: the resources are created in the automation's scope under ids prefixed
 * with the function's name. The ecs-deploy function's resources predate this class and are created with no prefix, so
 * their construct paths, and with them the logical ids of its log group and everything else, stay what they were.
 */
final class GantryFunction {

    /** What sets one Gantry function apart from the others. */
    record Spec(String idPrefix, String name, String handler, String description) {

        /** The Powertools service name, which every log line carries. */
        String powertoolsServiceName() {
            return "gantry-" + name;
        }
    }

    /** What every function of one automation shares: where its state lives and how it is sized and logged. */
    record Settings(ITable table, int memorySize, Duration timeout, RetentionDays logRetention) {}

    // An invocation still failing an hour after its event is parked rather than acted on: by then a newer event may
    // describe the service better, and someone decides whether to replay it.
    static final int MAX_EVENT_AGE_HOURS = 1;

    private final Function function;
    private final LogGroup logGroup;
    private final Role role;

    GantryFunction(Construct scope, Spec spec, Code code, Settings settings, IQueue failedInvocationQueue, int retryAttempts) {
        this.logGroup = LogGroup.Builder.create(scope, spec.idPrefix() + "LogGroup")
                .retention(settings.logRetention())
                .build();

        // An explicit role without AWSLambdaBasicExecutionRole: that managed policy may write to every log group in the
        // account, this function needs only its own.
        this.role = Role.Builder.create(scope, spec.idPrefix() + "ServiceRole")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("Gantry " + spec.name() + ": " + spec.description())
                .build();

        this.function = Function.Builder.create(scope, spec.idPrefix().isEmpty() ? "Resource" : spec.idPrefix())
                .description("Gantry " + spec.name() + ": " + spec.description())
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .handler(spec.handler())
                .code(code)
                .memorySize(settings.memorySize())
                .timeout(settings.timeout())
                .role(role)
                .logGroup(logGroup)
                .environment(environment(spec, settings))
                .build();

        function.configureAsyncInvoke(EventInvokeConfigOptions.builder()
                .retryAttempts(retryAttempts)
                .maxEventAge(Duration.hours(MAX_EVENT_AGE_HOURS))
                .onFailure(new SqsDestination(failedInvocationQueue))
                .build());

        settings.table().grant(function, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query");
        logGroup.grantWrite(function);
    }

    Function function() {
        return function;
    }

    LogGroup logGroup() {
        return logGroup;
    }

    /** Allows {@code actions} on {@code resources}; nothing when there are no resources. */
    void allow(List<String> actions, List<String> resources) {
        allow(actions, resources, null);
    }

    /** Allows {@code actions} on {@code resources} under {@code conditions}; nothing when there are no resources. */
    void allow(List<String> actions, List<String> resources, Map<String, Map<String, String>> conditions) {
        if (resources.isEmpty()) {
            return;
        }
        GrantOnPrincipalOptions.Builder options = GrantOnPrincipalOptions.builder()
                .grantee(function)
                .actions(actions)
                .resourceArns(resources);
        if (conditions != null) {
            options.conditions(conditions);
        }
        Grant.addToPrincipal(options.build());
    }

    private static Map<String, String> environment(Spec spec, Settings settings) {
        // Insertion-ordered: the template must not depend on a hash map's iteration order.
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GANTRY_CONFIG", FunctionPackage.CONFIG_PATH);
        env.put("GANTRY_TABLE", settings.table().getTableName());
        env.put("POWERTOOLS_SERVICE_NAME", spec.powertoolsServiceName());
        env.put("POWERTOOLS_LOG_LEVEL", "INFO");
        // Cold start: an invocation runs for seconds, far too short for C2-compiled code to repay its compilation.
        // Stopping at C1 saves JIT work during init and the first request.
        env.put("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
        return env;
    }
}
