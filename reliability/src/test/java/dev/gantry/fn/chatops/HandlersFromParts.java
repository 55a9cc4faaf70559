package dev.gantry.fn.chatops;

import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.chatops.EndedApprovals;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.notify.AlarmThreads;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.NotifyService;
import dev.gantry.core.rebuild.RebuildLedger;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The ChatOps handlers on parts a test chooses (its clock, its log stream, a ChatOps service of its own), through the
 * package-private constructors the module's own tests use, so those stay out of the functions' API.
 */
public final class HandlersFromParts {

    private HandlersFromParts() {}

    /** chatops-notify as its wiring builds it over {@code table}, talking to Slack through {@code chat}. */
    public static ChatOpsNotifyHandler notify(GantryConfig config, DynamoDbClient dynamo, String table, ChatGateway chat, Clock clock) {
        ChatOpsWiring wiring = new ChatOpsWiring(config, dynamo, table, chat, clock);
        return new ChatOpsNotifyHandler(wiring.notifyService(), wiring.awsChangeNews(), wiring.approvalCardRequests());
    }

    /**
     * chatops-notify on services a test chooses: release threads through {@code threads}, a rebuild's and an alarm's news
     * through {@code rebuilds} and {@code alarms}, approval cards through {@code approvals} over the gate records in
     * {@code gates}, and redrawn without buttons through {@code ended}.
     */
    public static ChatOpsNotifyHandler notify(NotifyService threads, RebuildLedger rebuilds, AlarmThreads alarms, ApprovalRequests approvals,
            GateStore gates, EndedApprovals ended) {
        return new ChatOpsNotifyHandler(threads, new AwsChangeNews(rebuilds, alarms), new ApprovalCardRequests(approvals, gates, ended));
    }

    /** The ChatOps worker answering through {@code chat}. */
    public static ChatOpsWorkerHandler worker(ChatOpsService chatOps, ChatGateway chat) {
        return new ChatOpsWorkerHandler(chatOps, chat);
    }
}
