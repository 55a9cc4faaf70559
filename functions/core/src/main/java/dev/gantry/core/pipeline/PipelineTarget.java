package dev.gantry.core.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Iterator;
import java.util.Set;

/**
 * What a pipeline's deploy action deploys to: one environment of one service, named in the action's
 * {@code UserParameters} as {@code {"service":"payments-api","environment":"staging"}}.
 */
public record PipelineTarget(String service, String environment) {

    static final String EXAMPLE = "{\"service\":\"payments-api\",\"environment\":\"staging\"}";
    private static final Set<String> KEYS = Set.of("service", "environment");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Reads the action's {@code UserParameters}: a JSON object with exactly the string keys
     * {@code service} and {@code environment}.
     *
     * @throws PipelineJobException ({@link JobFailureType#CONFIGURATION_ERROR}) naming what is wrong
     */
    public static PipelineTarget fromUserParameters(String userParameters) {
        if (userParameters == null || userParameters.isBlank()) {
            throw invalid("the action has no UserParameters");
        }
        JsonNode parameters;
        try {
            parameters = JSON.readTree(userParameters);
        } catch (JsonProcessingException e) {
            throw invalid("UserParameters is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (parameters == null || !parameters.isObject()) {
            throw invalid("UserParameters must be a JSON object, not " + describe(parameters));
        }
        for (Iterator<String> names = parameters.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                throw invalid("UserParameters has an unknown key '" + name + "'; only 'service' and 'environment' are allowed");
            }
        }
        return new PipelineTarget(text(parameters, "service"), text(parameters, "environment"));
    }

    private static String text(JsonNode parameters, String key) {
        JsonNode value = parameters.get(key);
        if (value == null || value.isNull()) {
            throw invalid("UserParameters has no '" + key + "'");
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw invalid("UserParameters '" + key + "' must be a non-empty string, not " + describe(value));
        }
        return value.asText();
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case NULL -> "null";
            case OBJECT, POJO -> "an object";
            case STRING -> node.asText().isBlank() ? "an empty string" : "a string";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static PipelineJobException invalid(String problem) {
        return new PipelineJobException(JobFailureType.CONFIGURATION_ERROR,
                problem + ". Set the action's UserParameters to the service and environment to deploy, e.g. " + EXAMPLE);
    }

    @Override
    public String toString() {
        return service + "/" + environment;
    }
}
