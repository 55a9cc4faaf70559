package dev.gantry.core.pipeline;

import dev.gantry.core.release.MalformedEventException;
import java.util.Objects;

/**
 * A CodePipeline job event whose job id could be read but whose data could not: the pipeline can still be told why,
 * instead of waiting out its timeout with no word, and the invocation still fails into the failure queue.
 */
public final class UnreadableJobException extends MalformedEventException {

    private final String jobId;

    public UnreadableJobException(String jobId, String message) {
        super(message);
        this.jobId = Objects.requireNonNull(jobId, "jobId");
    }

    public String jobId() {
        return jobId;
    }
}
