package dev.gantry.core.pipeline;

/**
 * A job that cannot succeed as given: the message is written for the person reading the pipeline, and
 * {@link #type()} says whether the pipeline's configuration or this run is at fault.
 */
public class PipelineJobException extends RuntimeException {

    private final JobFailureType type;

    public PipelineJobException(JobFailureType type, String message) {
        super(message);
        this.type = type;
    }

    public PipelineJobException(JobFailureType type, String message, Throwable cause) {
        super(message, cause);
        this.type = type;
    }

    public JobFailureType type() {
        return type;
    }
}
