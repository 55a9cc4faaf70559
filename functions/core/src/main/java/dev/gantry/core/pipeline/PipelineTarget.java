package dev.gantry.core.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a pipeline's deploy or gate action acts on: one environment of one service, named in the action's
 * {@code UserParameters} as {@code {"service":"payments-api","environment":"staging"}}, with who triggered the
 * pipeline when the pipeline can say (CodePipeline resolves variables in UserParameters, e.g.
 * {@code "triggeredBy":"#{SourceVariables.AuthorEmail}"}): a gate keeps that person from approving. The pipeline
 * execution the action runs in, {@code "pipelineExecutionId":"#{codepipeline.PipelineExecutionId}"}, ties a deploy
 * action to the pass its own execution's gate action gave.
 *
 * @param triggeredBy who set the pipeline going; empty when not given
 * @param pipelineExecutionId the pipeline execution, as the variable resolved; null when not given
 */
public record PipelineTarget(String service, String environment, List<String> triggeredBy, String pipelineExecutionId) {

    public PipelineTarget {
        triggeredBy = triggeredBy == null ? List.of() : List.copyOf(triggeredBy);
    }

    public PipelineTarget(String service, String environment, List<String> triggeredBy) {
        this(service, environment, triggeredBy, null);
    }

    public PipelineTarget(String service, String environment) {
        this(service, environment, List.of());
    }

    /** The variable CodePipeline resolves to the id of the running execution, in any action's configuration. */
    public static final String EXECUTION_ID_VARIABLE = "#{codepipeline.PipelineExecutionId}";

    static final String EXAMPLE = "{\"service\":\"payments-api\",\"environment\":\"staging\"}";
    private static final Set<String> KEYS = Set.of("service", "environment", "triggeredBy", "pipelineExecutionId");
    // CodePipeline's execution ids are UUIDs; anything else (the variable left unresolved, a typo) is a configuration error.
    private static final Pattern EXECUTION_ID = Pattern.compile("[0-9A-Za-z-]{1,64}");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Reads the action's {@code UserParameters}: a JSON object with the string keys {@code service} and
     * {@code environment}, and optionally {@code triggeredBy}: a string or an array of strings (blank ones,
     * such as a pipeline variable that resolved to nothing, are dropped).
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
                throw invalid("UserParameters has an unknown key '" + name
                        + "'; only 'service', 'environment', 'triggeredBy' and 'pipelineExecutionId' are allowed");
            }
        }
        return new PipelineTarget(text(parameters, "service"), text(parameters, "environment"), people(parameters.get("triggeredBy")),
                executionId(parameters.get("pipelineExecutionId")));
    }

    private static String executionId(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || !EXECUTION_ID.matcher(value.asText()).matches()) {
            throw invalid("UserParameters 'pipelineExecutionId' must be a pipeline execution's id, as "
                    + EXECUTION_ID_VARIABLE + " resolves, not " + (value.isTextual() ? "'" + value.asText() + "'" : describe(value)));
        }
        return value.asText();
    }

    /**
     * The execution {@code job} runs in: the job data's own {@code pipelineContext} when CodePipeline gives one, else the
     * id the UserParameters' variable resolved to; null when neither says, and then every action is a new arrival.
     */
    public String executionOf(PipelineJob job) {
        return job.pipelineExecutionId() != null ? job.pipelineExecutionId() : pipelineExecutionId;
    }

    /** The configured service this action names. @throws PipelineJobException when there is none */
    public ServiceConfig serviceIn(GantryConfig config) {
        return config.services().stream()
                .filter(s -> s.name().equals(service))
                .findFirst()
                .orElseThrow(() -> new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, "UserParameters name service '"
                        + service + "', which is not in Gantry's configuration (services: "
                        + String.join(", ", config.services().stream().map(ServiceConfig::name).toList()) + ")"));
    }

    /** The environment of {@code service} this action names. @throws PipelineJobException when it has none */
    public EnvironmentConfig environmentOf(ServiceConfig configured) {
        return configured.environments().stream()
                .filter(e -> e.name().equals(environment))
                .findFirst()
                .orElseThrow(() -> new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, "UserParameters name environment '"
                        + environment + "', which service '" + configured.name() + "' does not have (it has: "
                        + String.join(", ", configured.environments().stream().map(EnvironmentConfig::name).toList()) + ")"));
    }

    private static List<String> people(JsonNode value) {
        if (value == null || value.isNull()) {
            return List.of();
        }
        List<String> people = new ArrayList<>();
        if (value.isTextual()) {
            people.add(value.asText());
        } else if (value.isArray()) {
            for (JsonNode item : value) {
                if (!item.isTextual()) {
                    throw invalid("UserParameters 'triggeredBy' must be a string or an array of strings, not an array holding " + describe(item));
                }
                people.add(item.asText());
            }
        } else {
            throw invalid("UserParameters 'triggeredBy' must be a string or an array of strings, not " + describe(value));
        }
        return people.stream().map(String::strip).filter(p -> !p.isEmpty()).toList();
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
