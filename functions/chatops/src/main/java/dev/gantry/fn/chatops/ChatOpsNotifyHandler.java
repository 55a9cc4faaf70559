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
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/**
 * Keeps each release's Slack thread up to date. Its news comes from two queues, whose batches it answers with the
 * messages to deliver again ({@code batchItemFailures}), so that what failed (Slack down or rate-limiting, say) waits in
 * its queue and is delivered later:
 * <ul>
 *   <li>the FIFO notify queue, where Gantry's functions put their news: one message group per thread, so a thread's
 *       news arrives in the order told. A message that failed is reported with every later message of its group in the
 *       batch, so nothing overtakes it;</li>
 *   <li>the event queue, where EventBridge puts AWS's own state changes (pipelines, rebuild builds, watched alarms,
 *       the end of a manual approval) and SNS CodePipeline's manual approvals. A message that failed is reported alone:
 *       these have no order to keep.</li>
 * </ul>
 * The same events invoking the function themselves (an EventBridge event, an SNS notification: {@code scripts/invoke},
 * the local run) are applied at once, and a failure fails the invocation. Deployed, nothing invokes it so: Lambda retries
 * a failed asynchronous invocation twice at most, and EventBridge's and SNS's own retries cover only the invoke itself
 * (decision 35).
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
                return changedNow(event);
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
                String body = record.path("body").asText();
                Optional<JsonNode> awsEvent = awsEventIn(body);
                if (awsEvent.isPresent() && isSnsNotification(awsEvent.get())) {
                    approvalAsked(awsEvent.get());
                } else if (awsEvent.isPresent()) {
                    changed(awsEvent.get());
                } else {
                    told(ReleaseNewsJson.read(body));
                }
            } catch (ChatGateway.RateLimitedException | ChatGateway.UnavailableException e) {
                LOG.warn("Slack did not take message {} yet; it waits in the queue: {}", messageId, e.getMessage());
                failed(failures, failedGroups, messageId, group);
            } catch (RuntimeException e) {
                LOG.error("message {} not delivered: {}", messageId, e.getMessage(), e);
                failed(failures, failedGroups, messageId, group);
            } finally {
                MDC.remove("correlation_id");
            }
        }
        return answer;
    }

    private void told(ReleaseNews news) {
        MDC.put("correlation_id", news.newsId());
        Delivery delivery = threads.apply(news);
        LOG.info("{} {}: {}", news.thread().describe(), delivery.result(), delivery.detail());
        approvals.gateApproval(news).ifPresent(card -> LOG.info("approval card {} for {}", card.id(), news.thread().describe()));
        approvals.gateApprovalEnded(news).ifPresent(card -> LOG.info("approval card {} closed: the gate decided", card.id()));
    }

    /**
     * The AWS event a queued message holds: an EventBridge event or an SNS notification as the event queue took them in.
     * Empty for news, which Gantry's functions write and which is neither.
     */
    private static Optional<JsonNode> awsEventIn(String body) {
        JsonNode message;
        try {
            message = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // Not news either; ReleaseNewsJson says so, naming the problem.
            return Optional.empty();
        }
        return message != null && (message.has("detail-type") || isSnsNotification(message)) ? Optional.of(message) : Optional.empty();
    }

    private static boolean isSnsNotification(JsonNode message) {
        return "Notification".equals(message.path("Type").asText()) && message.has("TopicArn");
    }

    /**
     * CodePipeline's manual approvals, as its SNS notification carries them: one card each. A failure fails the
     * invocation; Gantry's topic delivers to the event queue instead, so this is for an invoke made by hand.
     */
    private ObjectNode approvalsAsked(JsonNode records) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode cards = answer.putArray("approvalCards");
        for (JsonNode record : records) {
            cards.add(approvalAsked(record.path("Sns")).id());
        }
        return answer;
    }

    /** @param notification SNS's notification, as a Lambda record's {@code Sns} or an SQS message's body holds it */
    private PendingApproval approvalAsked(JsonNode notification) {
        MDC.put("correlation_id", notification.path("MessageId").asText("unknown"));
        PendingApproval card = approvals.pipelineApproval(notification.path("Message").asText(), publishedAt(notification));
        LOG.info("approval card {} for pipeline {}", card.id(), card.pipeline().pipeline());
        return card;
    }

    /**
     * When SNS took the notification in, which is when CodePipeline asked: the notification may wait in the event queue
     * long after, and only this time places the approval before or after its action's end.
     */
    private static Instant publishedAt(JsonNode notification) {
        String timestamp = notification.path("Timestamp").asText(null);
        if (timestamp == null) {
            return null;
        }
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            throw new MalformedEventException("Timestamp: '" + timestamp + "' is not a time", e);
        }
    }

    private static void failed(ArrayNode failures, Set<String> failedGroups, String messageId, String group) {
        failures.addObject().put("itemIdentifier", messageId);
        if (group != null) {
            failedGroups.add(group);
        }
    }

    /** An EventBridge event invoking the function itself; a failure fails the invocation. */
    private ObjectNode changedNow(JsonNode event) {
        ObjectNode answer = JSON.createObjectNode();
        answer.putPOJO("delivered", changed(event));
        return answer;
    }

    private List<String> changed(JsonNode event) {
        MDC.put("correlation_id", event.path("id").asText("unknown"));
        List<String> outcomes = new ArrayList<>();
        for (ReleaseNews news : changes.of(event)) {
            Delivery delivery = threads.apply(news);
            outcomes.add(news.thread().describe() + ": " + delivery.result());
        }
        if (!outcomes.isEmpty()) {
            LOG.info("{} {}: {}", event.path("detail-type").asText(), event.path("id").asText(), String.join(", ", outcomes));
        }
        changes.approvalEnded(event).flatMap(approvals::pipelineApprovalEnded).ifPresent(card -> {
            LOG.info("approval card {} closed: {}", card.id(), card.pipeline().path());
            outcomes.add("approval card " + card.id() + ": closed");
        });
        return outcomes;
    }
}
