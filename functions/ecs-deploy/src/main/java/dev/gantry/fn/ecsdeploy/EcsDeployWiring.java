package dev.gantry.fn.ecsdeploy;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsClients;
import dev.gantry.aws.GateAdapters;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.notify.Notifier;
import dev.gantry.slack.SlackApproverGroups;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Builds the deploy service and where its news goes from the environment: configuration, clients and stores, all at init. */
final class EcsDeployWiring {

    /** When {@code true}, every entry point plans and reports but changes nothing it deploys to or records. */
    static final String DRY_RUN_ENV = "GANTRY_DRY_RUN";

    private EcsDeployWiring() {}

    static boolean dryRun(AwsClients aws) {
        return aws.optional(DRY_RUN_ENV).map(v -> Boolean.parseBoolean(v.trim())).orElse(false);
    }

    /** What the deploy handler runs on. */
    record Wired(DeployService deploys, DeployNews news) {}

    static Wired fromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        DynamoDbClient dynamo = aws.dynamoDb();
        return new Wired(deployService(config, aws, dynamo), deployNews(config, aws, dynamo));
    }

    /**
     * Where every entry point of this jar tells its news: the notify queue when {@value SqsNotifier#QUEUE_URL_ENV} names
     * one, and nowhere in a dry run, which changes nothing and so has nothing to tell.
     */
    static Notifier notifier(AwsClients aws) {
        return dryRun(aws) ? Notifier.NONE : SqsNotifier.fromEnvironment(aws);
    }

    /** The news of deploys and rollouts, read back from the release records in {@code dynamo}. */
    static DeployNews deployNews(GantryConfig config, AwsClients aws, DynamoDbClient dynamo) {
        return new DeployNews(config, new DynamoDbReleaseStore(dynamo, aws.required(DynamoDbReleaseStore.TABLE_ENV)), notifier(aws),
                Clock.systemUTC());
    }

    /** The deploy service as every entry point of this jar uses it (ECR pushes, pipeline jobs), over {@code dynamo}. */
    static DeployService deployService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo) {
        return deployService(config, aws, dynamo, gateService(config, aws, dynamo));
    }

    /** The gate service over {@code dynamo}; null when the configuration has no gates, so none of its clients is built. */
    static GateService gateService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo) {
        if (config.gates().isEmpty()) {
            return null;
        }
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        Clock clock = Clock.systemUTC();
        return GateAdapters.gateService(config, aws, dynamo, table, new DynamoDbReleaseStore(dynamo, table), clock,
                approverGroups(config, aws, clock));
    }

    /** Slack user groups when some gate lists groups and the bot token's secret is configured; otherwise none. */
    private static ApproverGroups approverGroups(GantryConfig config, AwsClients aws, Clock clock) {
        return GateAdapters.slackBotToken(config, aws)
                .<ApproverGroups>map(botToken -> new SlackApproverGroups(botToken, clock))
                .orElse(ApproverGroups.none());
    }

    /** @param gates decides gated environments; null when the configuration has none */
    static DeployService deployService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo, GateService gates) {
        // One ECS client per region and role the configuration deploys through, built now rather than on first use.
        SdkEcsGateway ecs = new SdkEcsGateway(EcsClients.forConfig(config, aws));
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        DynamoDbReleaseStore releases = new DynamoDbReleaseStore(dynamo, table);
        DeployService deploys = new DeployService(config, ecs, releases, new DynamoDbDeployControls(dynamo, table), Clock.systemUTC());
        if (gates != null) {
            deploys = deploys.withGates(gates);
        }
        return dryRun(aws) ? deploys.dryRun() : deploys;
    }
}
