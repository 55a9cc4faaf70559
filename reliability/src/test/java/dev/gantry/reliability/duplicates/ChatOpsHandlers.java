package dev.gantry.reliability.duplicates;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.DynamoDbAuditLog;
import dev.gantry.aws.DynamoDbChatRequestLedger;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbManualFreezes;
import dev.gantry.aws.DynamoDbPendingApprovals;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineApprovals;
import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.chatops.ChatPermissions;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateService;
import dev.gantry.fn.chatops.HandlersFromParts;
import dev.gantry.fn.interactions.InteractionsHandlers;
import dev.gantry.reliability.harness.SlackSignature;
import dev.gantry.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The three ChatOps functions as their handlers run on Lambda, over this suite's loopback AWS and the shared DynamoDB
 * Local, and the Slack requests and queue messages they are given, made from the samples in {@code events/}.
 */
final class ChatOpsHandlers {

    /** Obviously not a real signing secret. */
    static final String SIGNING_SECRET = "test-signing-secret-not-real";
    static final String REQUEST_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatOpsHandlers() {}

    /** slack-interactions: the signing secret as given, SQS (SendMessage) on {@code aws}. */
    static RequestStreamHandler slackInteractions(LoopbackAws aws) {
        Map<String, String> environment = Map.of(
                "AWS_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", "testaccesskey",
                "AWS_SECRET_ACCESS_KEY", "test-secret-key",
                "AWS_ENDPOINT_URL", aws.baseUrl());
        return InteractionsHandlers.fromParts(environment, () -> SIGNING_SECRET, REQUEST_QUEUE);
    }

    /** chatops-worker: everything a request may reach in {@code table}, CodePipeline, ECS and ECR on {@code aws}. */
    static RequestStreamHandler worker(GantryConfig config, LoopbackAws aws, String table, GateService gates, Clock clock) {
        DynamoDbClient dynamo = aws.dynamo;
        DynamoDbReleaseStore releases = new DynamoDbReleaseStore(dynamo, table);
        DynamoDbDeployControls controls = new DynamoDbDeployControls(dynamo, table);
        DeployService deploys = new DeployService(config, new SdkEcsGateway(aws.ecs), releases, controls, clock).withGates(gates);
        ChatOpsService chatOps = ChatOpsService.builder()
                .config(config)
                .clock(clock)
                .ledger(new DynamoDbChatRequestLedger(dynamo, table))
                .audit(new DynamoDbAuditLog(dynamo, table))
                .deploys(deploys)
                .controls(controls)
                .releases(releases)
                .registry(new SdkImageRegistry(aws.ecr))
                .gates(gates, new DynamoDbGateStore(dynamo, table))
                .freezes(new DynamoDbManualFreezes(dynamo, table))
                .pendingApprovals(new DynamoDbPendingApprovals(dynamo, table))
                .pipelineApprovals(new SdkPipelineApprovals(aws.codePipeline))
                .build();
        return HandlersFromParts.worker(chatOps, aws.slack());
    }

    /** chatops-notify as its wiring builds it over {@code table}, with Slack on {@code aws}. */
    static RequestStreamHandler notify(GantryConfig config, LoopbackAws aws, String table, Clock clock) {
        return HandlersFromParts.notify(config, aws.dynamo, table, aws.slack(), clock);
    }

    /** What chatops-notify posts approval cards with, keeping them in {@code table}, with Slack on {@code aws}. */
    static ApprovalRequests approvalRequests(GantryConfig config, LoopbackAws aws, String table) {
        return new ApprovalRequests(config, new DynamoDbPendingApprovals(aws.dynamo, table), aws.slack(),
                new ChatPermissions(config, ApproverGroups.none()), Clock.systemUTC());
    }

    /**
     * The Function URL event of a Slack request: the Lambda developer guide's sample carrying {@code body}, signed as
     * Slack signs it at {@code signedAt}; {@code retry} is Slack's {@code X-Slack-Retry-Num}, 0 for the first delivery.
     */
    static String signedRequest(String body, long signedAt, int retry) {
        ObjectNode event = (ObjectNode) read(Fixtures.eventText("lambda-function-url-request.lambda-dev-guide.json"));
        ObjectNode headers = event.putObject("headers")
                .put("content-type", "application/x-www-form-urlencoded")
                .put("x-slack-request-timestamp", Long.toString(signedAt))
                .put("x-slack-signature", SlackSignature.of(SIGNING_SECRET, signedAt, body));
        if (retry > 0) {
            headers.put("x-slack-retry-num", Integer.toString(retry)).put("x-slack-retry-reason", "http_timeout");
        }
        event.put("body", body).put("isBase64Encoded", false);
        ((ObjectNode) event.path("requestContext").path("http")).put("method", "POST");
        return event.toString();
    }

    /** The sample slash command, its text and {@code response_url} replaced. */
    static String slashCommand(String text, String responseUrl) {
        return Fixtures.eventText("gantry-slack-slash-command.form").strip()
                .replace("text=approve+payments-api+prod", "text=" + URLEncoder.encode(text, StandardCharsets.UTF_8))
                .replace("response_url=" + URLEncoder.encode("https://hooks.slack.com/commands/T0GANTRY1/1000000000001/test-response-url-not-real",
                        StandardCharsets.UTF_8), "response_url=" + URLEncoder.encode(responseUrl, StandardCharsets.UTF_8));
    }

    /**
     * The sample Approve click as slack-interactions hands it over ({@code payload=...}), by {@code userId}, on the
     * button {@code actionId} of the card {@code approvalId}, with Slack's {@code trigger_id} for the click.
     */
    static String click(String userId, String actionId, String approvalId, String triggerId, String responseUrl) {
        ObjectNode payload = (ObjectNode) read(Fixtures.eventText("gantry-slack-block-actions-approve.json"));
        ((ObjectNode) payload.path("user")).put("id", userId).put("username", userId).put("name", userId);
        payload.put("trigger_id", triggerId).put("response_url", responseUrl);
        ObjectNode action = (ObjectNode) payload.path("actions").path(0);
        action.put("action_id", actionId).put("value", approvalId);
        return "payload=" + URLEncoder.encode(payload.toString(), StandardCharsets.UTF_8);
    }

    /** An SQS batch of one message, as Lambda delivers a queue's messages; {@code group} only for a FIFO queue. */
    static String sqsBatch(String messageId, String body, String group) {
        ObjectNode batch = JSON.createObjectNode();
        ArrayNode records = batch.putArray("Records");
        ObjectNode record = records.addObject().put("messageId", messageId).put("body", body).put("eventSource", "aws:sqs");
        if (group != null) {
            record.putObject("attributes").put("MessageGroupId", group);
        }
        return batch.toString();
    }

    /**
     * The notification SNS puts in the event queue carrying {@code message}: the document the Lambda developer guide's
     * sample record holds as {@code Sns}.
     */
    static String snsNotification(String message) {
        ObjectNode notification = (ObjectNode) read(Fixtures.eventText("sns-lambda-event-envelope.lambda-dev-guide.json")).path("Records").path(0)
                .path("Sns");
        return notification.put("Message", message).toString();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
