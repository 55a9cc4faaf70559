package dev.gantry.testing;

import dev.gantry.core.pipeline.JobFailureType;
import dev.gantry.core.pipeline.JobResult;
import dev.gantry.core.pipeline.PipelineJobs;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * CodePipeline's job results in memory. Behaves as CodePipeline does where callers can tell: a job takes
 * one result and refuses a second as already completed, and results over the length limits are refused.
 * Every put that reached it is recorded, in order, accepted or refused: "exactly one result per job" is
 * about the calls made, not only about what CodePipeline kept.
 */
public final class InMemoryPipelineJobs implements PipelineJobs {

    /** A result that was put; {@code accepted} is false when the job already had one. */
    public record Put(String jobId, JobResult result, boolean accepted) {}

    private final List<Put> puts = new ArrayList<>();
    private final Set<String> completed = new HashSet<>();
    private final AtomicReference<RuntimeException> nextFailure = new AtomicReference<>();

    /** A job that already has a result, put by someone else. */
    public synchronized void givenCompleted(String jobId) {
        completed.add(jobId);
    }

    /** Makes the next put throw {@code failure} without recording a result, as a lost connection would. */
    public void failNextPut(RuntimeException failure) {
        nextFailure.set(failure);
    }

    @Override
    public synchronized void putSuccess(String jobId, String summary) {
        if (summary.length() > MAX_SUMMARY_LENGTH) {
            throw new PipelineJobsException("summary of " + summary.length() + " characters exceeds " + MAX_SUMMARY_LENGTH, null);
        }
        put(jobId, new JobResult.Succeeded(summary));
    }

    @Override
    public synchronized void putContinuation(String jobId, String continuationToken, String summary) {
        if (summary.length() > MAX_SUMMARY_LENGTH) {
            throw new PipelineJobsException("summary of " + summary.length() + " characters exceeds " + MAX_SUMMARY_LENGTH, null);
        }
        if (continuationToken.isEmpty() || continuationToken.length() > MAX_CONTINUATION_TOKEN_LENGTH) {
            throw new PipelineJobsException("continuation token of " + continuationToken.length() + " characters is outside 1.."
                    + MAX_CONTINUATION_TOKEN_LENGTH, null);
        }
        put(jobId, new JobResult.Continued(continuationToken, summary));
    }

    @Override
    public synchronized void putFailure(String jobId, JobFailureType type, String message) {
        if (message.length() > MAX_FAILURE_MESSAGE_LENGTH) {
            throw new PipelineJobsException("message of " + message.length() + " characters exceeds " + MAX_FAILURE_MESSAGE_LENGTH, null);
        }
        put(jobId, new JobResult.Failed(type, message));
    }

    private void put(String jobId, JobResult result) {
        RuntimeException failure = nextFailure.getAndSet(null);
        if (failure != null) {
            throw failure;
        }
        boolean accepted = completed.add(jobId);
        puts.add(new Put(jobId, result, accepted));
        if (!accepted) {
            throw new JobAlreadyCompletedException("job " + jobId + " is already completed", null);
        }
    }

    public synchronized List<Put> puts() {
        return List.copyOf(puts);
    }

    public synchronized List<Put> puts(String jobId) {
        return puts.stream().filter(p -> p.jobId().equals(jobId)).toList();
    }
}
