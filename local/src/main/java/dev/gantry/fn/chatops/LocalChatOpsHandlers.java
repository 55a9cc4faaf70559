package dev.gantry.fn.chatops;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.notify.ChatGateway;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The ChatOps functions' handlers for the local run, on the parts it chooses, through the package-private constructors
 * the functions' own tests use: the handlers are the real ones, only what they are built on differs from Lambda's.
 */
public final class LocalChatOpsHandlers {

    private LocalChatOpsHandlers() {}

    /**
     * slack-interactions checking requests against {@code signingSecret}, handing them to the SQS queue {@code queueUrl}
     * where {@code awsEnvironment} points, logging as that environment says.
     */
    public static RequestStreamHandler slackInteractions(Map<String, String> awsEnvironment, Supplier<String> signingSecret,
            String queueUrl) {
        AckSqs requests = new AckSqs(AckAwsJsonClient.sqs(AckAwsEnvironment.from(awsEnvironment)), queueUrl);
        return new SlackInteractionsHandler(signingSecret, requests, AckLog.fromEnvironment(awsEnvironment), Clock.systemUTC());
    }

    /**
     * slack-interactions as Lambda runs it: the signing secret read from Secrets Manager ({@code secretArn}) and requests
     * handed to SQS ({@code queueUrl}), both where {@code awsEnvironment} points.
     */
    public static RequestStreamHandler slackInteractionsReadingSecret(Map<String, String> awsEnvironment, String secretArn, String queueUrl) {
        AckAwsEnvironment aws = AckAwsEnvironment.from(awsEnvironment);
        return new SlackInteractionsHandler(new AckSecretsManager(AckAwsJsonClient.secretsManager(aws), secretArn, Clock.systemUTC()),
                new AckSqs(AckAwsJsonClient.sqs(aws), queueUrl), AckLog.fromEnvironment(awsEnvironment), Clock.systemUTC());
    }

    /** chatops-notify as its wiring builds it over {@code table}, posting through {@code chat}. */
    public static RequestStreamHandler notify(GantryConfig config, DynamoDbClient dynamo, String table, ChatGateway chat, Clock clock) {
        ChatOpsWiring wiring = new ChatOpsWiring(config, dynamo, table, chat, clock);
        return new ChatOpsNotifyHandler(wiring.notifyService(), wiring.awsChangeNews(), wiring.approvalCardRequests());
    }

    /** chatops-worker acting through {@code chatOps}, answering through {@code chat}. */
    public static RequestStreamHandler worker(ChatOpsService chatOps, ChatGateway chat) {
        return new ChatOpsWorkerHandler(chatOps, chat);
    }
}
