package dev.gantry.fn.chatops;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.core.chatops.ChatAction;
import dev.gantry.core.chatops.ChatCommand;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.chatops.ChatReply;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.slack.SlackAction;
import dev.gantry.slack.SlackCommand;
import dev.gantry.slack.SlackPayload;
import dev.gantry.slack.SlackPayloads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/**
 * Acts on the Slack requests {@code slack-interactions} verified and queued: reads each into a command or a click,
 * hands it to the ChatOps service (which checks team, app and permissions, and makes a retried request count once),
 * and answers the person through the request's {@code response_url}.
 *
 * <p>A request that fails (a body that cannot be read, Slack not taking the answer, the state table unreachable) is
 * reported in {@code batchItemFailures}: the queue delivers it again, and after five tries it waits in the dead-letter
 * queue. A retry does no second deploy or decision; the person is told it was already done. So is a request answered
 * but not finished ({@link ChatReply#retryLater}: a decision CodePipeline could not be told yet), whose redelivery
 * finishes it.
 */
public final class ChatOpsWorkerHandler implements RequestStreamHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ChatOpsWorkerHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChatOpsService chatOps;
    private final ChatGateway chat;

    /** Used by Lambda: the real adapters from the environment, once per cold start. */
    public ChatOpsWorkerHandler() {
        this(ChatOpsWiring.fromEnvironment(System.getenv()));
    }

    private ChatOpsWorkerHandler(ChatOpsWiring wiring) {
        this(wiring, ChatOpsPriming.worker(wiring));
    }

    private ChatOpsWorkerHandler(ChatOpsWiring wiring, SnapStartPriming.Builder priming) {
        this(wiring.chatOpsService(priming), wiring.chat());
        priming.build().register();
    }

    ChatOpsWorkerHandler(ChatOpsService chatOps, ChatGateway chat) {
        this.chatOps = chatOps;
        this.chat = chat;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = JSON.readTree(input);
        JSON.writeValue(output, PowertoolsLogging.withLogging(context, () -> work(event.path("Records"))));
    }

    private ObjectNode work(JsonNode records) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode failures = answer.putArray("batchItemFailures");
        for (JsonNode record : records) {
            String messageId = record.path("messageId").asText();
            MDC.put("correlation_id", messageId);
            try {
                boolean redelivered = record.path("attributes").path("ApproximateReceiveCount").asInt(1) > 1;
                if (answer(SlackPayloads.parseHandedOver(record.path("body").asText()), redelivered).retryLater()) {
                    LOG.warn("Slack request {} answered but not finished; the queue delivers it again", messageId);
                    failures.addObject().put("itemIdentifier", messageId);
                }
            } catch (RuntimeException e) {
                LOG.error("Slack request {} not handled: {}", messageId, e.getMessage(), e);
                failures.addObject().put("itemIdentifier", messageId);
            } finally {
                MDC.remove("correlation_id");
            }
        }
        return answer;
    }

    /** @param redelivered whether the queue delivered this request before, so its asker may have been answered already */
    private ChatReply answer(SlackPayload payload, boolean redelivered) {
        ChatReply reply;
        String responseUrl;
        if (payload instanceof SlackCommand command) {
            responseUrl = command.responseUrl();
            reply = chatOps.handle(new ChatCommand(command.teamId(), command.apiAppId(), command.userId(), command.userName(),
                    command.command(), command.text(), command.responseUrl(), command.triggerId(), command.channelId()));
            LOG.info("/gantry {} by {} answered", firstWord(command.text()), command.userId());
        } else {
            SlackAction click = (SlackAction) payload;
            responseUrl = click.responseUrl();
            reply = chatOps.handle(new ChatAction(click.teamId(), click.apiAppId(), click.userId(), click.actionId(), click.value(),
                    click.responseUrl(), click.triggerId(), click.channelId(), click.messageTs()));
            LOG.info("click {} by {} answered", click.actionId(), click.userId());
        }
        // A request answered to be retried is delivered up to REQUEST_MAX_RECEIVES times: its asker hears the private
        // "not finished yet" once, and then the answer that finishes it.
        boolean toldBefore = redelivered && reply.retryLater() && reply.ephemeral();
        if (reply.message() != null && !toldBefore) {
            chat.respond(responseUrl, reply.message(), reply.replaceOriginal(), reply.ephemeral());
        }
        return reply;
    }

    private static String firstWord(String text) {
        String stripped = text == null ? "" : text.strip();
        int space = stripped.indexOf(' ');
        return space < 0 ? stripped : stripped.substring(0, space);
    }
}
