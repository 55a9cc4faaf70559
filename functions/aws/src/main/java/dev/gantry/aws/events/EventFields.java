package dev.gantry.aws.events;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.core.release.MalformedEventException;
import java.io.IOException;
import java.io.InputStream;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * Reading shared by the event parsers, so that every event names a bad field in the same words: a
 * {@link MalformedEventException} is read by whoever has to fix the event, and must point at the field.
 */
final class EventFields {

    // AWS adds fields to its events without notice: an unknown field must not fail the parse.
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventFields() {}

    /** The event, which must not be JSON {@code null}. */
    static <T> T read(InputStream json, Class<T> type) {
        T event = readOrNull(json, type);
        if (event == null) {
            throw new MalformedEventException("the event is empty");
        }
        return event;
    }

    /** The event, or null when it is JSON {@code null}: for a parser that words that case itself. */
    static <T> T readOrNull(InputStream json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonMappingException e) {
            // Jackson quotes what it could not read, and an event's value can be a credential (a pipeline job's): a syntax
            // error says only where, a value that does not fit keeps the shape with quoted values cut out, and Jackson's
            // exception, whose message quotes them, is not chained.
            if (e.getCause() instanceof StreamReadException syntax) {
                throw new MalformedEventException(fieldOf(e) + ": not valid JSON" + where(syntax.getLocation()));
            }
            throw new MalformedEventException(fieldOf(e) + ": wrong type or shape (" + withoutQuotedValues(firstLine(e.getOriginalMessage()))
                    + ")");
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("the event is not valid JSON" + where(e.getLocation()));
        } catch (IOException e) {
            throw new MalformedEventException("the event could not be read: " + e.getMessage(), e);
        }
    }

    static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new MalformedEventException(field + ": missing");
        }
        return value;
    }

    static Instant instant(String value, String field) {
        try {
            return Instant.parse(required(value, field));
        } catch (DateTimeException e) {
            throw new MalformedEventException(field + ": '" + value + "' is not an ISO-8601 UTC timestamp");
        }
    }

    private static String fieldOf(JsonMappingException e) {
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                field.append(field.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else {
                field.append('[').append(ref.getIndex()).append(']');
            }
        }
        return field.isEmpty() ? "the event" : field.toString();
    }

    private static String withoutQuotedValues(String message) {
        return message.replaceAll("'[^']*'", "'…'").replaceAll("\"[^\"]*\"", "\"…\"");
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    // A Jackson message can run over several lines; an event's error is reported on one.
    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
