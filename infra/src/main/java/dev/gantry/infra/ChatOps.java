package dev.gantry.infra;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.codepipeline.IPipeline;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.SqsQueue;
import software.amazon.awscdk.services.events.targets.SqsQueueProps;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.FunctionUrl;
import software.amazon.awscdk.services.lambda.FunctionUrlAuthType;
import software.amazon.awscdk.services.lambda.FunctionUrlOptions;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSourceProps;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.SqsSubscription;
import software.amazon.awscdk.services.sns.subscriptions.SqsSubscriptionProps;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * Gantry in Slack: the {@code /gantry} command and the buttons on release threads, and the threads themselves, kept up
 * to date as pipelines, builds, alarms and approvals move.
 *
 * <p>What it creates, from two deployment packages: {@code lib/}{@value #INTERACTIONS_JAR_NAME} alone for
 * slack-interactions, which reads no configuration, and {@code lib/}{@value #JAR_NAME} plus {@code gantry.yml} for
 * chatops-worker and chatops-notify:
 * <ul>
 *   <li>{@code slack-interactions} behind a Lambda function URL on its {@code live} alias without AWS authentication,
 *       the stack's only public endpoint ({@link #getInteractivityUrl()}): Slack cannot sign with SigV4, so the
 *       function checks Slack's own signature with the app's signing secret, and within Slack's three seconds hands the
 *       request to the request queue. It may read that one secret and send to that one queue; it has no state table
 *       and no deploy rights;</li>
 *   <li>the request queue (standard, encrypted, a dead-letter queue after {@value #REQUEST_MAX_RECEIVES} receives) and
 *       {@code chatops-worker}, which it feeds one command at a time: status, deploy, rollback, pin, unpin, veto,
 *       rebuild, freeze and approvals. The worker may do what ecs-deploy does to the configured services, start the
 *       configured rebuilds, answer manual approvals of the known pipelines and post with the bot token;</li>
 *   <li>the notify queue (FIFO, encrypted, {@value #NOTIFY_RETENTION_DAYS} days): every Gantry function puts its news
 *       there, one message group per release thread, and {@code chatops-notify} posts it in
 *       order. While Slack is down the messages wait and are tried again; after {@value #NOTIFY_MAX_RECEIVES} receives
 *       a message moves to a FIFO dead-letter queue, kept {@value #NOTIFY_RETENTION_DAYS} days, to be redriven;</li>
 *   <li>the event queue (standard, encrypted, {@value #NOTIFY_RETENTION_DAYS} days), which also feeds chatops-notify:
 *       EventBridge rules put in it the known pipelines' execution and stage changes, the rebuild projects' build changes
 *       and the state changes of the alarms the gates in use watch (each rule only when there is something to match),
 *       and the approval topic CodePipeline's manual approvals. Like news, they wait there while Slack is down and go to
 *       a dead-letter queue after {@value #NOTIFY_MAX_RECEIVES} receives (decision 35);</li>
 *   <li>an encrypted SNS topic for CodePipeline manual approvals ({@link #getApprovalTopic()}), whose notifications go
 *       to the event queue: a pipeline's approval action names it to have its approval asked in Slack;</li>
 *   <li>for each function a log group and a role of its own.</li>
 * </ul>
 *
 * <p>Secrets enter the template by ARN only; the functions read the values at run time. The other automations' functions
 * get the notify queue from their {@code sendNotificationsTo} ({@link EcsDeployAutomation#sendNotificationsTo},
 * {@link ReleaseGates#sendNotificationsTo}, {@link ImageRebuildAutomation#sendNotificationsTo}).
 *
 * <p>The functions run on java25 and arm64 with SnapStart, JSON logs and X-Ray tracing, each published behind a
 * {@code live} alias: the function URL and the queues' event sources invoke that alias, and the {@code get*Function()}
 * getters return it (the function itself, whose metrics cover every version, is its {@link Alias#getLambda()}). Nothing
 * invokes them asynchronously; should someone, the invocation is not retried and lands in the failed-invocation queue
 * (decision 8). Defaults and limits are on {@link ChatOpsProps}.
 */
public final class ChatOps extends Construct {

    /** slack-interactions: verifies Slack's signature, answers at once and queues the request. */
    public static final String INTERACTIONS_HANDLER = "dev.gantry.fn.interactions.SlackInteractionsHandler::handleRequest";

    /** chatops-worker: carries out one queued request. */
    public static final String WORKER_HANDLER = "dev.gantry.fn.chatops.ChatOpsWorkerHandler::handleRequest";

    /** chatops-notify: posts and updates release threads from the notify queue and the event queue. */
    public static final String NOTIFY_HANDLER = "dev.gantry.fn.chatops.ChatOpsNotifyHandler::handleRequest";

    /** The ChatOps jar's name inside chatops-worker's and chatops-notify's package, under {@code lib/}. */
    public static final String JAR_NAME = "gantry-chatops-lambda.jar";

    /** The slack-interactions jar's name inside its own package, under {@code lib/}. */
    public static final String INTERACTIONS_JAR_NAME = "gantry-slack-interactions-lambda.jar";

    /**
     * What {@code infra/slack/manifest.yml} holds where the Slack app's request URLs go: replaced by the stack's
     * {@code SlackInteractivityUrl} output before the manifest is pasted into Slack.
     */
    public static final String INTERACTIVITY_URL_PLACEHOLDER = "https://REPLACE-WITH-SlackInteractivityUrl/";

    /** The variable naming the secret that holds the Slack app's signing secret. */
    public static final String SIGNING_SECRET_ENV = "GANTRY_SLACK_SIGNING_SECRET_ARN";

    /** The variable naming the secret that holds the Slack bot token. */
    public static final String BOT_TOKEN_SECRET_ENV = "GANTRY_SLACK_BOT_TOKEN_SECRET_ARN";

    /** The variable holding the request queue's URL, where slack-interactions puts what the worker is to do. */
    public static final String REQUEST_QUEUE_ENV = "GANTRY_CHATOPS_REQUEST_QUEUE_URL";

    /** The variable holding the notify queue's URL, in every function that has news for Slack. */
    public static final String NOTIFY_QUEUE_ENV = "GANTRY_NOTIFY_QUEUE_URL";

    /**
     * Lambda's async retries for chatops-worker and chatops-notify: none (decision 8). Queues feed both, so this governs
     * only an asynchronous invoke someone makes by hand; EventBridge and SNS deliver to the event queue instead of
     * invoking chatops-notify, whose failures Lambda would retry twice at most (decision 35).
     */
    public static final int INVOKE_RETRY_ATTEMPTS = 0;

    /**
     * How often a request is tried before it goes to the request dead-letter queue. A command that fails five times
     * fails for a reason someone has to look at; trying it for longer would only run it when its asker has moved on.
     */
    public static final int REQUEST_MAX_RECEIVES = 5;

    /**
     * How often a notification, or an event of the event queue, is tried before it goes to its dead-letter queue: with
     * the visibility timeout of six function timeouts, fifty tries span hours of a Slack outage, after which the message
     * waits there to be redriven.
     */
    public static final int NOTIFY_MAX_RECEIVES = 50;

    /** How long notifications are kept, in the queue and in its dead-letter queue: SQS's maximum. */
    public static final int NOTIFY_RETENTION_DAYS = 14;

    /**
     * How long a command waits in the request queue. A command nobody has carried out within an hour is stale (the
     * person who gave it has asked again or given up), and a deploy nobody expected any more must not start. Five
     * receives at six function timeouts each move a failing command to the dead-letter queue well inside the hour.
     */
    public static final int REQUEST_RETENTION_MINUTES = 60;

    /** Each message of the request queue is one person's command, carried out alone so one failure blocks no other. */
    public static final int REQUEST_BATCH_SIZE = 1;

    /** Notifications are posted ten at a time; a message that fails stops its group only, and the rest are reported back. */
    public static final int NOTIFY_BATCH_SIZE = 10;

    /**
     * Slack shows an error when it has had no answer after three seconds, so a request that takes longer has failed
     * anyway; the timeout only ends one that hangs.
     */
    public static final int INTERACTIONS_TIMEOUT_SECONDS = 10;

    // Lambda's guidance for an SQS event source: a visibility timeout of six function timeouts, so a batch is not handed
    // out again while an invocation, with its retries for throttling, may still be working on it.
    static final int VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT = 6;

    // Same reasoning as EcsDeployAutomation: eight tries with backoff span a Lambda throttle.
    private static final int DELIVERY_RETRY_ATTEMPTS = 8;

    private static final int DEAD_LETTER_RETENTION_DAYS = 14;

    // SNS encrypts the approval topic with the AWS managed key: a pipeline's role in this account may publish with it,
    // and there is no key policy to keep.
    private static final String SNS_MANAGED_KEY_ALIAS = "alias/aws/sns";

    private static final GantryFunction.Spec WORKER = new GantryFunction.Spec("Worker", "chatops-worker", WORKER_HANDLER,
            "carries out the commands and approvals given in Slack");
    private static final GantryFunction.Spec NOTIFY = new GantryFunction.Spec("Notify", "chatops-notify", NOTIFY_HANDLER,
            "keeps the release threads in Slack up to date, in order per thread");
    private static final String INTERACTIONS_NAME = "slack-interactions";
    private static final String INTERACTIONS_DESCRIPTION = "checks Slack's signature on commands and clicks and queues them";

    private final Alias interactions;
    private final FunctionUrl interactivityUrl;
    private final GantryFunction worker;
    private final GantryFunction notify;
    private final Queue requestQueue;
    private final Queue requestDeadLetterQueue;
    private final Queue notifyQueue;
    private final Queue notifyDeadLetterQueue;
    private final Queue eventQueue;
    private final Queue eventDeadLetterQueue;
    private final ITopic approvalTopic;
    private final IQueue deliveryDeadLetterQueue;
    private final IQueue failedInvocationQueue;
    private final Rule pipelineRule;
    private final Rule approvalRule;
    private final Rule buildRule;
    private final Rule alarmRule;

    /**
     * @throws IllegalArgumentException when the configuration has no {@code slack} section, or either jar or the
     *     configuration file is missing
     */
    public ChatOps(Construct scope, String id, ChatOpsProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props");
        GantryConfig config = props.config();
        if (config.slack() == null) {
            throw new IllegalArgumentException("the configuration has no 'slack' section, so ChatOps would not know where to "
                    + "post; add it only when 'slack' is there");
        }
        Stack stack = Stack.of(this);
        ConfiguredTargets targets = new ConfiguredTargets(stack, config);
        // The worker deploys through the same gates as ecs-deploy; the bot token reads Slack user groups for approvals.
        GateCheckPermissions gateChecks = new GateCheckPermissions(stack, config, props.table(), props.slackBotTokenSecretArn());

        Path stagingRoot = FunctionPackage.stagingRoot(this);
        Path chatOpsPackage = FunctionPackage.stage(stagingRoot, props.functionJar(), JAR_NAME, props.configFile());
        // slack-interactions reads only its environment, so its package has no gantry.yml: a configuration change
        // leaves the public endpoint's published version, and its SnapStart snapshot, as they are.
        Path interactionsPackage = FunctionPackage.stage(stagingRoot, props.interactionsJar(), INTERACTIONS_JAR_NAME);
        Code chatOpsCode = Code.fromAsset(chatOpsPackage.toString());
        Code interactionsCode = Code.fromAsset(interactionsPackage.toString());

        this.deliveryDeadLetterQueue = props.deliveryDeadLetterQueue() != null
                ? props.deliveryDeadLetterQueue()
                : encryptedQueue("DeliveryDeadLetterQueue", Duration.days(DEAD_LETTER_RETENTION_DAYS));
        this.failedInvocationQueue = props.failedInvocationQueue() != null
                ? props.failedInvocationQueue()
                : encryptedQueue("FailedInvocationQueue", Duration.days(DEAD_LETTER_RETENTION_DAYS));

        Duration visibilityTimeout = Duration.seconds(props.timeout().toSeconds().intValue() * VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT);
        this.requestDeadLetterQueue = encryptedQueue("RequestDeadLetterQueue", Duration.days(DEAD_LETTER_RETENTION_DAYS));
        this.requestQueue = Queue.Builder.create(this, "RequestQueue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.minutes(REQUEST_RETENTION_MINUTES))
                .visibilityTimeout(visibilityTimeout)
                .deadLetterQueue(DeadLetterQueue.builder().queue(requestDeadLetterQueue).maxReceiveCount(REQUEST_MAX_RECEIVES).build())
                .build();

        // FIFO, so one thread's news arrives in the order it happened; deduplication by content is off because two
        // identical updates at different times are both news: senders set the deduplication id themselves.
        this.notifyDeadLetterQueue = Queue.Builder.create(this, "NotifyDeadLetterQueue")
                .fifo(true)
                .contentBasedDeduplication(false)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(NOTIFY_RETENTION_DAYS))
                .build();
        this.notifyQueue = Queue.Builder.create(this, "NotifyQueue")
                .fifo(true)
                .contentBasedDeduplication(false)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(NOTIFY_RETENTION_DAYS))
                .visibilityTimeout(visibilityTimeout)
                .deadLetterQueue(DeadLetterQueue.builder().queue(notifyDeadLetterQueue).maxReceiveCount(NOTIFY_MAX_RECEIVES).build())
                .build();

        // Standard: a standard SNS topic (what CodePipeline's approvals publish to) cannot deliver to a FIFO queue, and
        // EventBridge only under one fixed message group, which would hold every thread behind any event that fails. These
        // events need no order between them: a thread's story is a fold in which no phase goes backwards.
        this.eventDeadLetterQueue = encryptedQueue("EventDeadLetterQueue", Duration.days(NOTIFY_RETENTION_DAYS));
        this.eventQueue = Queue.Builder.create(this, "EventQueue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(NOTIFY_RETENTION_DAYS))
                .visibilityTimeout(visibilityTimeout)
                .deadLetterQueue(DeadLetterQueue.builder().queue(eventDeadLetterQueue).maxReceiveCount(NOTIFY_MAX_RECEIVES).build())
                .build();

        Function interactionsFunction = interactionsFunction(interactionsCode, props);
        this.interactions = GantryFunction.liveAlias(this, "Interactions", interactionsFunction);
        this.interactivityUrl = interactions.addFunctionUrl(FunctionUrlOptions.builder().authType(FunctionUrlAuthType.NONE).build());
        allow(interactionsFunction, "secretsmanager:GetSecretValue", props.slackSigningSecretArn());
        allow(interactionsFunction, "sqs:SendMessage", requestQueue.getQueueArn());

        GantryFunction.Settings settings =
                new GantryFunction.Settings(props.table(), props.memorySize(), props.timeout(), props.logRetention());
        this.worker = new GantryFunction(this, WORKER, chatOpsCode, settings, failedInvocationQueue, INVOKE_RETRY_ATTEMPTS);
        this.notify = new GantryFunction(this, NOTIFY, chatOpsCode, settings, failedInvocationQueue, INVOKE_RETRY_ATTEMPTS);
        for (GantryFunction poster : List.of(worker, notify)) {
            // The token itself never enters the template or the environment: the function reads it at run time.
            poster.function().addEnvironment(BOT_TOKEN_SECRET_ENV, props.slackBotTokenSecretArn());
            poster.allow(List.of("secretsmanager:GetSecretValue"), List.of(props.slackBotTokenSecretArn()));
        }

        List<String> knownPipelineNames = new ArrayList<>(ImageRebuildAutomation.rebuildPipelines(config));
        List<String> approvableActions = new ArrayList<>(knownPipelineNames.stream()
                .map(name -> ImageRebuildAutomation.pipelineArn(stack, name) + "/*").toList());
        for (IPipeline pipeline : props.approvalPipelines()) {
            knownPipelineNames.add(pipeline.getPipelineName());
            approvableActions.add(pipeline.getPipelineArn() + "/*");
        }
        grantWorker(stack, config, targets, gateChecks, props, approvableActions);

        worker.alias().addEventSource(new SqsEventSource(requestQueue, SqsEventSourceProps.builder()
                .batchSize(REQUEST_BATCH_SIZE)
                .reportBatchItemFailures(true)
                .build()));
        notify.alias().addEventSource(new SqsEventSource(notifyQueue, SqsEventSourceProps.builder()
                .batchSize(NOTIFY_BATCH_SIZE)
                .reportBatchItemFailures(true)
                .build()));
        notify.alias().addEventSource(new SqsEventSource(eventQueue, SqsEventSourceProps.builder()
                .batchSize(NOTIFY_BATCH_SIZE)
                .reportBatchItemFailures(true)
                .build()));

        this.pipelineRule = knownPipelineNames.isEmpty() ? null : deliver(Rule.Builder.create(this, "PipelineRule")
                .description("Gantry ChatOps: an execution or a stage of a pipeline Gantry knows changed state")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.codepipeline"))
                        .detailType(List.of("CodePipeline Pipeline Execution State Change", "CodePipeline Stage Execution State Change"))
                        .detail(Map.of("pipeline", knownPipelineNames))
                        .build())
                .build());
        // An approval card loses its buttons when its approval ends outside Slack; only the approval actions' ends, so
        // that the known pipelines' other actions (builds, deploys) do not flow through the queue.
        this.approvalRule = knownPipelineNames.isEmpty() ? null : deliver(Rule.Builder.create(this, "ApprovalRule")
                .description("Gantry ChatOps: a manual approval of a pipeline Gantry knows ended")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.codepipeline"))
                        .detailType(List.of("CodePipeline Action Execution State Change"))
                        .detail(Map.of("pipeline", knownPipelineNames, "type", Map.of("category", List.of("Approval")),
                                "state", List.of("SUCCEEDED", "FAILED", "ABANDONED")))
                        .build())
                .build());
        List<String> projects = ImageRebuildAutomation.rebuildProjects(config);
        this.buildRule = projects.isEmpty() ? null : deliver(Rule.Builder.create(this, "BuildRule")
                .description("Gantry ChatOps: a build of a project that rebuilds a dependent image changed state")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.codebuild"))
                        .detailType(List.of("CodeBuild Build State Change"))
                        .detail(Map.of("project-name", projects))
                        .build())
                .build());
        List<Object> alarmNames = watchedAlarmNames(config);
        this.alarmRule = alarmNames.isEmpty() ? null : deliver(Rule.Builder.create(this, "AlarmRule")
                .description("Gantry ChatOps: an alarm a gate watches changed state")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.cloudwatch"))
                        .detailType(List.of("CloudWatch Alarm State Change"))
                        .detail(Map.of("alarmName", alarmNames))
                        .build())
                .build());

        this.approvalTopic = props.approvalTopic() != null ? props.approvalTopic() : approvalTopic(this);
        // SNS retries a delivery the queue refuses; what it still cannot deliver goes where the rules' undelivered events
        // go. Not raw: the envelope's MessageId names the notification in the log.
        approvalTopic.addSubscription(new SqsSubscription(eventQueue, SqsSubscriptionProps.builder()
                .deadLetterQueue(deliveryDeadLetterQueue)
                .build()));

        // A command's outcome goes to its release thread like any other news, in order behind what came before.
        allowNotifying(worker, notifyQueue);
    }

    /**
     * Gives {@code function} the notify queue: its URL in {@value #NOTIFY_QUEUE_ENV} and leave to send to it, nothing
     * else. The queue is FIFO, so every send names a message group (the release thread) and a deduplication id.
     */
    static void allowNotifying(GantryFunction function, IQueue notifyQueue) {
        Objects.requireNonNull(notifyQueue, "notifyQueue");
        function.function().addEnvironment(NOTIFY_QUEUE_ENV, notifyQueue.getQueueUrl());
        function.allow(List.of("sqs:SendMessage"), List.of(notifyQueue.getQueueArn()));
    }

    /** slack-interactions' {@code live} alias, which the function URL invokes. */
    public Alias getInteractionsFunction() {
        return interactions;
    }

    /**
     * The function URL Slack sends commands and clicks to: the app's slash command and interactivity request URL. It
     * belongs to the {@code live} alias, so Slack reaches the published version.
     */
    public FunctionUrl getInteractivityUrl() {
        return interactivityUrl;
    }

    /** chatops-worker's {@code live} alias, which the request queue feeds. */
    public Alias getWorkerFunction() {
        return worker.alias();
    }

    /** chatops-notify's {@code live} alias, which the notify queue and the event queue invoke. */
    public Alias getNotifyFunction() {
        return notify.alias();
    }

    /** Where slack-interactions puts requests for the worker. */
    public IQueue getRequestQueue() {
        return requestQueue;
    }

    /** Requests the worker failed on {@value #REQUEST_MAX_RECEIVES} times. */
    public IQueue getRequestDeadLetterQueue() {
        return requestDeadLetterQueue;
    }

    /** The FIFO queue every Gantry function puts its news for Slack in. */
    public IQueue getNotifyQueue() {
        return notifyQueue;
    }

    /** Notifications Slack would not take {@value #NOTIFY_MAX_RECEIVES} times; redrive them once it does. */
    public IQueue getNotifyDeadLetterQueue() {
        return notifyDeadLetterQueue;
    }

    /** The queue EventBridge's rules and the approval topic deliver to, and chatops-notify reads. */
    public IQueue getEventQueue() {
        return eventQueue;
    }

    /** Events and approval notifications chatops-notify failed on {@value #NOTIFY_MAX_RECEIVES} times; redrive them once fixed. */
    public IQueue getEventDeadLetterQueue() {
        return eventDeadLetterQueue;
    }

    /**
     * An encrypted topic for CodePipeline manual approvals, for a stack that needs it before its ChatOps (see
     * {@link ChatOpsProps#approvalTopic()}); ChatOps makes the same one itself otherwise.
     */
    public static Topic approvalTopic(Construct scope) {
        return Topic.Builder.create(scope, "ApprovalTopic")
                .displayName("Gantry approvals")
                .masterKey(software.amazon.awscdk.services.kms.Alias.fromAliasName(scope, "SnsManagedKey", SNS_MANAGED_KEY_ALIAS))
                .enforceSsl(true)
                .build();
    }

    /** The topic a CodePipeline manual approval action names to have its approval asked in Slack. */
    public ITopic getApprovalTopic() {
        return approvalTopic;
    }

    /** Receives the events EventBridge and SNS could not deliver to the event queue. */
    public IQueue getDeliveryDeadLetterQueue() {
        return deliveryDeadLetterQueue;
    }

    /** Receives Lambda's record of a failed asynchronous invocation of chatops-worker or chatops-notify. */
    public IQueue getFailedInvocationQueue() {
        return failedInvocationQueue;
    }

    /** The rule matching the known pipelines' executions and stages; empty when Gantry knows no pipeline. */
    public Optional<Rule> getPipelineRule() {
        return Optional.ofNullable(pipelineRule);
    }

    /** The rule matching the end of the known pipelines' manual approvals; empty when Gantry knows no pipeline. */
    public Optional<Rule> getApprovalRule() {
        return Optional.ofNullable(approvalRule);
    }

    /** The rule matching the rebuild projects' builds; empty when no dependent is built by CodeBuild. */
    public Optional<Rule> getBuildRule() {
        return Optional.ofNullable(buildRule);
    }

    /** The rule matching the alarms the gates in use watch; empty when no gate in use watches alarms. */
    public Optional<Rule> getAlarmRule() {
        return Optional.ofNullable(alarmRule);
    }

    /**
     * What the worker's commands reach: the state table, the configured services as ecs-deploy reaches them (gates
     * included), the configured repositories' image digests, the configured rebuilds, and the approvals of the known
     * pipelines.
     */
    private void grantWorker(Stack stack, GantryConfig config, ConfiguredTargets targets, GateCheckPermissions gateChecks,
            ChatOpsProps props, List<String> approvableActions) {
        // unpin and un-veto delete their item; the rebuild ledger reads a wave in one batch.
        props.table().grant(worker.function(), "dynamodb:DeleteItem", "dynamodb:BatchGetItem");
        EcsDeployAutomation.allowDeploying(worker, targets, gateChecks);
        // deploy <service> <tag> and rebuild <base> pin a tag to its digest before anything moves.
        worker.allow(List.of("ecr:DescribeImages"), Stream.concat(targets.repositoryArns().stream(),
                ImageRebuildAutomation.rebuildRepositories(config).stream().map(r -> ImageRebuildAutomation.arn(stack, "ecr", "repository", r)))
                .distinct().toList());
        ImageRebuildAutomation.allowStartingRebuilds(worker, stack, config);
        // An approval's resource is <pipeline>/<stage>/<action>; gantry.yml names no stage or action, so each known
        // pipeline's approvals, and no other pipeline's.
        worker.allow(List.of("codepipeline:PutApprovalResult"), approvableActions);
        worker.function().addEnvironment(ImageRebuildAutomation.REGISTRY_ACCOUNT_ENV, stack.getAccount());
    }

    /**
     * slack-interactions is built apart from {@link GantryFunction}, which gives every function the state table and
     * {@code gantry.yml}: this one faces the internet and needs neither, so it gets neither. Everything else every
     * Gantry function runs with comes from the same {@link GantryFunction#builder}.
     */
    private Function interactionsFunction(Code code, ChatOpsProps props) {
        LogGroup logGroup = LogGroup.Builder.create(this, "InteractionsLogGroup")
                .retention(props.logRetention())
                .build();
        Role role = Role.Builder.create(this, "InteractionsServiceRole")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("Gantry " + INTERACTIONS_NAME + ": " + INTERACTIONS_DESCRIPTION)
                .build();
        // Insertion-ordered: the template must not depend on a hash map's iteration order.
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put(SIGNING_SECRET_ENV, props.slackSigningSecretArn());
        environment.put(REQUEST_QUEUE_ENV, requestQueue.getQueueUrl());
        environment.put("POWERTOOLS_SERVICE_NAME", "gantry-" + INTERACTIONS_NAME);
        environment.put("JAVA_TOOL_OPTIONS", GantryFunction.JAVA_TOOL_OPTIONS);
        Function function = GantryFunction.builder(this, "Interactions")
                .description("Gantry " + INTERACTIONS_NAME + ": " + INTERACTIONS_DESCRIPTION)
                .handler(INTERACTIONS_HANDLER)
                .code(code)
                .memorySize(props.interactionsMemorySize())
                .timeout(Duration.seconds(INTERACTIONS_TIMEOUT_SECONDS))
                .role(role)
                .logGroup(logGroup)
                .environment(environment)
                .build();
        logGroup.grantWrite(function);
        return function;
    }

    private static void allow(Function function, String action, String resource) {
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(function)
                .actions(List.of(action))
                .resourceArns(List.of(resource))
                .build());
    }

    /**
     * Posts Gantry's own alarms in the default channel: the notify function learns their name prefix, and a rule brings
     * their state changes to the event queue like every other event it tells.
     *
     * @param alarmNamePrefix the prefix every operations alarm's name starts with
     * @param alarmStateChanges the state changes of exactly those alarms
     */
    public Rule postOperationsAlarms(String alarmNamePrefix, EventPattern alarmStateChanges) {
        notify.function().addEnvironment(GantryOperations.ALARM_PREFIX_ENV, alarmNamePrefix);
        return deliver(Rule.Builder.create(this, "OperationsAlarmRule")
                .description("Gantry: a state change of one of Gantry's own alarms, told in Slack")
                .eventPattern(alarmStateChanges)
                .build());
    }

    /**
     * Sends what {@code rule} matches to the event queue rather than to chatops-notify: EventBridge invokes a function
     * asynchronously, and its retries and dead-letter queue cover only that invoke, not a failure inside the function.
     */
    private Rule deliver(Rule rule) {
        rule.addTarget(new SqsQueue(eventQueue, SqsQueueProps.builder()
                .deadLetterQueue(deliveryDeadLetterQueue)
                .maxEventAge(Duration.hours(GantryFunction.MAX_EVENT_AGE_HOURS))
                .retryAttempts(DELIVERY_RETRY_ATTEMPTS)
                .build()));
        return rule;
    }

    /**
     * The alarm names the gates in use watch, then their prefixes as EventBridge prefix matches; each sorted, so the
     * pattern is the same on every synth.
     */
    private static List<Object> watchedAlarmNames(GantryConfig config) {
        List<GateConfig.Alarms> watched = config.services().stream()
                .flatMap(service -> service.environments().stream())
                .filter(EnvironmentConfig::gated)
                .map(EnvironmentConfig::gate)
                .distinct()
                .flatMap(gate -> config.gate(gate).stream())
                .map(GateConfig::alarms)
                .filter(Objects::nonNull)
                .toList();
        List<Object> names = new ArrayList<>(watched.stream().flatMap(a -> a.names().stream()).distinct().sorted().toList());
        watched.stream().flatMap(a -> a.prefixes().stream()).distinct().sorted().forEach(prefix -> names.add(Map.of("prefix", prefix)));
        return names;
    }

    private Queue encryptedQueue(String id, Duration retention) {
        return Queue.Builder.create(this, id)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(retention)
                .build();
    }
}
