package dev.gantry.fn.chatops;

import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.notify.AlarmThreads;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.NotifyService;
import dev.gantry.core.rebuild.RebuildLedger;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The ChatOps handlers on parts a test chooses (its clock, its log stream, a ChatOps service of its own), through the
 * package-private constructors the module's own tests use, so those stay out of the functions' API.
 */
public final class HandlersFromParts {

    private static final String SLACK_INTERACTIONS = "gantry-slack-interactions";

    private HandlersFromParts() {}

    /**
     * {@code slack-interactions} reading its signing secret from Secrets Manager and handing requests to SQS, both where
     * {@code awsEnvironment} points, its log lines written to {@code log}.
     */
    public static SlackInteractionsHandler slackInteractions(Map<String, String> awsEnvironment, String secretArn, String queueUrl,
            PrintStream log, Clock clock) {
        AckAwsEnvironment aws = AckAwsEnvironment.from(awsEnvironment);
        AckSecretsManager signingSecret = new AckSecretsManager(AckAwsJsonClient.secretsManager(aws), secretArn, clock);
        AckSqs requests = new AckSqs(AckAwsJsonClient.sqs(aws), queueUrl);
        return new SlackInteractionsHandler(signingSecret, requests, new AckLog(AckLog.Level.INFO, SLACK_INTERACTIONS, log, clock), clock);
    }

    /** {@code slack-interactions} checking against {@code signingSecret}, handing requests to SQS where {@code awsEnvironment} points. */
    public static SlackInteractionsHandler slackInteractions(Map<String, String> awsEnvironment, Supplier<String> signingSecret,
            String queueUrl) {
        AckSqs requests = new AckSqs(AckAwsJsonClient.sqs(AckAwsEnvironment.from(awsEnvironment)), queueUrl);
        return new SlackInteractionsHandler(signingSecret, requests, AckLog.fromEnvironment(awsEnvironment), Clock.systemUTC());
    }

    /**
     * {@code slack-interactions} checking against {@code signingSecret}, handing requests to SQS where {@code
     * awsEnvironment} points, its log lines written to {@code log}.
     */
    public static SlackInteractionsHandler slackInteractions(Map<String, String> awsEnvironment, Supplier<String> signingSecret,
            String queueUrl, PrintStream log, Clock clock) {
        AckSqs requests = new AckSqs(AckAwsJsonClient.sqs(AckAwsEnvironment.from(awsEnvironment)), queueUrl);
        return new SlackInteractionsHandler(signingSecret, requests, new AckLog(AckLog.Level.INFO, SLACK_INTERACTIONS, log, clock), clock);
    }

    /** chatops-notify as its wiring builds it over {@code table}, talking to Slack through {@code chat}. */
    public static ChatOpsNotifyHandler notify(GantryConfig config, DynamoDbClient dynamo, String table, ChatGateway chat, Clock clock) {
        ChatOpsWiring wiring = new ChatOpsWiring(config, dynamo, table, chat, clock);
        return new ChatOpsNotifyHandler(wiring.notifyService(), wiring.awsChangeNews(), wiring.approvalCardRequests());
    }

    /**
     * chatops-notify on services a test chooses: release threads through {@code threads}, a rebuild's and an alarm's news
     * through {@code rebuilds} and {@code alarms}, approval cards through {@code approvals} over the gate records in
     * {@code gates}.
     */
    public static ChatOpsNotifyHandler notify(NotifyService threads, RebuildLedger rebuilds, AlarmThreads alarms, ApprovalRequests approvals,
            GateStore gates) {
        return new ChatOpsNotifyHandler(threads, new AwsChangeNews(rebuilds, alarms), new ApprovalCardRequests(approvals, gates));
    }

    /** The ChatOps worker answering through {@code chat}. */
    public static ChatOpsWorkerHandler worker(ChatOpsService chatOps, ChatGateway chat) {
        return new ChatOpsWorkerHandler(chatOps, chat);
    }
}
