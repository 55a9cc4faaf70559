package dev.gantry.aws;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ReleaseNews;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * News as it travels through the notify queue: one JSON object per {@link ReleaseNews}, named by a {@code type}
 * field, followed by the record's own fields under their own names.
 *
 * <p>The type names are part of the queue's contract between the functions that tell news and the notify function,
 * which may run another version during a deploy; they never change:
 * {@code DeployStarted}, {@code DeployDeclined}, {@code RolloutChanged}, {@code GateChanged}, {@code GateDecided},
 * {@code PipelineChanged}, {@code BuildChanged}, {@code RebuildChanged}, {@code AlarmChanged}. Instants are ISO-8601
 * strings ({@code 2026-11-23T10:00:00Z}), digests their {@code sha256:...} string, enums their names, a thread key an
 * object ({@code {"kind":"RELEASE","name":"payments-api","id":"sha256:..."}}; one of Gantry's own alarms:
 * {@code {"kind":"OPERATIONS","name":"Gantry-ecs-deploy-errors","id":"eu-west-1"}}), absent values {@code null}. Fields a
 * reader does not know are ignored, so a sender may add one before every reader knows it; a field a reader knows and
 * the sender did not write yet (an alarm's {@code description}) reads as absent.
 *
 * <p>Errors: {@link #read} throws {@link MalformedNewsException} naming what is wrong (not JSON, no or an unknown
 * type, a missing or malformed field); the notify function leaves such a message to its dead-letter queue.
 */
public final class ReleaseNewsJson {

    /** The type names on the wire, by record: a new kind of news in core fails {@code ReleaseNewsJsonTest} until named here. */
    static final Map<Class<? extends ReleaseNews>, String> TYPE_NAMES = typeNames();

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addMixIn(ReleaseNews.class, TypedByName.class)
            .addModule(new SimpleModule("gantry-release-news")
                    .addSerializer(Instant.class, ToStringSerializer.instance)
                    .addDeserializer(Instant.class, new TextDeserializer<>(Instant.class))
                    .addSerializer(ImageDigest.class, ToStringSerializer.instance)
                    .addDeserializer(ImageDigest.class, new TextDeserializer<>(ImageDigest.class)))
            .registerSubtypes(TYPE_NAMES.entrySet().stream().map(e -> new NamedType(e.getKey(), e.getValue())).toArray(NamedType[]::new))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ObjectWriter WRITER = JSON.writerFor(ReleaseNews.class);
    private static final ObjectReader READER = JSON.readerFor(ReleaseNews.class);

    private ReleaseNewsJson() {}

    public static String write(ReleaseNews news) {
        try {
            return WRITER.writeValueAsString(news);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("news " + news.newsId() + " could not be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** @throws MalformedNewsException when {@code json} is not news this class wrote */
    public static ReleaseNews read(String json) {
        if (json == null || json.isBlank()) {
            throw new MalformedNewsException("the message is empty, not news");
        }
        try {
            ReleaseNews news = READER.readValue(json);
            if (news == null) {
                throw new MalformedNewsException("the message is JSON null, not news");
            }
            return news;
        } catch (InvalidTypeIdException e) {
            throw new MalformedNewsException(e.getTypeId() == null
                    ? "the message names no news type: its 'type' field is missing"
                    : "unknown news type '" + e.getTypeId() + "'; known types: " + String.join(", ", TYPE_NAMES.values()), e);
        } catch (ValueInstantiationException e) {
            throw new MalformedNewsException("news of type " + typeOf(e) + " is incomplete: " + problem(e.getCause()), e);
        } catch (StreamReadException e) {
            throw new MalformedNewsException("the message is not JSON: " + e.getOriginalMessage(), e);
        } catch (JsonMappingException e) {
            throw new MalformedNewsException("news of type " + typeOf(e) + " has a malformed field '" + fieldOf(e) + "': "
                    + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new MalformedNewsException("the message could not be read as news: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<Class<? extends ReleaseNews>, String> typeNames() {
        Map<Class<? extends ReleaseNews>, String> names = new LinkedHashMap<>();
        names.put(ReleaseNews.DeployStarted.class, "DeployStarted");
        names.put(ReleaseNews.DeployDeclined.class, "DeployDeclined");
        names.put(ReleaseNews.RolloutChanged.class, "RolloutChanged");
        names.put(ReleaseNews.GateChanged.class, "GateChanged");
        names.put(ReleaseNews.GateDecided.class, "GateDecided");
        names.put(ReleaseNews.PipelineChanged.class, "PipelineChanged");
        names.put(ReleaseNews.BuildChanged.class, "BuildChanged");
        names.put(ReleaseNews.RebuildChanged.class, "RebuildChanged");
        names.put(ReleaseNews.AlarmChanged.class, "AlarmChanged");
        return Collections.unmodifiableMap(names);
    }

    /** The news type being read where {@code e} happened, by its wire name. */
    private static String typeOf(JsonMappingException e) {
        if (e instanceof ValueInstantiationException instantiation && TYPE_NAMES.containsKey(instantiation.getType().getRawClass())) {
            return TYPE_NAMES.get(instantiation.getType().getRawClass());
        }
        return e.getPath().stream()
                .map(reference -> reference.getFrom() instanceof Class<?> type ? type
                        : reference.getFrom() == null ? null : reference.getFrom().getClass())
                .filter(TYPE_NAMES::containsKey)
                .map(TYPE_NAMES::get)
                .findFirst()
                .orElse("?");
    }

    /** {@code dependents[0].status}, as the field is named in the message. */
    private static String fieldOf(JsonMappingException e) {
        return e.getPath().stream()
                .map(reference -> reference.getFieldName() != null ? "." + reference.getFieldName() : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining())
                .replaceFirst("^\\.", "");
    }

    /** The records' constructors say {@code Objects.requireNonNull(service, "service")}: a bare field name. */
    private static String problem(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        if (cause instanceof NullPointerException && cause.getMessage() != null && !cause.getMessage().contains(" ")) {
            return "'" + cause.getMessage() + "' is missing";
        }
        return cause.getMessage();
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
    private interface TypedByName {}

    /** Reads a value from its string form, so that a malformed one is reported with the field it came in. */
    private static final class TextDeserializer<T> extends FromStringDeserializer<T> {

        TextDeserializer(Class<T> type) {
            super(type);
        }

        @Override
        @SuppressWarnings("unchecked")
        protected T _deserialize(String value, DeserializationContext context) {
            try {
                Object parsed = handledType() == Instant.class ? Instant.parse(value) : ImageDigest.parse(value);
                return (T) parsed;
            } catch (DateTimeParseException e) {
                // FromStringDeserializer reports IllegalArgumentException as a malformed value, with the field's path.
                throw new IllegalArgumentException("'" + value + "' is not an ISO-8601 instant", e);
            }
        }
    }

    /** News that is not what {@link #write} writes: not JSON, of no or an unknown type, or missing what its type needs. */
    public static final class MalformedNewsException extends IllegalArgumentException {
        public MalformedNewsException(String message) {
            super(message);
        }

        public MalformedNewsException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
