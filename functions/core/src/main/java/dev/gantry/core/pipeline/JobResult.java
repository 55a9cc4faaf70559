package dev.gantry.core.pipeline;

/** How a pipeline job ended. */
public sealed interface JobResult {

    /** What a person reads in the pipeline's console. */
    String message();

    /** Gantry put a success result; {@code summary} is what the pipeline shows. */
    record Succeeded(String summary) implements JobResult {
        @Override
        public String message() {
            return summary;
        }
    }

    /** Gantry put a failure result. */
    record Failed(JobFailureType type, String message) implements JobResult {}

    /**
     * Gantry put a success result with a continuation token: the action is not finished, and CodePipeline
     * runs it again as a new job carrying {@code continuationToken}. Each job still takes exactly one result;
     * this is it for this job.
     */
    record Continued(String continuationToken, String summary) implements JobResult {
        @Override
        public String message() {
            return summary;
        }
    }

    /**
     * CodePipeline already had a result for the job when Gantry put its own (the job was completed by an
     * earlier attempt whose record was lost, or timed out); Gantry's result was not delivered.
     */
    record CompletedElsewhere(String message) implements JobResult {}
}
