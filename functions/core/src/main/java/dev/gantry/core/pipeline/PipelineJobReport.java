package dev.gantry.core.pipeline;

/**
 * What one invocation did with a pipeline job: the handler's answer.
 *
 * @param jobId the CodePipeline job id
 * @param disposition whether this invocation completed the job, found it completed, or left it to another
 * @param outcome how the job ended; null while another invocation works on it
 * @param failureType why it failed; null unless {@code outcome} is {@link Outcome#FAILED}
 * @param message the summary or failure message the pipeline shows; null while in progress elsewhere
 */
public record PipelineJobReport(String jobId, Disposition disposition, Outcome outcome, JobFailureType failureType, String message) {

    public enum Disposition {
        /** This invocation put the job's result. */
        COMPLETED,
        /** The job already had its result: nothing was done. */
        ALREADY_COMPLETED,
        /** Another invocation holds the job and will complete it: nothing was done. */
        IN_PROGRESS_ELSEWHERE
    }

    public enum Outcome {
        SUCCEEDED,
        /** The action goes on: this job succeeded with a continuation token. */
        CONTINUED,
        FAILED,
        /** CodePipeline had a result Gantry did not put. */
        COMPLETED_ELSEWHERE
    }

    static PipelineJobReport of(String jobId, Disposition disposition, JobResult result) {
        return switch (result) {
            case null -> new PipelineJobReport(jobId, disposition, null, null, null);
            case JobResult.Succeeded s -> new PipelineJobReport(jobId, disposition, Outcome.SUCCEEDED, null, s.summary());
            case JobResult.Continued c -> new PipelineJobReport(jobId, disposition, Outcome.CONTINUED, null, c.summary());
            case JobResult.Failed f -> new PipelineJobReport(jobId, disposition, Outcome.FAILED, f.type(), f.message());
            case JobResult.CompletedElsewhere c -> new PipelineJobReport(jobId, disposition, Outcome.COMPLETED_ELSEWHERE, null, c.message());
        };
    }
}
