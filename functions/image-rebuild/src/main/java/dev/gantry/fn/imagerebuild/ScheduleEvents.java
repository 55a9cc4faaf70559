package dev.gantry.fn.imagerebuild;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.core.release.MalformedEventException;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * Reads the envelope fields every event shares, and the two schedule events: Gantry's own {@code Gantry Scheduled
 * Rebuild} (one per base image schedule, from {@code gantry.schedule}) and EventBridge's plain {@code Scheduled Event}
 * of the resume sweep, which carries nothing the sweep needs.
 */
final class ScheduleEvents {

    static final String SCHEDULED_REBUILD = "Gantry Scheduled Rebuild";
    static final String SCHEDULED_REBUILD_SOURCE = "gantry.schedule";
    static final String SCHEDULED_EVENT = "Scheduled Event";

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private ScheduleEvents() {}

    /** @param scheduledFor the time the schedule fired for, the event's {@code time}: the same for every delivery of one firing */
    record ScheduledRebuild(String eventId, String baseName, Instant scheduledFor) {}

    static JsonNode tree(byte[] event) {
        JsonNode tree;
        try {
            tree = JSON.readTree(event);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("the event is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedEventException("the event could not be read: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new MalformedEventException("the event is not a JSON object");
        }
        return tree;
    }

    static String detailTypeOf(byte[] event) {
        return text(tree(event), "detail-type");
    }

    static ScheduledRebuild scheduledRebuild(byte[] event) {
        JsonNode tree = tree(event);
        String source = text(tree, "source");
        if (!SCHEDULED_REBUILD_SOURCE.equals(source)) {
            throw new MalformedEventException("source: '" + source + "' is not '" + SCHEDULED_REBUILD_SOURCE + "', the source of a '"
                    + SCHEDULED_REBUILD + "' event");
        }
        JsonNode detail = tree.get("detail");
        if (detail == null || !detail.isObject()) {
            throw new MalformedEventException("detail: missing");
        }
        return new ScheduledRebuild(text(tree, "id"), text(detail, "base", "detail.base"), instant(tree, "time"));
    }

    static String text(JsonNode node, String field) {
        return text(node, field, field);
    }

    static String text(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new MalformedEventException(path + ": missing");
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new MalformedEventException(path + ": not a non-blank string");
        }
        return value.asText();
    }

    static Instant instant(JsonNode node, String field) {
        String text = text(node, field);
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            throw new MalformedEventException(field + ": '" + text + "' is not an ISO-8601 UTC timestamp");
        }
    }
}
