package dev.gantry.fn.chatops;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.notify.ChatGateway;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The ChatOps worker's and notifier's handlers for the local run, on the parts it chooses, through the package-private constructors
 * the functions' own tests use: the handlers are the real ones, only what they are built on differs from Lambda's.
 */
public final class LocalChatOpsHandlers {

    private LocalChatOpsHandlers() {}

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
