package dev.gantry.aws.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.release.MalformedEventException;
import java.io.IOException;
import java.io.InputStream;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * The EventBridge {@code ECR Image Action} event, read into an {@link ImagePush}. Unknown fields are
 * ignored (AWS adds fields without notice); missing or mistyped ones are rejected naming the field.
 */
public final class EcrImageActionEvent {

    static final String SOURCE = "aws.ecr";
    static final String DETAIL_TYPE = "ECR Image Action";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EcrImageActionEvent() {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Envelope(
            String id,
            @JsonProperty("detail-type") String detailType,
            String source,
            String account,
            String time,
            String region,
            Detail detail) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Detail(
            String result,
            @JsonProperty("repository-name") String repositoryName,
            @JsonProperty("image-digest") String imageDigest,
            @JsonProperty("action-type") String actionType,
            @JsonProperty("image-tag") String imageTag) {}

    public static ImagePush parse(InputStream json) {
        Envelope event;
        try {
            event = MAPPER.readValue(json, Envelope.class);
        } catch (JsonMappingException e) {
            throw new MalformedEventException(fieldOf(e) + ": wrong type or shape (" + firstLine(e.getOriginalMessage()) + ")", e);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("the event is not valid JSON: " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new MalformedEventException("the event could not be read: " + e.getMessage(), e);
        }
        if (event == null) {
            throw new MalformedEventException("the event is empty");
        }
        if (!SOURCE.equals(event.source()) || !DETAIL_TYPE.equals(event.detailType())) {
            throw new MalformedEventException("expected an '" + DETAIL_TYPE + "' event from " + SOURCE + ", got detail-type '"
                    + event.detailType() + "' from source '" + event.source() + "'");
        }
        Detail detail = event.detail();
        if (detail == null) {
            throw new MalformedEventException("detail: missing");
        }
        return new ImagePush(
                required(event.id(), "id"),
                required(event.account(), "account"),
                required(event.region(), "region"),
                required(detail.repositoryName(), "detail.repository-name"),
                detail.imageTag(),
                detail.imageDigest(),
                required(detail.actionType(), "detail.action-type"),
                required(detail.result(), "detail.result"),
                time(event.time()));
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

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new MalformedEventException(field + ": missing");
        }
        return value;
    }

    private static Instant time(String value) {
        try {
            return Instant.parse(required(value, "time"));
        } catch (DateTimeException e) {
            throw new MalformedEventException("time: '" + value + "' is not an ISO-8601 UTC timestamp");
        }
    }
}
