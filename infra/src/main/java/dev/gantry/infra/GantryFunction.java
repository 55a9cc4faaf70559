package dev.gantry.infra;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.SystemLogLevel;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.lambda.VersionOptions;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * One Gantry Lambda function with what every Gantry function has: the java25 runtime on arm64 from the shared package,
 * SnapStart, JSON logs to a log group of its own that only it may write to, X-Ray tracing, a role of its own (no
 * account-wide managed policy), the configuration and state table in its environment, and a published version behind
 * the {@value #LIVE_ALIAS} alias. Every trigger invokes that alias ({@link #alias()}), never the function itself:
 * SnapStart applies to published versions only, and the asynchronous invocation settings (retries, event age, the
 * failure queue) are set on the alias, so they apply to what is invoked.
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

    /** The alias every trigger invokes: the function as last deployed, published. */
    static final String LIVE_ALIAS = "live";

    // The newest managed Java runtime: Lambda deprecates a runtime when its Java release leaves long-term support, so
    // the newest LTS is supported longest, and it has SnapStart like java21. The jars stay Java 21 bytecode (the build's
    // release 21), which a Java 25 JVM runs unchanged; moving the language level is a decision for the whole build, the
    // local run and the tests included.
    static final Runtime RUNTIME = Runtime.JAVA_25;

    // The one place the functions' log level is set. Lambda drops JSON lines below it and tells the runtime through
    // AWS_LAMBDA_LOG_LEVEL, which Powertools follows when POWERTOOLS_LOG_LEVEL is not set; so the functions get no
    // POWERTOOLS_LOG_LEVEL. With both set, Powertools takes its own variable, and the two would have to move together:
    // DEBUG set on Lambda alone would add no line, DEBUG set in the environment alone would add lines Lambda drops.
    // POWERTOOLS_LOG_LEVEL remains the switch of the local run and the scripts, where no Lambda filters.
    static final ApplicationLogLevel APPLICATION_LOG_LEVEL = ApplicationLogLevel.INFO;

    // Lambda's own START, END and REPORT lines are INFO; for functions that log a line or two per invocation they would
    // be most of the volume. Duration, errors and throttles are metrics anyway; to read Max Memory Used or Restore
    // Duration from REPORT lines, lower this to INFO while measuring.
    static final SystemLogLevel SYSTEM_LOG_LEVEL = SystemLogLevel.WARN;

    // An invocation runs for seconds, far too short for C2-compiled code to repay its compilation. Stopping at C1 saves
    // JIT work in the first requests of every execution environment, which a SnapStart snapshot does not spare them: it
    // holds what init compiled, not what the handler will. Measured with `scripts/bench cold-start` after priming (java25
    // would otherwise use the full tiered JIT with SnapStart): C2 made the first event 5-24% slower for ecs-deploy,
    // pipeline-gate, chatops-worker and slack-interactions, while the decisions it speeds up take microseconds.
    static final String JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";

    private final Function function;
    private final Alias alias;
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

        this.function = builder(scope, spec.idPrefix().isEmpty() ? "Resource" : spec.idPrefix())
                .description("Gantry " + spec.name() + ": " + spec.description())
                .handler(spec.handler())
                .code(code)
                .memorySize(settings.memorySize())
                .timeout(settings.timeout())
                .role(role)
                .logGroup(logGroup)
                .environment(environment(spec, settings))
                .build();
        this.alias = liveAlias(scope, spec.idPrefix(), function);

        // Lambda keeps these settings per qualifier: on the function they would govern $LATEST, which nothing invokes.
        alias.configureAsyncInvoke(EventInvokeConfigOptions.builder()
                .retryAttempts(retryAttempts)
                .maxEventAge(Duration.hours(MAX_EVENT_AGE_HOURS))
                .onFailure(new SqsDestination(failedInvocationQueue))
                .build());

        settings.table().grant(function, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query");
        logGroup.grantWrite(function);
    }

    /** The function itself, for its configuration and its role; triggers invoke {@link #alias()}. */
    Function function() {
        return function;
    }

    /** The {@value #LIVE_ALIAS} alias, what every trigger invokes. */
    Alias alias() {
        return alias;
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

    /**
     * A function builder holding what every Gantry function runs with, for this class and for a function built apart
     * from it: runtime, architecture, SnapStart, JSON logs at the shared levels and active tracing.
     */
    static Function.Builder builder(Construct scope, String id) {
        return Function.Builder.create(scope, id)
                .runtime(RUNTIME)
                .architecture(Architecture.ARM_64)
                // A new execution environment resumes from a snapshot taken when the version was published, instead of
                // starting the JVM, loading the SDK and reading gantry.yml inside an invocation.
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                // A version is published whenever the configuration or the package changes, and each keeps its own copy
                // of the package against the region's code storage quota; the alias has moved on by the time
                // CloudFormation removes the old one, and nothing else names it.
                .currentVersionOptions(VersionOptions.builder().removalPolicy(RemovalPolicy.DESTROY).build())
                .loggingFormat(LoggingFormat.JSON)
                .applicationLogLevelV2(APPLICATION_LOG_LEVEL)
                .systemLogLevelV2(SYSTEM_LOG_LEVEL)
                .tracing(Tracing.ACTIVE);
    }

    /**
     * Publishes {@code function} as it is configured at synth and points the {@value #LIVE_ALIAS} alias (id
     * {@code <idPrefix>Alias}) at that version. CloudFormation publishes a new version, and moves the alias, only when
     * the function's configuration or package changed.
     */
    static Alias liveAlias(Construct scope, String idPrefix, Function function) {
        return Alias.Builder.create(scope, idPrefix + "Alias")
                .aliasName(LIVE_ALIAS)
                .version(function.getCurrentVersion())
                .build();
    }

    private static Map<String, String> environment(Spec spec, Settings settings) {
        // Insertion-ordered: the template must not depend on a hash map's iteration order.
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GANTRY_CONFIG", FunctionPackage.CONFIG_PATH);
        env.put("GANTRY_TABLE", settings.table().getTableName());
        env.put("POWERTOOLS_SERVICE_NAME", spec.powertoolsServiceName());
        env.put("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS);
        return env;
    }
}
