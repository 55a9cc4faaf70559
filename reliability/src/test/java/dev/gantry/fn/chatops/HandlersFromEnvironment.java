package dev.gantry.fn.chatops;

import java.util.Map;

/** The ChatOps worker and notifier built as Lambda builds them, from an environment the test gives. */
public final class HandlersFromEnvironment {

    private HandlersFromEnvironment() {}

    public static ChatOpsWorkerHandler worker(Map<String, String> environment) {
        ChatOpsWiring wiring = ChatOpsWiring.fromEnvironment(environment);
        return new ChatOpsWorkerHandler(wiring.chatOpsService(), wiring.chat());
    }

    public static ChatOpsNotifyHandler notify(Map<String, String> environment) {
        ChatOpsWiring wiring = ChatOpsWiring.fromEnvironment(environment);
        return new ChatOpsNotifyHandler(wiring.notifyService(), wiring.awsChangeNews(), wiring.approvalCardRequests());
    }
}
