package dev.gantry.fn.ecsdeploy;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsClients;
import dev.gantry.aws.GateAdapters;
import dev.gantry.aws.PrimingCalls;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.aws.events.PrimingEvents;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.notify.Notifier;
import dev.gantry.slack.SlackApproverGroups;
import dev.gantry.slack.SlackApiUrl;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the deploy service and where its news goes from the environment: configuration, clients and stores, all at
 * init; and the SnapStart priming of the clients it built, each by the method that builds it.
 */
final class EcsDeployWiring {

    /** When {@code true}, every entry point plans and reports but changes nothing it deploys to or records. */
    static final String DRY_RUN_ENV = "GANTRY_DRY_RUN";

    private EcsDeployWiring() {}

    static boolean dryRun(AwsClients aws) {
        return aws.optional(DRY_RUN_ENV).map(v -> Boolean.parseBoolean(v.trim())).orElse(false);
    }

    /** What the deploy handler runs on, and how it is primed for a SnapStart snapshot. */
    record Wired(DeployService deploys, DeployNews news, SnapStartPriming priming) {}

    static Wired fromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        DynamoDbClient dynamo = aws.dynamoDb();
        SnapStartPriming.Builder priming = SnapStartPriming.builder().loadListedClasses().step(PrimingEvents.imagePush());
        primeStateTable(priming, aws, dynamo);
        return new Wired(deployService(config, aws, dynamo, priming), deployNews(config, aws, dynamo, priming), priming.build());
    }

    /**
     * Adds the read of the state table to {@code priming}: every function of this jar reads and writes it. The notify
     * queue {@link #notifier} sends to is not primed: the functions may only send to it, and a send is a write.
     */
    static void primeStateTable(SnapStartPriming.Builder priming, AwsClients aws, DynamoDbClient dynamo) {
        priming.step(PrimingCalls.stateTable(dynamo, aws.required(DynamoDbReleaseStore.TABLE_ENV)))
                .step(PrimingCalls.stateTableWrites(dynamo, aws.required(DynamoDbReleaseStore.TABLE_ENV)));
    }

    /**
     * Where every entry point of this jar tells its news: the notify queue when {@value SqsNotifier#QUEUE_URL_ENV} names
     * one, and nowhere in a dry run, which changes nothing and so has nothing to tell.
     */
    static Notifier notifier(AwsClients aws) {
        return dryRun(aws) ? Notifier.NONE : SqsNotifier.fromEnvironment(aws);
    }

    /** As {@link #notifier(AwsClients)}, with a rehearsed send through the queue's client added to {@code priming}. */
    static Notifier notifier(AwsClients aws, SnapStartPriming.Builder priming) {
        return dryRun(aws) ? Notifier.NONE : SqsNotifier.fromEnvironment(aws, priming);
    }

    /** The news of deploys and rollouts, read back from the release records in {@code dynamo}. */
    static DeployNews deployNews(GantryConfig config, AwsClients aws, DynamoDbClient dynamo, SnapStartPriming.Builder priming) {
        return new DeployNews(config, new DynamoDbReleaseStore(dynamo, aws.required(DynamoDbReleaseStore.TABLE_ENV)), notifier(aws, priming),
                Clock.systemUTC());
    }

    /**
     * The deploy service as every entry point of this jar uses it (ECR pushes, pipeline jobs), over {@code dynamo}; the
     * clients it builds are added to {@code priming}.
     */
    static DeployService deployService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo, SnapStartPriming.Builder priming) {
        return deployService(config, aws, dynamo, gateService(config, aws, dynamo, priming), priming);
    }

    /**
     * The gate service over {@code dynamo}; null when the configuration has no gates, so none of its clients is built.
     * The clients it builds are added to {@code priming}.
     */
    static GateService gateService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo, SnapStartPriming.Builder priming) {
        if (config.gates().isEmpty()) {
            return null;
        }
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        Clock clock = Clock.systemUTC();
        return GateAdapters.gateService(config, aws, dynamo, table, new DynamoDbReleaseStore(dynamo, table), clock,
                approverGroups(config, aws, clock, priming), priming);
    }

    /** Slack user groups when some gate lists groups and the bot token's secret is configured; otherwise none. */
    private static ApproverGroups approverGroups(GantryConfig config, AwsClients aws, Clock clock, SnapStartPriming.Builder priming) {
        return GateAdapters.slackBotToken(config, aws, priming)
                .<ApproverGroups>map(botToken -> new SlackApproverGroups(botToken, SlackApiUrl.from(aws.optional(SlackApiUrl.ENV)), clock))
                .orElse(ApproverGroups.none());
    }

    /**
     * @param gates decides gated environments; null when the configuration has none
     * @param priming where the ECS clients it builds are added
     */
    static DeployService deployService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo, GateService gates,
            SnapStartPriming.Builder priming) {
        // One ECS client per region and role the configuration deploys through, built now rather than on first use.
        EcsClients ecsClients = EcsClients.forConfig(config, aws);
        priming.steps(PrimingCalls.ecsServices(config, ecsClients)).steps(PrimingCalls.ecsDeployWrites(config, ecsClients));
        SdkEcsGateway ecs = new SdkEcsGateway(ecsClients);
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        DynamoDbReleaseStore releases = new DynamoDbReleaseStore(dynamo, table);
        DeployService deploys = new DeployService(config, ecs, releases, new DynamoDbDeployControls(dynamo, table), Clock.systemUTC());
        if (gates != null) {
            deploys = deploys.withGates(gates);
        }
        return dryRun(aws) ? deploys.dryRun() : deploys;
    }
}
