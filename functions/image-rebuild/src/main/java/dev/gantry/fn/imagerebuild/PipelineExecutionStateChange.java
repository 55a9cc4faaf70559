package dev.gantry.fn.imagerebuild;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.core.release.MalformedEventException;
import java.util.Set;

/**
 * The EventBridge {@code CodePipeline Pipeline Execution State Change} event, as far as the end of a rebuild
 * pipeline's execution needs it. Unknown fields are ignored; missing ones are rejected naming the field.
 *
 * @param state {@code STARTED}, {@code SUCCEEDED}, {@code FAILED}, {@code STOPPED}, ... as CodePipeline words it
 */
record PipelineExecutionStateChange(String eventId, String pipeline, String executionId, String state) {

    static final String SOURCE = "aws.codepipeline";
    static final String DETAIL_TYPE = "CodePipeline Pipeline Execution State Change";

    /** The states after which the execution runs no more; a superseded execution never reaches its end. */
    static final Set<String> FINISHED_STATES = Set.of("SUCCEEDED", "FAILED", "STOPPED", "SUPERSEDED", "CANCELED");

    static PipelineExecutionStateChange parse(byte[] event) {
        JsonNode tree = ScheduleEvents.tree(event);
        String source = ScheduleEvents.text(tree, "source");
        if (!SOURCE.equals(source)) {
            throw new MalformedEventException("source: '" + source + "' is not '" + SOURCE + "', the source of a '" + DETAIL_TYPE + "' event");
        }
        JsonNode detail = tree.get("detail");
        if (detail == null || !detail.isObject()) {
            throw new MalformedEventException("detail: missing");
        }
        return new PipelineExecutionStateChange(
                ScheduleEvents.text(tree, "id"),
                ScheduleEvents.text(detail, "pipeline", "detail.pipeline"),
                ScheduleEvents.text(detail, "execution-id", "detail.execution-id"),
                ScheduleEvents.text(detail, "state", "detail.state"));
    }

    boolean finished() {
        return FINISHED_STATES.contains(state);
    }

    boolean succeeded() {
        return "SUCCEEDED".equals(state);
    }
}
