package dev.gantry.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.slack.SlackRequestVerifier.Verified;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads what a request from Slack carries, once {@link SlackRequestVerifier} has verified it: only a
 * {@link Verified} body is taken, so nothing Slack did not sign is ever parsed.
 *
 * <p>Slack posts both kinds as {@code application/x-www-form-urlencoded}: a slash command as form fields, an
 * interaction as one field, {@code payload}, holding JSON. A body that lacks what Gantry needs is a
 * {@link MalformedSlackPayloadException} naming the field; its message never repeats the body's values.
 */
public final class SlackPayloads {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAYLOAD = "payload";
    private static final String BLOCK_ACTIONS = "block_actions";

    private SlackPayloads() {}

    /** A slash command or a button click, told apart by the interaction's {@code payload} field. */
    public static SlackPayload parse(Verified request) {
        Map<String, String> form = form(request.body());
        return form.containsKey(PAYLOAD) ? action(form) : command(form);
    }

    /**
     * A body {@code slack-interactions} verified and handed to the worker through the ChatOps request queue. Only that
     * function may send to the queue (its IAM policy, and no one else's, allows it), so the queue itself is the proof
     * that the signature was checked: the signature does not travel with the body, and could not be checked again
     * after its five minutes anyway.
     */
    public static SlackPayload parseHandedOver(String verifiedBody) {
        Map<String, String> form = form(verifiedBody);
        return form.containsKey(PAYLOAD) ? action(form) : command(form);
    }

    public static SlackCommand command(Verified request) {
        return command(form(request.body()));
    }

    public static SlackAction action(Verified request) {
        return action(form(request.body()));
    }

    private static SlackCommand command(Map<String, String> form) {
        return new SlackCommand(
                required(form, "team_id"),
                required(form, "api_app_id"),
                required(form, "user_id"),
                form.getOrDefault("user_name", ""),
                required(form, "command"),
                form.getOrDefault("text", ""),
                required(form, "response_url"),
                required(form, "trigger_id"),
                required(form, "channel_id"));
    }

    private static SlackAction action(Map<String, String> form) {
        JsonNode payload;
        try {
            payload = JSON.readTree(required(form, PAYLOAD));
        } catch (JsonProcessingException e) {
            throw new MalformedSlackPayloadException(PAYLOAD, "not JSON");
        }
        if (payload == null || !payload.isObject()) {
            throw new MalformedSlackPayloadException(PAYLOAD, "not a JSON object");
        }
        JsonNode type = payload.path("type");
        if (!BLOCK_ACTIONS.equals(type.asText())) {
            String named = type.isTextual() && type.textValue().matches("[a-z_]{1,40}") ? type.textValue() : "(none)";
            throw new MalformedSlackPayloadException("type",
                    "interaction type " + named + " is not handled; Gantry takes " + BLOCK_ACTIONS);
        }
        JsonNode actions = payload.path("actions");
        if (!actions.isArray() || actions.isEmpty()) {
            throw new MalformedSlackPayloadException("actions", "missing or empty");
        }
        JsonNode action = actions.get(0);
        JsonNode value = action.path("value");
        // The container says where the clicked message is; the channel and message objects repeat it, and stand
        // in when the container leaves it out.
        return new SlackAction(
                requiredText(payload.path("team").path("id"), "team.id"),
                requiredText(payload.path("api_app_id"), "api_app_id"),
                requiredText(payload.path("user").path("id"), "user.id"),
                requiredText(action.path("action_id"), "actions[0].action_id"),
                requiredText(action.path("block_id"), "actions[0].block_id"),
                value.isTextual() ? value.textValue() : null,
                requiredText(payload.path("response_url"), "response_url"),
                requiredText(payload.path("trigger_id"), "trigger_id"),
                requiredText(firstText(payload.path("container").path("channel_id"), payload.path("channel").path("id")),
                        "container.channel_id"),
                requiredText(firstText(payload.path("container").path("message_ts"), payload.path("message").path("ts")),
                        "container.message_ts"));
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        if (body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals), "a field name");
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1), name);
            if (form.putIfAbsent(name, value) != null) {
                // Two values for one field could be read differently by two readers; Slack never sends that.
                throw new MalformedSlackPayloadException(name, "appears more than once");
            }
        }
        return form;
    }

    private static String decode(String encoded, String field) {
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new MalformedSlackPayloadException(field, "not valid form encoding");
        }
    }

    private static String required(Map<String, String> form, String field) {
        String value = form.get(field);
        if (value == null || value.isBlank()) {
            throw new MalformedSlackPayloadException(field, "missing");
        }
        return value;
    }

    private static String requiredText(JsonNode value, String path) {
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw new MalformedSlackPayloadException(path, "missing");
        }
        return value.textValue();
    }

    private static JsonNode firstText(JsonNode preferred, JsonNode fallback) {
        return preferred.isTextual() && !preferred.textValue().isBlank() ? preferred : fallback;
    }
}
