package dev.gantry.core.chatops;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.core.release.MalformedEventException;
import java.time.Instant;
import java.util.Objects;

/**
 * A CodePipeline manual approval waiting for a reviewer, as its SNS notification tells it (the JSON CodePipeline
 * publishes as the SNS message; the Lambda event's envelope is the handler's business).
 *
 * @param region the pipeline's region; may be null
 * @param consoleLink the pipeline in the console; may be null
 * @param pipeline {@code approval.pipelineName}
 * @param stage {@code approval.stageName}
 * @param action {@code approval.actionName}
 * @param token {@code approval.token}: PutApprovalResult needs it
 * @param expires {@code approval.expires}, when CodePipeline stops waiting; null when the message did not say
 * @param externalEntityLink the URL the author asked reviewers to look at; may be null
 * @param approvalReviewLink CodePipeline's approve/reject page; may be null
 * @param customData the author's instructions to reviewers; may be null
 */
public record PipelineApprovalNotice(String region, String consoleLink, String pipeline, String stage, String action, String token,
        Instant expires, String externalEntityLink, String approvalReviewLink, String customData) {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public PipelineApprovalNotice {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(token, "token");
    }

    /**
     * Reads the SNS message CodePipeline sends for a manual approval. Unknown fields are ignored (AWS adds fields without
     * notice); {@code expires} may leave out the seconds, as CodePipeline's own example does.
     *
     * @throws MalformedEventException naming the field, for a message that is not JSON or lacks the pipeline, stage,
     *     action or token, or whose {@code expires} is not a time
     */
    public static PipelineApprovalNotice parse(String message) {
        JsonNode root;
        try {
            root = JSON.readTree(message == null ? "" : message);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the token it tripped over, which can be the approval token: only where.
            JsonLocation at = e.getLocation();
            throw new MalformedEventException("the manual approval notification is not JSON"
                    + (at == null || at.getLineNr() < 0 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        if (root == null || !root.isObject()) {
            throw new MalformedEventException("the manual approval notification is not a JSON object");
        }
        JsonNode approval = root.path("approval");
        if (!approval.isObject()) {
            throw new MalformedEventException("approval: missing");
        }
        String expiresText = text(approval, "expires");
        Instant expires = null;
        if (expiresText != null) {
            expires = SlashCommandParser.parseTime(expiresText)
                    .orElseThrow(() -> new MalformedEventException("approval.expires: '" + expiresText + "' is not a time"));
        }
        return new PipelineApprovalNotice(text(root, "region"), text(root, "consoleLink"), required(approval, "pipelineName"),
                required(approval, "stageName"), required(approval, "actionName"), required(approval, "token"), expires,
                text(approval, "externalEntityLink"), text(approval, "approvalReviewLink"), text(approval, "customData"));
    }

    private static String required(JsonNode approval, String field) {
        String value = text(approval, field);
        if (value == null) {
            throw new MalformedEventException("approval." + field + ": missing");
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new MalformedEventException(field + ": expected a string");
        }
        return value.asText().isBlank() ? null : value.asText();
    }
}
