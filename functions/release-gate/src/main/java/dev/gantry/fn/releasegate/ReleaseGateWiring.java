package dev.gantry.fn.releasegate;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbJobLedger;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsClients;
import dev.gantry.aws.GateAdapters;
import dev.gantry.aws.PrimingCalls;
import dev.gantry.aws.S3ArtifactReader;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineJobs;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.aws.events.PrimingEvents;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.EcsHookGateService;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.notify.GateNews;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.pipeline.PipelineGateService;
import dev.gantry.slack.SlackApproverGroups;
import dev.gantry.slack.SlackApiUrl;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the release-gate functions' services from the environment, all at init: {@code GANTRY_CONFIG},
 * {@code GANTRY_TABLE} and the standard {@code AWS_*} variables, as the deploy functions read them, so a gate
 * answered here and a deploy held there read and write the same gate records. Each answer a gate stores is told to
 * the release's thread through the notify queue {@value SqsNotifier#QUEUE_URL_ENV} names, when it names one.
 *
 * <p>Each function is primed for a SnapStart snapshot with its event and reads by the clients it built. Left unprimed:
 * the notify queue and CodePipeline, which these functions only write to; S3, read with each job's own credentials; ECR,
 * asked only for an image named by tag alone.
 */
final class ReleaseGateWiring {

    private ReleaseGateWiring() {}

    /** What the pipeline gate handler runs on, and how it is primed. */
    record PipelineGate(PipelineGateService gates, SnapStartPriming priming) {}

    /** What the lifecycle hook handler runs on, and how it is primed. */
    record EcsHook(EcsHookGateService hooks, SnapStartPriming priming) {}

    static PipelineGate pipelineGate(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        DynamoDbClient dynamo = aws.dynamoDb();
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        SnapStartPriming.Builder priming = SnapStartPriming.builder().loadListedClasses()
                .step(PrimingEvents.pipelineJob())
                .step(PrimingCalls.stateTable(dynamo, table))
                .step(PrimingCalls.stateTableWrites(dynamo, table));
        S3ArtifactReader artifacts = aws.artifactReader();
        CodePipelineClient codePipeline = aws.codePipeline();
        priming.step(PrimingCalls.artifactRead(artifacts)).step(PrimingCalls.pipelineJobResults(codePipeline));
        PipelineGateService gates = new PipelineGateService(
                config,
                gateService(config, aws, dynamo, table, priming),
                artifacts,
                SdkImageRegistry.forConfig(config, aws, priming),
                new SdkPipelineJobs(codePipeline),
                new DynamoDbJobLedger(dynamo, table),
                Clock.systemUTC());
        return new PipelineGate(gates, priming.build());
    }

    static EcsHook ecsHook(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        DynamoDbClient dynamo = aws.dynamoDb();
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        SnapStartPriming.Builder priming = SnapStartPriming.builder().loadListedClasses()
                .step(PrimingEvents.lifecycleHook())
                .step(PrimingCalls.stateTable(dynamo, table))
                .step(PrimingCalls.stateTableWrites(dynamo, table));
        GateService gates = gateService(config, aws, dynamo, table, priming);
        EcsClients ecsClients = EcsClients.forConfig(config, aws);
        priming.steps(PrimingCalls.ecsServiceRevisions(config, ecsClients));
        return new EcsHook(new EcsHookGateService(config, gates, GateAdapters.serviceRevisions(config, ecsClients), Clock.systemUTC()),
                priming.build());
    }

    /** Where both functions tell their news: the notify queue, or nowhere when Slack is not configured. */
    static Notifier notifier(AwsClients aws) {
        return SqsNotifier.fromEnvironment(aws);
    }

    private static GateService gateService(GantryConfig config, AwsClients aws, DynamoDbClient dynamo, String table,
            SnapStartPriming.Builder priming) {
        Clock clock = Clock.systemUTC();
        GateService gates = GateAdapters.gateService(config, aws, dynamo, table, new DynamoDbReleaseStore(dynamo, table), clock,
                approverGroups(config, aws, clock, priming), priming);
        return GateNews.toldThrough(gates, SqsNotifier.fromEnvironment(aws, priming));
    }

    /** Slack user groups when some gate lists groups and the bot token's secret is configured; otherwise none. */
    private static ApproverGroups approverGroups(GantryConfig config, AwsClients aws, Clock clock, SnapStartPriming.Builder priming) {
        return GateAdapters.slackBotToken(config, aws, priming)
                .<ApproverGroups>map(botToken -> new SlackApproverGroups(botToken, SlackApiUrl.from(aws.optional(SlackApiUrl.ENV)), clock))
                .orElse(ApproverGroups.none());
    }
}
