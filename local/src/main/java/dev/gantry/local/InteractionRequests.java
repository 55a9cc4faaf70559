package dev.gantry.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The requests Slack sends when someone clicks a button: the {@code block_actions} payload (shaped as the sample in
 * {@code events/gantry-slack-block-actions-approve.json}, filled from the clicked message), form-encoded as
 * {@code payload=...}, signed as Slack signs it (v0, HMAC-SHA256 of {@code v0:<timestamp>:<body>} with the app's
 * signing secret), and wrapped in the Lambda Function URL event that slack-interactions receives.
 */
final class InteractionRequests {

    static final String BLOCK_ACTIONS_SAMPLE = "gantry-slack-block-actions-approve.json";
    static final String FUNCTION_URL_SAMPLE = "lambda-function-url-request.lambda-dev-guide.json";
    /** Slack's user agent for the requests it sends apps. */
    static final String SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The app the requests come through.
     *
     * @param botUserId and {@code botId}: who the app's messages are posted by
     */
    record App(String teamId, String teamDomain, String appId, String botUserId, String botId) {}

    /** Who clicks. */
    record User(String id, String name) {}

    private final JsonNode blockActionsSample;
    private final JsonNode functionUrlSample;
    private final App app;
    private final Supplier<String> signingSecret;
    private final SecureRandom random = new SecureRandom();

    InteractionRequests(Path events, App app, Supplier<String> signingSecret) {
        this.blockActionsSample = read(events.resolve(BLOCK_ACTIONS_SAMPLE));
        this.functionUrlSample = read(events.resolve(FUNCTION_URL_SAMPLE));
        this.app = app;
        this.signingSecret = signingSecret;
    }

    /**
     * The {@code block_actions} payload of a click on {@code button} (as the message's blocks hold it) in block
     * {@code blockId} of {@code message}.
     */
    String blockActions(SlackWorkspace.Message message, SlackWorkspace.Channel channel, JsonNode button, String blockId, User user,
            String responseUrl, Instant at) {
        ObjectNode payload = blockActionsSample.deepCopy();
        payload.putObject("user").put("id", user.id()).put("username", user.name()).put("name", user.name()).put("team_id", app.teamId());
        payload.put("api_app_id", app.appId());
        payload.put("token", "fake-local-verification-token");
        payload.putObject("container").put("type", "message").put("message_ts", message.ts()).put("channel_id", channel.id())
                .put("is_ephemeral", false);
        payload.put("trigger_id", triggerId(at));
        payload.putObject("team").put("id", app.teamId()).put("domain", app.teamDomain());
        payload.putObject("channel").put("id", channel.id()).put("name", channel.name());
        ObjectNode clicked = payload.putObject("message")
                .put("bot_id", app.botId())
                .put("type", "message")
                .put("text", message.text())
                .put("user", app.botUserId())
                .put("ts", message.ts())
                .put("app_id", app.appId())
                .put("team", app.teamId());
        if (message.threadTs() != null) {
            clicked.put("thread_ts", message.threadTs());
        }
        clicked.set("blocks", message.blocks().deepCopy());
        payload.putObject("state").putObject("values");
        payload.put("response_url", responseUrl);
        ObjectNode action = payload.putArray("actions").addObject()
                .put("action_id", button.path("action_id").asText())
                .put("block_id", blockId);
        action.set("text", button.path("text").deepCopy());
        action.put("value", button.path("value").asText(""));
        if (button.hasNonNull("style")) {
            action.put("style", button.path("style").asText());
        }
        action.put("type", "button").put("action_ts", slackTime(at));
        return payload.toString();
    }

    /** The form body Slack posts for an interaction. */
    static String formBody(String payloadJson) {
        return "payload=" + URLEncoder.encode(payloadJson, StandardCharsets.UTF_8);
    }

    /**
     * The Function URL event of Slack's POST of {@code body} signed at {@code signedAt}: the Lambda developer guide's
     * sample with Slack's headers, and the form body base64-encoded as Lambda hands over a body that is neither text nor
     * JSON.
     */
    String functionUrlEvent(String body, Instant signedAt) {
        long timestamp = signedAt.getEpochSecond();
        ObjectNode event = functionUrlSample.deepCopy();
        event.put("rawPath", "/").put("rawQueryString", "");
        event.remove("cookies");
        event.putNull("queryStringParameters");
        event.putObject("headers")
                .put("content-type", "application/x-www-form-urlencoded")
                .put("user-agent", SLACK_USER_AGENT)
                .put("x-slack-request-timestamp", Long.toString(timestamp))
                .put("x-slack-signature", signature(signingSecret.get(), timestamp, body));
        ObjectNode http = (ObjectNode) event.path("requestContext").path("http");
        http.put("method", "POST").put("path", "/").put("sourceIp", "127.0.0.1").put("userAgent", SLACK_USER_AGENT);
        ((ObjectNode) event.path("requestContext")).put("timeEpoch", signedAt.toEpochMilli());
        event.put("body", Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)));
        event.put("isBase64Encoded", true);
        return event.toString();
    }

    /** {@code v0=} and the hex HMAC-SHA256 of {@code v0:<timestamp>:<body>}, keyed with the signing secret. */
    static String signature(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }

    /** Shaped as Slack's: two numbers and 32 hex digits; unique per click, which is what the worker relies on. */
    private String triggerId(Instant at) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return at.toEpochMilli() + "." + at.getEpochSecond() + "." + HexFormat.of().formatHex(bytes);
    }

    /** Slack's {@code seconds.microseconds}. */
    static String slackTime(Instant at) {
        return "%d.%06d".formatted(at.getEpochSecond(), at.getNano() / 1_000);
    }

    private static JsonNode read(Path sample) {
        try {
            return JSON.readTree(Files.readString(sample, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("the sample event " + sample + " cannot be read", e);
        }
    }
}
