package dev.gantry.infra;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.core.config.BaseImageConfig;
import dev.gantry.core.config.DependentConfig;
import dev.gantry.core.config.GantryConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awscdk.Arn;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.iam.ServicePrincipalOpts;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.scheduler.CfnSchedule;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * Gantry's golden-image rebuilds: when a base image changes, the images built FROM it are rebuilt by their CodeBuild
 * projects or pipelines, in waves, and each rebuilt image that is itself a base starts the next wave.
 *
 * <p>What it creates, from one deployment package ({@code lib/}{@value #JAR_NAME} plus {@code gantry.yml}):
 * <ul>
 *   <li>the {@code image-rebuild} function (id {@code Resource}), with its log group and role;</li>
 *   <li>EventBridge rules on the default bus feeding it: successful ECR pushes to the base repositories and to every
 *       dependent's {@code produces} repository (a dependent's push is what moves the cascade on); EC2 Image Builder
 *       image state changes, when some base names image pipelines; the end of the dependents' CodeBuild builds and
 *       pipeline executions; and a sweep every {@value #RESUME_SWEEP_RATE_MINUTES} minutes that resumes rebuilds waiting
 *       for a free build slot;</li>
 *   <li>for each base with a {@code schedule}, an EventBridge Scheduler schedule in the base's time zone (see
 *       {@link SchedulerCron} for how the Unix cron is rewritten), invoking the function with a
 *       {@value #SCHEDULED_DETAIL_TYPE} event through a role that may invoke this function and nothing else;</li>
 *   <li>the two queues of {@link EcsDeployAutomation}, unless the props hand over the stack's: undelivered events, and
 *       failed invocations.</li>
 * </ul>
 *
 * <p>Image Builder's state-change event names the image, not the pipeline that built it, and the image ARN carries the
 * recipe's name, so EventBridge cannot match the configured pipelines. The rule matches Image Builder events from the
 * accounts those pipelines belong to, and the function asks Image Builder which pipeline built the image
 * ({@code imagebuilder:GetImage}). A rule sees its own region's events only: pipelines elsewhere need their events
 * forwarded to this bus.
 *
 * <p>The role may touch only what {@code baseImages} names: start the listed CodeBuild projects (and read their builds)
 * and pipelines, read
 * images of the base and produced repositories, read Image Builder images in the pipelines' accounts and regions, and
 * the rebuild ledger in the state table. Repositories, projects and pipelines are named without an ARN in
 * {@code gantry.yml}, so they are taken to be in the stack's account and region, where the function's clients point.
 *
 * <p>The function runs on java25 and arm64 with SnapStart, JSON logs and X-Ray tracing, published behind a {@code live}
 * alias, which the rules and schedules invoke and {@link #getFunction()} returns (the function itself, whose metrics
 * cover every version, is its {@link Alias#getLambda()}). Asynchronous invocations of the alias are not retried and land
 * in the failed-invocation queue (decision 8). Defaults and limits are on {@link ImageRebuildAutomationProps}.
 */
public final class ImageRebuildAutomation extends Construct {

    /** The variable naming the account whose ECR holds the base images; the function's wiring reads the same name. */
    public static final String REGISTRY_ACCOUNT_ENV = "GANTRY_REGISTRY_ACCOUNT";

    /** The handler the image-rebuild jar provides. */
    public static final String HANDLER = "dev.gantry.fn.imagerebuild.ImageRebuildHandler::handleRequest";

    /** The jar's name inside the package, under {@code lib/}. */
    public static final String JAR_NAME = "gantry-image-rebuild-lambda.jar";

    /** Lambda's async retries: none, as for every Gantry function (decision 8). */
    public static final int INVOKE_RETRY_ATTEMPTS = 0;

    /**
     * How often the resume sweep runs. A waiting rebuild normally starts when a build ends and frees its slot; the sweep
     * only catches what that missed, so a few minutes' delay is acceptable.
     */
    public static final int RESUME_SWEEP_RATE_MINUTES = 5;

    /** The detail-type of the event a schedule sends; the function routes on it. */
    public static final String SCHEDULED_DETAIL_TYPE = "Gantry Scheduled Rebuild";

    /** The source of the event a schedule sends. */
    public static final String SCHEDULED_SOURCE = "gantry.schedule";

    // Same reasoning as EcsDeployAutomation: eight tries with backoff span a Lambda throttle.
    private static final int DELIVERY_RETRY_ATTEMPTS = 8;

    // A sweep that could not be delivered is not worth delivering late: the next one does the same work. The minimum
    // event age EventBridge accepts is a minute.
    private static final int SWEEP_DELIVERY_RETRY_ATTEMPTS = 0;
    private static final int SWEEP_MAX_EVENT_AGE_SECONDS = 60;

    // A scheduled rebuild that is lost waits for the next occurrence, often a week: retry as long as the other events.
    private static final int SCHEDULE_RETRY_ATTEMPTS = DELIVERY_RETRY_ATTEMPTS;
    private static final int SCHEDULE_MAX_EVENT_AGE_SECONDS = GantryFunction.MAX_EVENT_AGE_HOURS * 3600;

    private static final int QUEUE_RETENTION_DAYS = 14;

    private static final GantryFunction.Spec IMAGE_REBUILD = new GantryFunction.Spec("", "image-rebuild", HANDLER,
            "rebuilds the images built from a golden image when it changes");

    private final GantryFunction imageRebuild;
    private final IQueue deliveryDeadLetterQueue;
    private final IQueue failedInvocationQueue;
    private final Rule imagePushRule;
    private final Rule imageBuilderRule;
    private final Rule codeBuildRule;
    private final Rule pipelineExecutionRule;
    private final Rule resumeSweepRule;
    private final Role schedulerRole;
    private final Map<String, CfnSchedule> schedules = new LinkedHashMap<>();

    /**
     * @throws IllegalArgumentException when the configuration declares no base images, or the jar or the configuration
     *     file is missing
     * @throws SchedulerCron.UnconvertibleCronException when a base's schedule cannot be run by EventBridge Scheduler
     */
    public ImageRebuildAutomation(Construct scope, String id, ImageRebuildAutomationProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props");
        GantryConfig config = props.config();
        if (config.baseImages().isEmpty()) {
            throw new IllegalArgumentException("the configuration declares no base images, so there is nothing for "
                    + "ImageRebuildAutomation to rebuild; add it only when 'baseImages' is not empty");
        }
        // Before anything is created: a schedule that cannot be converted fails the synth with the base's name.
        Map<String, String> expressions = schedulerExpressions(config);
        Stack stack = Stack.of(this);

        Path packageDir = FunctionPackage.stage(FunctionPackage.stagingRoot(this), props.functionJar(), JAR_NAME, props.configFile());
        Code code = Code.fromAsset(packageDir.toString());

        this.deliveryDeadLetterQueue = props.deliveryDeadLetterQueue() != null
                ? props.deliveryDeadLetterQueue()
                : encryptedQueue("DeliveryDeadLetterQueue");
        this.failedInvocationQueue = props.failedInvocationQueue() != null
                ? props.failedInvocationQueue()
                : encryptedQueue("FailedInvocationQueue");

        GantryFunction.Settings settings =
                new GantryFunction.Settings(props.table(), props.memorySize(), props.timeout(), props.logRetention());
        this.imageRebuild = new GantryFunction(this, IMAGE_REBUILD, code, settings, failedInvocationQueue, INVOKE_RETRY_ATTEMPTS);
        // The base images live in this account's registry; Lambda does not tell a function its own account, and the
        // rebuild service needs it to name BASE_IMAGE as <account>.dkr.ecr.<region>.amazonaws.com/<repository>@<digest>.
        imageRebuild.function().addEnvironment(REGISTRY_ACCOUNT_ENV, Stack.of(this).getAccount());

        List<String> repositories = rebuildRepositories(config);
        List<String> projects = rebuildProjects(config);
        List<String> pipelines = rebuildPipelines(config);
        List<String> imagePipelines = sortedDistinct(config.baseImages().stream().flatMap(b -> b.imageBuilderPipelines().stream()));

        this.imagePushRule = Rule.Builder.create(this, "ImagePushRule")
                .description("Gantry: a successful ECR push to a base image's repository or to one rebuilt from it")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.ecr"))
                        .detailType(List.of("ECR Image Action"))
                        .detail(detail("action-type", List.of("PUSH"), "result", List.of("SUCCESS"), "repository-name", repositories))
                        .build())
                .build();
        deliver(imagePushRule);

        this.imageBuilderRule = imagePipelines.isEmpty() ? null : Rule.Builder.create(this, "ImageBuilderRule")
                .description("Gantry: an EC2 Image Builder image changed state in an account whose pipelines build a base image")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.imagebuilder"))
                        .detailType(List.of("EC2 Image Builder Image State Change"))
                        .account(sortedDistinct(imagePipelines.stream().map(arn -> Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).getAccount())))
                        .build())
                .build();
        if (imageBuilderRule != null) {
            deliver(imageBuilderRule);
        }

        this.codeBuildRule = projects.isEmpty() ? null : Rule.Builder.create(this, "CodeBuildRule")
                .description("Gantry: a build of a project that rebuilds a dependent image changed state")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.codebuild"))
                        .detailType(List.of("CodeBuild Build State Change"))
                        .detail(detail("project-name", projects))
                        .build())
                .build();
        if (codeBuildRule != null) {
            deliver(codeBuildRule);
        }

        this.pipelineExecutionRule = pipelines.isEmpty() ? null : Rule.Builder.create(this, "PipelineExecutionRule")
                .description("Gantry: an execution of a pipeline that rebuilds a dependent image changed state")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.codepipeline"))
                        .detailType(List.of("CodePipeline Pipeline Execution State Change"))
                        .detail(detail("pipeline", pipelines))
                        .build())
                .build();
        if (pipelineExecutionRule != null) {
            deliver(pipelineExecutionRule);
        }

        this.resumeSweepRule = Rule.Builder.create(this, "ResumeSweepRule")
                .description("Gantry: every " + RESUME_SWEEP_RATE_MINUTES + " minutes, start rebuilds waiting for a free build slot")
                .schedule(Schedule.rate(Duration.minutes(RESUME_SWEEP_RATE_MINUTES)))
                .build();
        resumeSweepRule.addTarget(new LambdaFunction(imageRebuild.alias(), LambdaFunctionProps.builder()
                .deadLetterQueue(deliveryDeadLetterQueue)
                .maxEventAge(Duration.seconds(SWEEP_MAX_EVENT_AGE_SECONDS))
                .retryAttempts(SWEEP_DELIVERY_RETRY_ATTEMPTS)
                .build()));

        this.schedulerRole = expressions.isEmpty() ? null : schedulerRole(stack);
        for (BaseImageConfig base : config.baseImages()) {
            if (base.schedule() != null) {
                schedules.put(base.name(), schedule(base, expressions.get(base.name())));
            }
        }

        allowStartingRebuilds(imageRebuild, stack, config);
        // Manifests and the image config come from signed ECR API calls, and the config blob's download is a presigned URL
        // ECR hands out: no registry login (ecr:GetAuthorizationToken) and no S3 permission.
        imageRebuild.allow(List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"),
                repositories.stream().map(r -> arn(stack, "ecr", "repository", r)).toList());
        // Image ARNs are named after their recipe, which gantry.yml does not know: any image in the pipelines' accounts
        // and regions, read only.
        imageRebuild.allow(List.of("imagebuilder:GetImage"), sortedDistinct(imagePipelines.stream().map(pipeline -> {
            ArnComponents parts = Arn.split(pipeline, ArnFormat.SLASH_RESOURCE_NAME);
            return "arn:" + parts.getPartition() + ":imagebuilder:" + parts.getRegion() + ":" + parts.getAccount() + ":image/*";
        })));
        // The rebuild ledger removes a rebuild from the pending queue and reads a wave's records in one batch, beyond the
        // reads and writes every Gantry function has.
        props.table().grant(imageRebuild.function(), "dynamodb:DeleteItem", "dynamodb:BatchGetItem");
    }

    /**
     * The Scheduler expression of each base's schedule, by base name.
     *
     * @throws SchedulerCron.UnconvertibleCronException naming the base, when a schedule cannot be converted
     */
    public static Map<String, String> schedulerExpressions(GantryConfig config) {
        Map<String, String> expressions = new LinkedHashMap<>();
        for (BaseImageConfig base : config.baseImages()) {
            if (base.schedule() == null) {
                continue;
            }
            try {
                expressions.put(base.name(), SchedulerCron.fromUnix(base.schedule().cron()));
            } catch (SchedulerCron.UnconvertibleCronException e) {
                throw new SchedulerCron.UnconvertibleCronException("base image '" + base.name() + "', schedule: " + e.getMessage(), e);
            }
        }
        return expressions;
    }

    /** The image-rebuild function's {@code live} alias, which every rule and schedule invokes. */
    public Alias getFunction() {
        return imageRebuild.alias();
    }

    /** The function's log group. */
    public LogGroup getLogGroup() {
        return imageRebuild.logGroup();
    }

    /**
     * Gives the function the notify queue of {@link ChatOps}: its URL in {@value ChatOps#NOTIFY_QUEUE_ENV} and leave to
     * send to it, so rebuilds are told in Slack.
     */
    public void sendNotificationsTo(IQueue notifyQueue) {
        ChatOps.allowNotifying(imageRebuild, notifyQueue);
    }

    /** The rule matching pushes to the base and produced repositories. */
    public Rule getImagePushRule() {
        return imagePushRule;
    }

    /** The rule matching Image Builder image state changes; empty when no base names an image pipeline. */
    public Optional<Rule> getImageBuilderRule() {
        return Optional.ofNullable(imageBuilderRule);
    }

    /** The rule matching the dependents' CodeBuild builds; empty when no dependent is built by CodeBuild. */
    public Optional<Rule> getCodeBuildRule() {
        return Optional.ofNullable(codeBuildRule);
    }

    /** The rule matching the dependents' pipeline executions; empty when no dependent is built by a pipeline. */
    public Optional<Rule> getPipelineExecutionRule() {
        return Optional.ofNullable(pipelineExecutionRule);
    }

    /** The rule running the resume sweep. */
    public Rule getResumeSweepRule() {
        return resumeSweepRule;
    }

    /** The schedules, by base name, in the configuration's order; empty when no base has a schedule. */
    public Map<String, CfnSchedule> getSchedules() {
        return Map.copyOf(schedules);
    }

    /** The role Scheduler invokes the function with; empty when no base has a schedule. */
    public Optional<IRole> getSchedulerRole() {
        return Optional.ofNullable(schedulerRole);
    }

    /** Receives the events EventBridge and Scheduler could not deliver. */
    public IQueue getDeliveryDeadLetterQueue() {
        return deliveryDeadLetterQueue;
    }

    /** Receives Lambda's record of the function's invocations that failed. */
    public IQueue getFailedInvocationQueue() {
        return failedInvocationQueue;
    }

    private void deliver(Rule rule) {
        rule.addTarget(new LambdaFunction(imageRebuild.alias(), LambdaFunctionProps.builder()
                .deadLetterQueue(deliveryDeadLetterQueue)
                .maxEventAge(Duration.hours(GantryFunction.MAX_EVENT_AGE_HOURS))
                .retryAttempts(DELIVERY_RETRY_ATTEMPTS)
                .build()));
    }

    private Role schedulerRole(Stack stack) {
        // The account condition keeps another account's schedule from using this role (the confused deputy).
        Role role = Role.Builder.create(this, "SchedulerRole")
                .assumedBy(new ServicePrincipal("scheduler.amazonaws.com", ServicePrincipalOpts.builder()
                        .conditions(Map.of("StringEquals", Map.of("aws:SourceAccount", stack.getAccount())))
                        .build()))
                .description("Gantry: lets EventBridge Scheduler start the scheduled rebuilds of base images")
                .build();
        // The live alias the schedules target, and nothing else; Scheduler sends undelivered invocations to the
        // dead-letter queue with this role too.
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(role)
                .actions(List.of("lambda:InvokeFunction"))
                .resourceArns(List.of(imageRebuild.alias().getFunctionArn()))
                .build());
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(role)
                .actions(List.of("sqs:SendMessage"))
                .resourceArns(List.of(deliveryDeadLetterQueue.getQueueArn()))
                .build());
        return role;
    }

    private CfnSchedule schedule(BaseImageConfig base, String expression) {
        return CfnSchedule.Builder.create(this, "Schedule-" + base.name())
                .description("Gantry: rebuild the dependents of base image '" + base.name() + "' on its current digest")
                .scheduleExpression(expression)
                .scheduleExpressionTimezone(base.schedule().timezone().getId())
                .flexibleTimeWindow(CfnSchedule.FlexibleTimeWindowProperty.builder().mode("OFF").build())
                .state("ENABLED")
                .target(CfnSchedule.TargetProperty.builder()
                        .arn(imageRebuild.alias().getFunctionArn())
                        .roleArn(schedulerRole.getRoleArn())
                        .input(scheduledEvent(base.name()))
                        .retryPolicy(CfnSchedule.RetryPolicyProperty.builder()
                                .maximumRetryAttempts(SCHEDULE_RETRY_ATTEMPTS)
                                .maximumEventAgeInSeconds(SCHEDULE_MAX_EVENT_AGE_SECONDS)
                                .build())
                        .deadLetterConfig(CfnSchedule.DeadLetterConfigProperty.builder()
                                .arn(deliveryDeadLetterQueue.getQueueArn())
                                .build())
                        .build())
                .build();
    }

    /**
     * The event a schedule sends, shaped like an EventBridge event so the function reads it as it reads the others.
     * Scheduler fills in the placeholders on each invocation: the execution id is unique per invocation and the time is
     * the one the schedule was due, not the one it ran.
     */
    static String scheduledEvent(String baseName) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("id", "<aws.scheduler.execution-id>");
        event.put("detail-type", SCHEDULED_DETAIL_TYPE);
        event.put("source", SCHEDULED_SOURCE);
        event.put("time", "<aws.scheduler.scheduled-time>");
        event.put("detail", Map.of("base", baseName));
        try {
            return new ObjectMapper().writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    /**
     * Allows {@code function} to start the builds that rebuild the dependents, their CodeBuild projects and pipelines, no
     * other; and to read those projects' builds, where a later attempt looks for the build an earlier one started
     * (decision 26).
     */
    static void allowStartingRebuilds(GantryFunction function, Stack stack, GantryConfig config) {
        function.allow(List.of("codebuild:StartBuild", "codebuild:ListBuildsForProject", "codebuild:BatchGetBuilds"),
                rebuildProjects(config).stream().map(p -> arn(stack, "codebuild", "project", p)).toList());
        function.allow(List.of("codepipeline:StartPipelineExecution"), rebuildPipelines(config).stream().map(p -> pipelineArn(stack, p)).toList());
    }

    /** The base repositories and those the dependents are pushed to, sorted. */
    static List<String> rebuildRepositories(GantryConfig config) {
        return sortedDistinct(config.baseImages().stream()
                .flatMap(b -> Stream.concat(Stream.of(b.repository()), b.dependents().stream().map(DependentConfig::produces))));
    }

    /** The CodeBuild projects that rebuild dependents, sorted. */
    static List<String> rebuildProjects(GantryConfig config) {
        return sortedDistinct(dependents(config).map(DependentConfig::codebuild));
    }

    /** The pipelines that rebuild dependents, sorted. */
    static List<String> rebuildPipelines(GantryConfig config) {
        return sortedDistinct(dependents(config).map(DependentConfig::pipeline));
    }

    /** An event pattern's detail from key and value pairs, insertion-ordered so the template is the same on every synth. */
    private static Map<String, Object> detail(Object... keysAndValues) {
        Map<String, Object> detail = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            detail.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return detail;
    }

    private static Stream<DependentConfig> dependents(GantryConfig config) {
        return config.baseImages().stream().flatMap(b -> b.dependents().stream());
    }

    private static List<String> sortedDistinct(Stream<String> values) {
        return values.filter(Objects::nonNull).distinct().sorted().toList();
    }

    /** {@code name} of {@code resource} in the stack's account and region, where gantry.yml's unqualified names live. */
    static String arn(Stack stack, String service, String resource, String name) {
        return stack.formatArn(ArnComponents.builder()
                .service(service)
                .resource(resource)
                .resourceName(name)
                .arnFormat(ArnFormat.SLASH_RESOURCE_NAME)
                .build());
    }

    static String pipelineArn(Stack stack, String name) {
        return stack.formatArn(ArnComponents.builder()
                .service("codepipeline")
                .resource(name)
                .arnFormat(ArnFormat.NO_RESOURCE_NAME)
                .build());
    }

    private Queue encryptedQueue(String id) {
        return Queue.Builder.create(this, id)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(QUEUE_RETENTION_DAYS))
                .build();
    }
}
