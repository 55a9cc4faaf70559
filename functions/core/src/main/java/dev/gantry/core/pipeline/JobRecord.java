package dev.gantry.core.pipeline;

import java.time.Instant;

/**
 * Gantry's record of one pipeline job.
 *
 * @param jobId the CodePipeline job id
 * @param status how far it got
 * @param owner the invocation holding (or that last held) the lease
 * @param leaseUntil until when {@code owner} may work on it undisturbed; null once completed
 * @param result how the job ended; null until completed
 * @param createdAt first claim
 * @param updatedAt last change
 */
public record JobRecord(String jobId, JobStatus status, String owner, Instant leaseUntil, JobResult result, Instant createdAt,
        Instant updatedAt) {}
