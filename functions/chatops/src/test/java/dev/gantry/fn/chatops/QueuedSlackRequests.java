package dev.gantry.fn.chatops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Slack requests as slack-interactions hands them to the worker's queue, and as SQS delivers them to the worker. */
final class QueuedSlackRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private QueuedSlackRequests() {}

    /**
     * {@code user}'s click on the button {@code actionId} carrying {@code value}, on the card Slack answered the post of in
     * #releases (channel C0RELEASES, message 1763892000.000100), answered at {@code responseUrl}.
     */
    static String click(String user, String actionId, String value, String trigger, String responseUrl) {
        ObjectNode payload = JSON.createObjectNode().put("type", "block_actions").put("api_app_id", "A0GANTRY1")
                .put("trigger_id", trigger).put("response_url", responseUrl);
        payload.putObject("team").put("id", "T0GANTRY1");
        payload.putObject("user").put("id", user);
        payload.putObject("channel").put("id", "C0RELEASES");
        payload.putObject("container").put("type", "message").put("message_ts", "1763892000.000100").put("channel_id", "C0RELEASES");
        payload.putArray("actions").addObject().put("action_id", actionId).put("block_id", "approval").put("value", value)
                .put("type", "button");
        return "payload=" + URLEncoder.encode(payload.toString(), StandardCharsets.UTF_8);
    }

    /** An SQS batch of one, as Lambda delivers the request queue's messages. */
    static String queued(String body) {
        return queued(body, 1);
    }

    /** The same, received for the {@code receiveCount}th time, as SQS counts it in the record's attributes. */
    static String queued(String body, int receiveCount) {
        ObjectNode batch = JSON.createObjectNode();
        ObjectNode record = batch.putArray("Records").addObject().put("messageId", "m-1").put("body", body).put("eventSource", "aws:sqs");
        record.putObject("attributes").put("ApproximateReceiveCount", String.valueOf(receiveCount));
        return batch.toString();
    }
}
