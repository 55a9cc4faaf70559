package dev.gantry.fn.chatops;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.ReleaseNewsJson;
import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.NotifyService;
import dev.gantry.core.notify.NotifyService.Delivery;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.release.MalformedEventException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/**
 * Keeps each release's Slack thread up to date. Two ways in:
 * <ul>
 *   <li>the FIFO notify queue, where Gantry's functions put their news: one message group per thread, so a thread's
 *       news arrives in the order told. The answer lists the messages to deliver again ({@code batchItemFailures}):
 *       a message that failed, and every later message of its group in the batch, so nothing overtakes it. Slack
 *       being down or rate-limiting is such a failure: the news waits in the queue and is delivered later;</li>
 *   <li>EventBridge, with AWS's own state changes (pipelines, rebuild builds, watched alarms), applied at once; a
 *       failure fails the invocation, and EventBridge's retries and dead-letter queue take over.</li>
 * </ul>
 */
public final class ChatOpsNotifyHandler implements RequestStreamHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ChatOpsNotifyHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NotifyService threads;
    private final AwsChangeNews changes;
    private final ApprovalCardRequests approvals;

    /** Used by Lambda: the real adapters from the environment, once per cold start. */
    public ChatOpsNotifyHandler() {
        this(ChatOpsWiring.fromEnvironment(System.getenv()));
    }

    private ChatOpsNotifyHandler(ChatOpsWiring wiring) {
        this(wiring.notifyService(), wiring.awsChangeNews(), wiring.approvalCardRequests());
        ChatOpsPriming.notify(wiring).register();
    }

    ChatOpsNotifyHandler(NotifyService threads, AwsChangeNews changes, ApprovalCardRequests approvals) {
        this.threads = threads;
        this.changes = changes;
        this.approvals = approvals;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = read(input);
        JsonNode answer = PowertoolsLogging.withLogging(context, () -> {
            if (!event.has("Records")) {
                return changed(event);
            }
            JsonNode records = event.path("Records");
            return "aws:sns".equals(records.path(0).path("EventSource").asText()) ? approvalsAsked(records) : queued(records);
        });
        JSON.writeValue(output, answer);
    }

    /** An event that is not JSON fails the invocation as malformed, saying so, like every other event Gantry cannot read. */
    private static JsonNode read(InputStream input) throws IOException {
        try {
            JsonNode event = JSON.readTree(input);
            return event == null ? JSON.missingNode() : event;
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("the event is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private ObjectNode queued(JsonNode records) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode failures = answer.putArray("batchItemFailures");
        Set<String> failedGroups = new HashSet<>();
        for (JsonNode record : records) {
            String messageId = record.path("messageId").asText();
            String group = record.path("attributes").path("MessageGroupId").asText(null);
            if (group != null && failedGroups.contains(group)) {
                failures.addObject().put("itemIdentifier", messageId);
                continue;
            }
            try {
                ReleaseNews news = ReleaseNewsJson.read(record.path("body").asText());
                MDC.put("correlation_id", news.newsId());
                Delivery delivery = threads.apply(news);
                LOG.info("{} {}: {}", news.thread().describe(), delivery.result(), delivery.detail());
                approvals.gateApproval(news).ifPresent(card -> LOG.info("approval card {} for {}", card.id(), news.thread().describe()));
            } catch (ChatGateway.RateLimitedException | ChatGateway.UnavailableException e) {
                LOG.warn("Slack did not take news {} yet; it waits in the queue: {}", messageId, e.getMessage());
                failed(failures, failedGroups, messageId, group);
            } catch (RuntimeException e) {
                LOG.error("news {} not delivered: {}", messageId, e.getMessage(), e);
                failed(failures, failedGroups, messageId, group);
            } finally {
                MDC.remove("correlation_id");
            }
        }
        return answer;
    }

    /**
     * CodePipeline's manual approvals, as its SNS notification carries them: one card each. A failure fails the
     * invocation, so SNS's retries and the subscription's dead-letter queue keep the approval from vanishing.
     */
    private ObjectNode approvalsAsked(JsonNode records) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode cards = answer.putArray("approvalCards");
        for (JsonNode record : records) {
            MDC.put("correlation_id", record.path("Sns").path("MessageId").asText("unknown"));
            PendingApproval card = approvals.pipelineApproval(record.path("Sns").path("Message").asText());
            LOG.info("approval card {} for pipeline {}", card.id(), card.pipeline().pipeline());
            cards.add(card.id());
        }
        return answer;
    }

    private static void failed(ArrayNode failures, Set<String> failedGroups, String messageId, String group) {
        failures.addObject().put("itemIdentifier", messageId);
        if (group != null) {
            failedGroups.add(group);
        }
    }

    private ObjectNode changed(JsonNode event) {
        MDC.put("correlation_id", event.path("id").asText("unknown"));
        List<String> outcomes = new ArrayList<>();
        for (ReleaseNews news : changes.of(event)) {
            Delivery delivery = threads.apply(news);
            outcomes.add(news.thread().describe() + ": " + delivery.result());
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.putPOJO("delivered", outcomes);
        return answer;
    }
}
