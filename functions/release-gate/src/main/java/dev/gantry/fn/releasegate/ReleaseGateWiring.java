package dev.gantry.fn.releasegate;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbJobLedger;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsClients;
import dev.gantry.aws.GateAdapters;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineJobs;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.EcsHookGateService;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.pipeline.PipelineGateService;
import dev.gantry.slack.SlackApproverGroups;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the release-gate functions' services from the environment, all at init: {@code GANTRY_CONFIG},
 * {@code GANTRY_TABLE} and the standard {@code AWS_*} variables, as the deploy functions read them, so a gate
 * answered here and a deploy held there read and write the same gate records.
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

    private static GateService gateService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo, String table) {
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
}
