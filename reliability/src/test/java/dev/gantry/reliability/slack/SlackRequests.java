package dev.gantry.reliability.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.reliability.harness.SlackSignature;
import dev.gantry.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slack requests as Slack sends them to the Function URL: bodies made from the samples under {@code events/} (a slash
 * command's form and a button click's {@code block_actions} payload), signed at test time as Slack signs them, and
 * wrapped in the Function URL's event (payload format 2.0).
 */
final class SlackRequests {

    /** Obviously not a real signing secret. */
    static final String SIGNING_SECRET = "test-signing-secret-not-real";
    static final String SIGNATURE_HEADER = "x-slack-signature";
    static final String TIMESTAMP_HEADER = "x-slack-request-timestamp";

    static final String COMMAND_SAMPLE = "gantry-slack-slash-command.form";
    static final String CLICK_SAMPLE = "gantry-slack-block-actions-approve.json";
    /** Slack's own example of a signed request, from another workspace and app. */
    static final String SLACKS_EXAMPLE = "slack-slash-command-verifying-requests-example.form";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SlackRequests() {}

    /** A sample body exactly as its file holds it. */
    static String sample(String fileName) {
        return Fixtures.eventText(fileName).strip();
    }

    /** The click sample as the form body Slack posts it: {@code payload=} and the URL-encoded JSON. */
    static String sampleClick() {
        return "payload=" + URLEncoder.encode(sample(CLICK_SAMPLE), StandardCharsets.UTF_8);
    }

    /** The slash command sample with who asked, what, and where the answer goes replaced. */
    static String command(String team, String app, String user, String text, String triggerId, String responseUrl) {
        Map<String, String> form = form(sample(COMMAND_SAMPLE));
        form.put("team_id", team);
        form.put("api_app_id", app);
        form.put("user_id", user);
        form.put("user_name", user.toLowerCase(Locale.ROOT));
        form.put("text", text);
        form.put("trigger_id", triggerId);
        form.put("response_url", responseUrl);
        return encoded(form);
    }

    /** The click sample with the clicker, the button, the message it sits on and where the answer goes replaced. */
    static String click(Click click) {
        ObjectNode payload;
        try {
            payload = (ObjectNode) JSON.readTree(sample(CLICK_SAMPLE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String name = click.user().toLowerCase(Locale.ROOT);
        payload.withObjectProperty("user").put("id", click.user()).put("username", name).put("name", name).put("team_id", click.team());
        payload.withObjectProperty("team").put("id", click.team());
        payload.put("api_app_id", click.app());
        payload.put("trigger_id", click.triggerId());
        payload.put("response_url", click.responseUrl());
        payload.withObjectProperty("container").put("channel_id", click.channelId()).put("message_ts", click.messageTs());
        payload.withObjectProperty("channel").put("id", click.channelId());
        payload.withObjectProperty("message").put("ts", click.messageTs());
        ObjectNode action = (ObjectNode) payload.withArrayProperty("actions").get(0);
        action.put("action_id", click.actionId()).put("value", click.value());
        return "payload=" + URLEncoder.encode(payload.toString(), StandardCharsets.UTF_8);
    }

    /** A click on a button: who, which button carrying which value, on which message, answered where. */
    record Click(String team, String app, String user, String actionId, String value, String channelId, String messageTs, String triggerId,
            String responseUrl) {}

    static String signature(String secret, String timestamp, String body) {
        return SlackSignature.of(secret, timestamp, body.getBytes(StandardCharsets.UTF_8));
    }

    /** The headers Slack sends with {@code body} signed with {@code secret} at {@code signedAt}. */
    static Map<String, String> signedHeaders(String body, String secret, Instant signedAt) {
        String timestamp = Long.toString(signedAt.getEpochSecond());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/x-www-form-urlencoded");
        headers.put("user-agent", "Slackbot 1.0 (+https://api.slack.com/robots)");
        headers.put(TIMESTAMP_HEADER, timestamp);
        headers.put(SIGNATURE_HEADER, signature(secret, timestamp, body));
        return headers;
    }

    static String signedEvent(String body, String secret, Instant signedAt) {
        return event("POST", signedHeaders(body, secret, signedAt), body, false);
    }

    /** The Function URL's event: headers as given (the Function URL lower-cases their names), the body as given. */
    static String event(String method, Map<String, String> headers, String body, boolean isBase64Encoded) {
        ObjectNode event = JSON.createObjectNode().put("version", "2.0").put("routeKey", "$default").put("rawPath", "/")
                .put("rawQueryString", "");
        ObjectNode headerNode = event.putObject("headers");
        headers.forEach(headerNode::put);
        event.putObject("requestContext").put("accountId", "anonymous").put("domainName", "gantry.lambda-url.eu-west-1.on.aws")
                .putObject("http").put("method", method).put("path", "/").put("protocol", "HTTP/1.1").put("sourceIp", "192.0.2.10")
                .put("userAgent", headers.getOrDefault("user-agent", ""));
        event.put("body", body);
        event.put("isBase64Encoded", isBase64Encoded);
        return event.toString();
    }

    static String base64(String body) {
        return Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    private static String encoded(Map<String, String> form) {
        StringBuilder body = new StringBuilder();
        form.forEach((name, value) -> body.append(body.isEmpty() ? "" : "&").append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return body.toString();
    }
}
