package dev.gantry.reliability.slack;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.fn.chatops.HandlersFromParts;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/** The two ChatOps functions, built on this suite's loopback parts. */
final class ChatOpsFunctions {

    private ChatOpsFunctions() {}

    /**
     * {@code slack-interactions} reading its signing secret from Secrets Manager and handing requests to SQS, both at the
     * endpoint {@code awsEnvironment} names, its log lines written to {@code log}.
     */
    static RequestStreamHandler slackInteractions(Map<String, String> awsEnvironment, String secretArn, String queueUrl, PrintStream log,
            Clock clock) {
        return HandlersFromParts.slackInteractions(awsEnvironment, secretArn, queueUrl, log, clock);
    }

    /** The ChatOps worker answering through {@code chat}. */
    static RequestStreamHandler worker(ChatOpsService chatOps, ChatGateway chat) {
        return HandlersFromParts.worker(chatOps, chat);
    }
}
