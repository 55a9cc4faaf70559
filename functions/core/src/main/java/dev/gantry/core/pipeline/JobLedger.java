package dev.gantry.core.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Durable records of pipeline jobs: the guard that gives every job exactly one result although
 * CodePipeline's invocation may arrive twice, concurrently, or be retried after a crash.
 *
 * <p>Every method that changes a record is a conditional write in the real ledger. Records are kept
 * for a bounded time (the DynamoDB ledger: 30 days), far longer than any job can be redelivered.
 * Implementations translate their own failures into {@link JobLedgerException}.
 */
public interface JobLedger {

    /**
     * Claims the job for {@code owner} until {@code now + lease}.
     *
     * <p>Granted when no record exists, or when the job is not completed and its lease ran out before
     * {@code now} (its invocation died).
     */
    Claim claim(String jobId, String owner, Instant now, Duration lease);

    /**
     * Records the job's result; the job is then done for good. Only the lease holder may; otherwise
     * {@link LeaseLostException}.
     */
    void complete(String jobId, String owner, JobResult result, Instant now);

    /**
     * Gives the lease up early after a failed attempt, so that a retry may take over at once instead of
     * waiting for the lease to run out. Does nothing if {@code owner} does not hold it.
     */
    void abandon(String jobId, String owner, Instant now);

    Optional<JobRecord> find(String jobId);

    /** The outcome of {@link #claim}. */
    sealed interface Claim {
        JobRecord job();

        /** The caller holds the lease. */
        record Granted(JobRecord job) implements Claim {}

        /** Another invocation holds an unexpired lease on the job. */
        record HeldElsewhere(JobRecord job) implements Claim {}

        /** The job has its result. */
        record AlreadyDone(JobRecord job) implements Claim {}
    }

    /** The ledger could not be reached or refused a write for a reason other than a lost race. */
    class JobLedgerException extends RuntimeException {
        public JobLedgerException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A write by an invocation that no longer holds the job's lease. */
    class LeaseLostException extends RuntimeException {
        public LeaseLostException(String jobId, String owner) {
            super("pipeline job " + jobId + " is no longer leased to " + owner);
        }
    }
}
