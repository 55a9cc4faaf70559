package dev.gantry.aws.events;

import static dev.gantry.aws.events.EventFields.instant;
import static dev.gantry.aws.events.EventFields.read;
import static dev.gantry.aws.events.EventFields.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gantry.core.release.MalformedEventException;
import java.io.InputStream;
import java.time.Instant;

/**
 * The EventBridge {@code CodeBuild Build State Change} event, read into a {@link BuildStateChange}. Unknown fields are
 * ignored (AWS adds fields without notice); missing or mistyped ones are rejected naming the field.
 */
public final class CodeBuildStateChangeEvent {

    static final String SOURCE = "aws.codebuild";
    static final String DETAIL_TYPE = "CodeBuild Build State Change";

    private CodeBuildStateChangeEvent() {}

    /**
     * @param buildId the build's id as {@code StartBuild} returns it ({@code <project>:<uuid>}); the event itself names
     *     the build by ARN, {@code arn:aws:codebuild:<region>:<account>:build/<project>:<uuid>}
     * @param buildArn the build's ARN, as the event gives it
     * @param buildStatus {@code IN_PROGRESS}, {@code SUCCEEDED}, {@code FAILED}, {@code STOPPED}, ... as CodeBuild words it
     */
    public record BuildStateChange(String eventId, String buildId, String buildArn, String projectName, String buildStatus, Instant time) {

        public boolean succeeded() {
            return "SUCCEEDED".equals(buildStatus);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Envelope(String id, @JsonProperty("detail-type") String detailType, String source, String time, Detail detail) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Detail(
            @JsonProperty("build-status") String buildStatus,
            @JsonProperty("project-name") String projectName,
            @JsonProperty("build-id") String buildId) {}

    public static BuildStateChange parse(InputStream json) {
        Envelope event = read(json, Envelope.class);
        if (!SOURCE.equals(event.source()) || !DETAIL_TYPE.equals(event.detailType())) {
            throw new MalformedEventException("expected a '" + DETAIL_TYPE + "' event from " + SOURCE + ", got detail-type '"
                    + event.detailType() + "' from source '" + event.source() + "'");
        }
        Detail detail = event.detail();
        if (detail == null) {
            throw new MalformedEventException("detail: missing");
        }
        String arn = required(detail.buildId(), "detail.build-id");
        int build = arn.indexOf(":build/");
        if (!arn.startsWith("arn:") || build < 0 || build + ":build/".length() == arn.length()) {
            throw new MalformedEventException("detail.build-id: '" + arn
                    + "' is not a CodeBuild build ARN of the form arn:aws:codebuild:<region>:<account>:build/<project>:<uuid>");
        }
        return new BuildStateChange(
                required(event.id(), "id"),
                arn.substring(build + ":build/".length()),
                arn,
                required(detail.projectName(), "detail.project-name"),
                required(detail.buildStatus(), "detail.build-status"),
                instant(event.time(), "time"));
    }
}
