package dev.gantry.fn.chatops;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbAuditLog;
import dev.gantry.aws.DynamoDbChatRequestLedger;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbLineageHistory;
import dev.gantry.aws.DynamoDbManualFreezes;
import dev.gantry.aws.DynamoDbPendingApprovals;
import dev.gantry.aws.DynamoDbRevokedBases;
import dev.gantry.aws.EcsClients;
import dev.gantry.aws.GateAdapters;
import dev.gantry.aws.PrimingCalls;
import dev.gantry.aws.SdkBuildRunner;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.SdkImageLabels;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineApprovals;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.chatops.ChatPermissions;
import dev.gantry.core.chatops.EndedApprovals;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.slack.SlackApproverGroups;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbRebuildLedger;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.DynamoDbReleaseThreads;
import dev.gantry.aws.SecretsManagerSecret;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.SlackConfig;
import dev.gantry.core.notify.AlarmThreads;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.notify.GateNews;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.NotifyService;
import dev.gantry.slack.SlackApiUrl;
import dev.gantry.slack.SlackWebApi;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the ChatOps worker and notify functions run on, from the environment: {@code GANTRY_CONFIG} (which must have a
 * {@code slack} section), {@code GANTRY_TABLE}, {@code GANTRY_SLACK_BOT_TOKEN_SECRET_ARN}, optionally
 * {@value #OPERATIONS_ALARM_PREFIX_ENV}, and the standard {@code AWS_*} variables. The bot token is read from Secrets Manager on first use and kept for a while, never taken from the
 * environment itself. Each part is built when a handler asks for it, so a function builds only what it uses.
 */
final class ChatOpsWiring {

    static final String BOT_TOKEN_SECRET_ARN_ENV = GateAdapters.SLACK_TOKEN_SECRET_ARN_ENV;
    /** The account whose ECR registry holds the base images, as the image-rebuild function reads it. */
    static final String REGISTRY_ACCOUNT_ENV = "GANTRY_REGISTRY_ACCOUNT";
    /**
     * What the names of Gantry's own alarms start with (the infrastructure's {@code GantryOperations} prefix, e.g.
     * {@code Gantry-}); each of them is told in one message of the default channel. Unset: they are not told.
     */
    static final String OPERATIONS_ALARM_PREFIX_ENV = "GANTRY_OPERATIONS_ALARM_PREFIX";

    private final GantryConfig config;
    private final DynamoDbClient dynamo;
    private final String table;
    private final ChatGateway chat;
    private final Clock clock;
    /** Null in tests that build the notify side only; the worker's ECS, ECR, CodeBuild and CodePipeline come from it. */
    private final AwsClients aws;

    ChatOpsWiring(GantryConfig config, DynamoDbClient dynamo, String table, ChatGateway chat, Clock clock) {
        this(config, dynamo, table, chat, clock, null);
    }

    ChatOpsWiring(GantryConfig config, DynamoDbClient dynamo, String table, ChatGateway chat, Clock clock, AwsClients aws) {
        if (config.slack() == null) {
            throw new IllegalStateException("the configuration has no slack section: ChatOps has no channel to talk in; add "
                    + "slack.defaultChannel or do not deploy the ChatOps functions");
        }
        this.config = config;
        this.dynamo = dynamo;
        this.table = table;
        this.chat = chat;
        this.clock = clock;
        this.aws = aws;
    }

    static ChatOpsWiring fromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        SecretsManagerSecret botToken = new SecretsManagerSecret(aws.secretsManager(), aws.required(BOT_TOKEN_SECRET_ARN_ENV));
        return new ChatOpsWiring(config, aws.dynamoDb(), aws.required(DynamoDbReleaseStore.TABLE_ENV), new SlackWebApi(botToken, botToken::forget,
                SlackApiUrl.from(aws.optional(SlackApiUrl.ENV)), SlackWebApi.RetryPolicy.DEFAULTS, SlackWebApi.Sleeper.THREAD),
                Clock.systemUTC(), aws);
    }

    GantryConfig config() {
        return config;
    }

    SlackConfig slack() {
        return config.slack();
    }

    ChatGateway chat() {
        return chat;
    }

    DynamoDbClient dynamo() {
        return dynamo;
    }

    String table() {
        return table;
    }

    /**
     * The ChatOps service with everything a command may reach: deploys (through the gates, as a push would), deploy
     * controls, releases, gate decisions, manual freezes, pipeline approvals, and rebuilds when base images are
     * declared.
     */
    ChatOpsService chatOpsService() {
        // Steps added to a priming no one registers are never run.
        return chatOpsService(SnapStartPriming.builder());
    }

    /**
     * As {@link #chatOpsService()}, with the calls a command makes through the clients it builds added to
     * {@code priming}: a deploy's ECR tag lookup and ECS reads and writes, the gates' alarms and Change Calendars, the
     * news sent to the threads, and a rebuild's starts.
     */
    ChatOpsService chatOpsService(SnapStartPriming.Builder priming) {
        if (aws == null) {
            throw new IllegalStateException("the worker needs the AWS clients of fromEnvironment");
        }
        DynamoDbReleaseStore releases = new DynamoDbReleaseStore(dynamo, table);
        DynamoDbDeployControls controls = new DynamoDbDeployControls(dynamo, table);
        DynamoDbManualFreezes freezes = new DynamoDbManualFreezes(dynamo, table);
        ApproverGroups groups = new SlackApproverGroups(botToken(), SlackApiUrl.from(aws.optional(SlackApiUrl.ENV)), clock);
        Notifier notifier = SqsNotifier.fromEnvironment(aws, priming);
        // Decisions made from Slack, and releases a /gantry deploy brings to a gate, are told in their threads too.
        GateService gates = GateNews.toldThrough(GateAdapters.gateService(config, aws, dynamo, table, releases, clock, groups, priming),
                notifier);
        EcsClients ecsClients = EcsClients.forConfig(config, aws);
        priming.steps(PrimingCalls.ecsServices(config, ecsClients)).steps(PrimingCalls.ecsDeployWrites(config, ecsClients));
        DeployService deploys = new DeployService(config, new SdkEcsGateway(ecsClients), releases, controls, clock).withGates(gates);
        if (notifier != Notifier.NONE) {
            // A deploy or rollback from Slack starts in its release's thread as a pushed one does.
            deploys = deploys.withReportListener(new DeployNews(config, releases, notifier, clock)::afterDeploy);
        }
        SdkImageRegistry registry = SdkImageRegistry.forConfig(config, aws, priming);
        ChatOpsService.Builder builder = ChatOpsService.builder()
                .config(config)
                .clock(clock)
                .groups(groups)
                .ledger(new DynamoDbChatRequestLedger(dynamo, table))
                .audit(new DynamoDbAuditLog(dynamo, table))
                .deploys(deploys)
                .controls(controls)
                .releases(releases)
                .registry(registry)
                .gates(gates, new DynamoDbGateStore(dynamo, table))
                .freezes(freezes)
                .pendingApprovals(new DynamoDbPendingApprovals(dynamo, table))
                .pipelineApprovals(new SdkPipelineApprovals(aws.codePipeline()));
        if (!config.baseImages().isEmpty()) {
            builder.rebuilds(rebuildService(registry));
            priming.step(PrimingCalls.buildStarts(aws.codeBuild(), aws.codePipeline())).step(PrimingCalls.stateTableBatchRead(dynamo, table));
        }
        return builder.build();
    }

    private RebuildService rebuildService(SdkImageRegistry registry) {
        Function<String, EcrClient> ecr = region -> aws.ecr(Region.of(region));
        return new RebuildService(config, new DynamoDbRebuildLedger(dynamo, table), new SdkBuildRunner(aws.codeBuild(), aws.codePipeline()),
                new SdkImageLabels(ecr), registry, aws.required(REGISTRY_ACCOUNT_ENV), aws.region().id(), clock,
                new DynamoDbRevokedBases(dynamo, table), new DynamoDbDeployControls(dynamo, table), new DynamoDbLineageHistory(dynamo, table));
    }

    private Supplier<String> botToken() {
        return new SecretsManagerSecret(aws.secretsManager(), aws.required(BOT_TOKEN_SECRET_ARN_ENV));
    }

    NotifyService notifyService() {
        return new NotifyService(new DynamoDbReleaseThreads(dynamo, table), chat, config.slack(), clock);
    }

    /** Approval cards, with Slack user groups resolved when the bot token's secret is configured. */
    ApprovalCardRequests approvalCardRequests() {
        ApproverGroups groups = aws == null ? ApproverGroups.none() : new SlackApproverGroups(botToken(), SlackApiUrl.from(aws.optional(SlackApiUrl.ENV)), clock);
        ChatPermissions permissions = new ChatPermissions(config, groups);
        DynamoDbPendingApprovals pending = new DynamoDbPendingApprovals(dynamo, table);
        DynamoDbGateStore gates = new DynamoDbGateStore(dynamo, table);
        return new ApprovalCardRequests(new ApprovalRequests(config, pending, chat, permissions, clock), gates,
                new EndedApprovals(config, pending, gates, chat, permissions));
    }

    AwsChangeNews awsChangeNews() {
        String operationsPrefix = aws == null ? null : aws.optional(OPERATIONS_ALARM_PREFIX_ENV).map(String::strip).orElse(null);
        return new AwsChangeNews(new DynamoDbRebuildLedger(dynamo, table),
                new AlarmThreads(config, new DynamoDbGateStore(dynamo, table), operationsPrefix));
    }
}
