package dev.gantry.core.pipeline;

/**
 * CodePipeline's job API, as an action that completes its jobs uses it. Each job takes exactly one
 * result; {@link PipelineJobRunner} makes sure it is put once.
 *
 * <p>Errors: {@link JobAlreadyCompletedException} when the job already has a result (or is no longer
 * waiting for one); {@link PipelineJobsException} for anything else, after the client's own retries.
 */
public interface PipelineJobs {

    /** CodePipeline's limit on {@code executionDetails.summary}. */
    int MAX_SUMMARY_LENGTH = 2048;

    /** CodePipeline's limit on {@code failureDetails.message}. */
    int MAX_FAILURE_MESSAGE_LENGTH = 5000;

    /** CodePipeline's limit on {@code continuationToken}. */
    int MAX_CONTINUATION_TOKEN_LENGTH = 2048;

    /** Completes the job as succeeded; {@code summary} is at most {@value #MAX_SUMMARY_LENGTH} characters. */
    void putSuccess(String jobId, String summary);

    /**
     * Completes this job as succeeded without finishing the action: CodePipeline runs the action again as
     * a new job carrying {@code continuationToken} (at most {@value #MAX_CONTINUATION_TOKEN_LENGTH}
     * characters). This is how an action that waits answers within CodePipeline's 20 minutes per job.
     */
    void putContinuation(String jobId, String continuationToken, String summary);

    /**
     * Completes the job as failed; {@code message} is at most {@value #MAX_FAILURE_MESSAGE_LENGTH}
     * characters and is shown to everyone who can see the pipeline.
     */
    void putFailure(String jobId, JobFailureType type, String message);

    /** The job already has a result, or is in a state that takes none. */
    class JobAlreadyCompletedException extends RuntimeException {
        public JobAlreadyCompletedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The result could not be put. */
    class PipelineJobsException extends RuntimeException {
        public PipelineJobsException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
