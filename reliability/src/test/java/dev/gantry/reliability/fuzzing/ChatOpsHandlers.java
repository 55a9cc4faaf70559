package dev.gantry.reliability.fuzzing;

import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.notify.AlarmThreads;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.NotifyService;
import dev.gantry.core.rebuild.RebuildLedger;
import dev.gantry.fn.chatops.ChatOpsNotifyHandler;
import dev.gantry.fn.chatops.ChatOpsWorkerHandler;
import dev.gantry.fn.chatops.SlackInteractionsHandler;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The ChatOps functions' handlers over parts the suite chooses. Their wiring constructors are package-private (each
 * function's tests live in its package), so they are reached by reflection, as Lambda's runtime reaches a handler class;
 * what is built is exactly what those constructors build, nothing stubbed inside.
 */
final class ChatOpsHandlers {

    private static final String PACKAGE = "dev.gantry.fn.chatops.";

    private ChatOpsHandlers() {}

    /**
     * The interactions endpoint: the signing secret from {@code signingSecret}, requests handed to the queue {@code queueUrl}
     * at {@code sqsEndpoint} through its own SigV4 client, its log lines written to {@code log}.
     */
    static SlackInteractionsHandler interactions(Supplier<String> signingSecret, URI sqsEndpoint, String queueUrl, PrintStream log,
            Clock clock) {
        Object aws = invokeStatic("AckAwsEnvironment", "from", new Class<?>[] {Map.class}, Map.of(
                "AWS_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", "testaccesskey",
                "AWS_SECRET_ACCESS_KEY", "test-secret-key",
                "AWS_ENDPOINT_URL_SQS", sqsEndpoint.toString()));
        Object sqsClient = invokeStatic("AckAwsJsonClient", "sqs", new Class<?>[] {type("AckAwsEnvironment")}, aws);
        Object queue = construct("AckSqs", new Class<?>[] {type("AckAwsJsonClient"), String.class}, sqsClient, queueUrl);
        Object info = enumConstant("AckLog$Level", "INFO");
        Object ackLog = construct("AckLog", new Class<?>[] {type("AckLog$Level"), String.class, PrintStream.class, Clock.class},
                info, "slack-interactions", log, clock);
        return (SlackInteractionsHandler) construct("SlackInteractionsHandler",
                new Class<?>[] {Supplier.class, type("AckSqs"), type("AckLog"), Clock.class}, signingSecret, queue, ackLog, clock);
    }

    static ChatOpsWorkerHandler worker(ChatOpsService chatOps, ChatGateway chat) {
        return (ChatOpsWorkerHandler) construct("ChatOpsWorkerHandler", new Class<?>[] {ChatOpsService.class, ChatGateway.class},
                chatOps, chat);
    }

    static ChatOpsNotifyHandler notify(NotifyService threads, RebuildLedger rebuilds, AlarmThreads alarms, ApprovalRequests approvals,
            GateStore gates) {
        Object changes = construct("AwsChangeNews", new Class<?>[] {RebuildLedger.class, AlarmThreads.class}, rebuilds, alarms);
        Object cards = construct("ApprovalCardRequests", new Class<?>[] {ApprovalRequests.class, GateStore.class}, approvals, gates);
        return (ChatOpsNotifyHandler) construct("ChatOpsNotifyHandler",
                new Class<?>[] {NotifyService.class, type("AwsChangeNews"), type("ApprovalCardRequests")}, threads, changes, cards);
    }

    private static Class<?> type(String simpleName) {
        try {
            return Class.forName(PACKAGE + simpleName);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the chatops function has no class " + simpleName + " any more", e);
        }
    }

    private static Object construct(String simpleName, Class<?>[] parameters, Object... arguments) {
        try {
            Constructor<?> constructor = type(simpleName).getDeclaredConstructor(parameters);
            constructor.setAccessible(true);
            return constructor.newInstance(arguments);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("building " + simpleName + " failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(simpleName + " has no constructor taking these parts any more", e);
        }
    }

    private static Object invokeStatic(String simpleName, String method, Class<?>[] parameters, Object... arguments) {
        try {
            Method found = type(simpleName).getDeclaredMethod(method, parameters);
            found.setAccessible(true);
            return found.invoke(null, arguments);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(simpleName + "." + method + " failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(simpleName + " has no method " + method + " taking these parts any more", e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(String simpleName, String constant) {
        return Enum.valueOf((Class<? extends Enum>) type(simpleName), constant);
    }
}
