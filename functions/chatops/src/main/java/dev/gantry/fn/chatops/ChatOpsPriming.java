package dev.gantry.fn.chatops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.PrimingCalls;
import dev.gantry.aws.ReleaseNewsJson;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.slack.SlackPayloads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * What the ChatOps worker and notify functions are primed with before a SnapStart snapshot: a message of their own
 * queue, read as their handlers read it and answered as they answer, and the state table. Neither function's Slack
 * client is primed: any Slack call needs the bot token, and no snapshot may hold it. So the token's secret is never
 * read here. What the worker's commands call beyond the table (ECR, ECS, the gates' alarms and calendars, the notify
 * queue, rebuild starts) is rehearsed, signed and stopped before sending, as its service builds the clients.
 */
final class ChatOpsPriming {

    /** News as another function tells it: the notify queue's message body. */
    static final String NEWS = """
            {"type":"RolloutChanged","newsId":"rollout/gantry-snapstart-priming/priming/000000000000/IN_PROGRESS",
             "at":"2026-01-01T00:00:00Z","service":"gantry-snapstart-priming","environment":"priming",
             "digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","status":"IN_PROGRESS","reason":null}""";

    /** A slash command as slack-interactions hands it to the worker: the verified form body. */
    static final String COMMAND = "team_id=T0PRIMING&api_app_id=A0PRIMING&user_id=U0PRIMING&user_name=priming&command=%2Fgantry"
            + "&text=status&response_url=https%3A%2F%2Fhooks.slack.test%2Fpriming&trigger_id=0.0.priming&channel_id=C0PRIMING";

    /** A button click as slack-interactions hands it to the worker. */
    static final String CLICK = "payload=" + URLEncoder.encode("""
            {"type":"block_actions","api_app_id":"A0PRIMING","team":{"id":"T0PRIMING"},"user":{"id":"U0PRIMING"},
             "trigger_id":"0.0.priming","response_url":"https://hooks.slack.test/priming",
             "container":{"type":"message","channel_id":"C0PRIMING","message_ts":"0.000000"},
             "actions":[{"action_id":"gantry.approve","block_id":"approval:priming","value":"priming"}]}""", StandardCharsets.UTF_8);

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatOpsPriming() {}

    static SnapStartPriming notify(ChatOpsWiring wiring) {
        return SnapStartPriming.builder().loadListedClasses()
                .step("read and answer a notify queue batch", () -> {
                    for (JsonNode record : records(NEWS)) {
                        ReleaseNewsJson.read(record.path("body").asText());
                    }
                    answer();
                })
                .step(PrimingCalls.stateTable(wiring.dynamo(), wiring.table()))
                .step(PrimingCalls.stateTableWrites(wiring.dynamo(), wiring.table()))
                .step(PrimingCalls.loopbackHttpExchange())
                .build();
    }

    /**
     * The worker's own steps: its queue's batch, the state table, and an HTTP exchange as Slack's are made. The clients
     * the worker's service builds add theirs as they are built ({@link ChatOpsWiring#chatOpsService(SnapStartPriming.Builder)}).
     */
    static SnapStartPriming.Builder worker(ChatOpsWiring wiring) {
        return SnapStartPriming.builder().loadListedClasses()
                .step("read and answer a request queue batch", () -> {
                    for (JsonNode record : records(COMMAND, CLICK)) {
                        SlackPayloads.parseHandedOver(record.path("body").asText());
                    }
                    answer();
                })
                .step(PrimingCalls.stateTable(wiring.dynamo(), wiring.table()))
                .step(PrimingCalls.stateTableWrites(wiring.dynamo(), wiring.table()))
                .step(PrimingCalls.loopbackHttpExchange());
    }

    /** An SQS batch of {@code bodies}, written and read back as the handlers read their event. */
    private static JsonNode records(String... bodies) throws IOException {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (int i = 0; i < bodies.length; i++) {
            ObjectNode record = records.addObject().put("messageId", "00000000-0000-0000-0000-00000000000" + i).put("body", bodies[i])
                    .put("eventSource", "aws:sqs");
            record.putObject("attributes").put("MessageGroupId", "priming");
        }
        return JSON.readTree(JSON.writeValueAsBytes(event)).path("Records");
    }

    /** The answer both handlers give a batch. */
    private static void answer() throws IOException {
        ObjectNode answer = JSON.createObjectNode();
        answer.putArray("batchItemFailures").addObject().put("itemIdentifier", "priming");
        JSON.writeValue(OutputStream.nullOutputStream(), answer);
    }
}
