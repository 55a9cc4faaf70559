package dev.gantry.core.chatops;

/**
 * CodePipeline's manual approval actions, answered on a reviewer's behalf (PutApprovalResult).
 *
 * <p>Errors, translated by the adapter from CodePipeline's: {@link AlreadyDecidedException}
 * ({@code ApprovalAlreadyCompletedException}: someone answered it already, in Slack, the console or the CLI);
 * {@link InvalidTokenException} ({@code InvalidApprovalTokenException}: the token is not the current one: the approval
 * expired, the stage ran again, or it was answered); {@link PipelineApprovalsException} for anything else (throttled,
 * unavailable, access denied, no such pipeline, stage or action), after the SDK's own retries.
 */
public interface PipelineApprovals {

    /** CodePipeline's limit on a result's summary. */
    int MAX_SUMMARY = 512;

    /**
     * @param approved {@code Approved} when true, {@code Rejected} otherwise
     * @param summary why, at most {@link #MAX_SUMMARY} characters; shown in the pipeline's history
     */
    void putApprovalResult(String pipeline, String stage, String action, String token, boolean approved, String summary);

    class AlreadyDecidedException extends RuntimeException {
        public AlreadyDecidedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    class InvalidTokenException extends RuntimeException {
        public InvalidTokenException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    class PipelineApprovalsException extends RuntimeException {
        public PipelineApprovalsException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
