package dev.gantry.fn.releasegate;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbJobLedger;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsClients;
import dev.gantry.aws.GateAdapters;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineJobs;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.EcsHookGateService;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.notify.GateNews;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.pipeline.PipelineGateService;
import dev.gantry.slack.SlackApproverGroups;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the release-gate functions' services from the environment, all at init: {@code GANTRY_CONFIG},
 * {@code GANTRY_TABLE} and the standard {@code AWS_*} variables, as the deploy functions read them, so a gate
 * answered here and a deploy held there read and write the same gate records. Each answer a gate stores is told to
 * the release's thread through the notify queue {@value SqsNotifier#QUEUE_URL_ENV} names, when it names one.
 */
final class ReleaseGateWiring {

    private ReleaseGateWiring() {}

    static PipelineGateService pipelineGate(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        DynamoDbClient dynamo = aws.dynamoDb();
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        return new PipelineGateService(
                config,
                gateService(config, aws, dynamo, table),
                aws.artifactReader(),
                SdkImageRegistry.forConfig(config, aws),
                new SdkPipelineJobs(aws.codePipeline()),
                new DynamoDbJobLedger(dynamo, table),
                Clock.systemUTC());
    }

    static EcsHookGateService ecsHook(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        DynamoDbClient dynamo = aws.dynamoDb();
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        return new EcsHookGateService(config, gateService(config, aws, dynamo, table),
                GateAdapters.serviceRevisions(config, EcsClients.forConfig(config, aws)), Clock.systemUTC());
    }

    /** Where both functions tell their news: the notify queue, or nowhere when Slack is not configured. */
    static Notifier notifier(AwsClients aws) {
        return SqsNotifier.fromEnvironment(aws);
    }

    private static GateService gateService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo, String table) {
        Clock clock = Clock.systemUTC();
        GateService gates = GateAdapters.gateService(config, aws, dynamo, table, new DynamoDbReleaseStore(dynamo, table), clock,
                approverGroups(config, aws, clock));
        return GateNews.toldThrough(gates, notifier(aws));
    }

    /** Slack user groups when some gate lists groups and the bot token's secret is configured; otherwise none. */
    private static ApproverGroups approverGroups(GantryConfig config, AwsClients aws, Clock clock) {
        return GateAdapters.slackBotToken(config, aws)
                .<ApproverGroups>map(botToken -> new SlackApproverGroups(botToken, clock))
                .orElse(ApproverGroups.none());
    }
}
