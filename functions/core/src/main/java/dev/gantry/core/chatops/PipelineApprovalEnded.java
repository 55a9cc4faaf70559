package dev.gantry.core.chatops;

import java.time.Instant;
import java.util.Objects;

/**
 * A CodePipeline manual approval action that stopped waiting, as EventBridge's {@code CodePipeline Action Execution
 * State Change} tells it: approved (in Slack, the console or the CLI), rejected or expired, or abandoned with its run.
 *
 * @param region the pipeline's region, as the event says; may be null
 * @param pipeline {@code detail.pipeline}
 * @param stage {@code detail.stage}
 * @param action {@code detail.action}
 * @param executionId the pipeline run, {@code detail.execution-id}; informational, since an approval's card does not know it
 * @param state how it ended
 * @param at when it ended: the event's {@code time}
 */
public record PipelineApprovalEnded(String region, String pipeline, String stage, String action, String executionId, State state,
        Instant at) {

    public PipelineApprovalEnded {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
    }

    /** {@code pipeline/stage/action}, as people and the audit log name it. */
    public String path() {
        return pipeline + "/" + stage + "/" + action;
    }

    /** CodePipeline's states of an action that no longer waits. */
    public enum State {
        /** Approved. */
        SUCCEEDED("approved in CodePipeline, outside Slack"),
        /** Rejected, or expired without a decision: CodePipeline's event does not tell the two apart. */
        FAILED("rejected in CodePipeline outside Slack, or expired"),
        /** The run stopped, or a newer run took its place, before anyone decided. */
        ABANDONED("abandoned: the pipeline run stopped or was superseded before anyone decided");

        private final String outcome;

        State(String outcome) {
            this.outcome = outcome;
        }

        /** What the card says came of the approval. */
        public String outcome() {
            return outcome;
        }
    }
}
