package dev.gantry.core.pipeline;

import dev.gantry.core.pipeline.JobLedger.Claim;
import dev.gantry.core.pipeline.PipelineJobReport.Disposition;
import dev.gantry.core.pipeline.PipelineJobs.JobAlreadyCompletedException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a pipeline job exactly one result however often its invocation arrives: claims the job in the
 * {@link JobLedger}, lets the action decide the result, puts it, and records it. Every Gantry action
 * (deploy, gate) runs its jobs through this one place.
 *
 * <p>A copy of the job that finds it completed, or held by a live invocation, does nothing. A job that cannot be
 * claimed ({@link JobLedger.JobLedgerException}) is failed in the pipeline with a message, and the invocation fails
 * too; a result that cannot be put ({@link PipelineJobs.PipelineJobsException}) fails the invocation after giving the
 * lease up. Failed invocations are not retried (decision 8): they land in the failure queue, and running the stage
 * again is the retry.
 */
public final class PipelineJobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineJobRunner.class);

    private final PipelineJobs jobs;
    private final JobLedger ledger;
    private final Clock clock;
    private final Duration lease;

    public PipelineJobRunner(PipelineJobs jobs, JobLedger ledger, Clock clock, Duration lease) {
        this.jobs = jobs;
        this.ledger = ledger;
        this.clock = clock;
        this.lease = lease;
    }

    /**
     * @param decide the action: the job's result, never throwing for a problem with the job itself
     */
    public PipelineJobReport run(PipelineJob job, String invocationId, Function<PipelineJob, JobResult> decide) {
        Claim claim;
        try {
            claim = ledger.claim(job.id(), invocationId, clock.instant(), lease);
        } catch (JobLedger.JobLedgerException e) {
            tellThePipeline(job, e);
            throw e;
        }
        return switch (claim) {
            case Claim.AlreadyDone done -> {
                LOG.info("pipeline job {} already has its result: nothing to do", job.id());
                yield PipelineJobReport.of(job.id(), Disposition.ALREADY_COMPLETED, done.job().result());
            }
            case Claim.HeldElsewhere held -> {
                // The holder puts the result, or its failure reaches the failure destination; a second result
                // from this copy is exactly what must not happen.
                LOG.info("pipeline job {} is being run by invocation {} (lease until {}): leaving it to that one", job.id(),
                        held.job().owner(), held.job().leaseUntil());
                yield PipelineJobReport.of(job.id(), Disposition.IN_PROGRESS_ELSEWHERE, null);
            }
            case Claim.Granted granted -> complete(job, invocationId, decide.apply(job));
        };
    }

    /**
     * Failed invocations are not retried (decision 8), so a job Gantry cannot even claim would otherwise wait out
     * CodePipeline's 20 minutes with no word. It is failed with a message instead: without the claim, a second copy
     * could put its own result, which CodePipeline refuses as already completed, so the worst case stays one result.
     */
    private void tellThePipeline(PipelineJob job, RuntimeException cause) {
        try {
            jobs.putFailure(job.id(), JobFailureType.JOB_FAILED, "Gantry could not record this job in its state table, so it did not run"
                    + " it (" + job.access().scrub(cause.getMessage()) + "); retry the stage");
        } catch (RuntimeException e) {
            LOG.warn("pipeline job {}: could not tell the pipeline that the job could not be claimed", job.id(), e);
        }
    }

    /**
     * Fails a job whose event could not be read, saying why. Nothing was claimed or done for it: a copy of the same event
     * meets the same problem, and CodePipeline refuses its second result, so the job still gets one.
     */
    public void refuseUnreadable(UnreadableJobException unreadable) {
        try {
            jobs.putFailure(unreadable.jobId(), JobFailureType.JOB_FAILED, "Gantry could not read this job's event, so it did not run it: "
                    + unreadable.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("pipeline job {}: could not tell the pipeline that its event could not be read", unreadable.jobId(), e);
        }
    }

    private PipelineJobReport complete(PipelineJob job, String owner, JobResult result) {
        JobResult delivered = result;
        try {
            switch (result) {
                case JobResult.Succeeded s -> jobs.putSuccess(job.id(), s.summary());
                case JobResult.Continued c -> jobs.putContinuation(job.id(), c.continuationToken(), c.summary());
                case JobResult.Failed f -> jobs.putFailure(job.id(), f.type(), f.message());
                case JobResult.CompletedElsewhere c -> throw new IllegalStateException("nothing to put for " + c);
            }
            LOG.info("pipeline job {}: result put ({})", job.id(), switch (result) {
                case JobResult.Failed f -> "failed, " + f.type();
                case JobResult.Continued c -> "continued";
                default -> "succeeded";
            });
        } catch (JobAlreadyCompletedException e) {
            LOG.warn("pipeline job {} already had a result in CodePipeline; Gantry's ({}) was not put", job.id(), result, e);
            delivered = new JobResult.CompletedElsewhere("CodePipeline already had a result for this job; Gantry's was not put: "
                    + result.message());
        } catch (RuntimeException e) {
            abandon(job.id(), owner);
            throw e;
        }
        try {
            ledger.complete(job.id(), owner, delivered, clock.instant());
        } catch (RuntimeException e) {
            // The pipeline has its result, which is what counts. A copy of the job arriving later finds the
            // lease expired, puts again, and CodePipeline's "already completed" ends it there.
            LOG.warn("pipeline job {} completed but could not be recorded", job.id(), e);
        }
        return PipelineJobReport.of(job.id(), delivered instanceof JobResult.CompletedElsewhere ? Disposition.ALREADY_COMPLETED
                : Disposition.COMPLETED, delivered);
    }

    private void abandon(String jobId, String owner) {
        try {
            ledger.abandon(jobId, owner, clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("pipeline job {}: could not give the lease up; a retry takes over when it runs out", jobId, e);
        }
    }

    static JobResult succeeded(PipelineJob job, String summary) {
        return new JobResult.Succeeded(fit(job.access().scrub(summary), PipelineJobs.MAX_SUMMARY_LENGTH));
    }

    static JobResult continued(PipelineJob job, String continuationToken, String summary) {
        if (continuationToken.length() > PipelineJobs.MAX_CONTINUATION_TOKEN_LENGTH) {
            throw new IllegalArgumentException("continuation token of " + continuationToken.length() + " characters exceeds CodePipeline's "
                    + PipelineJobs.MAX_CONTINUATION_TOKEN_LENGTH);
        }
        return new JobResult.Continued(continuationToken, fit(job.access().scrub(summary), PipelineJobs.MAX_SUMMARY_LENGTH));
    }

    /** A failure of the job itself: expected, and its message says it all, so it is logged without a stack trace. */
    static JobResult failed(PipelineJob job, JobFailureType type, String message) {
        String fitted = fit(job.access().scrub(message), PipelineJobs.MAX_FAILURE_MESSAGE_LENGTH);
        LOG.warn("pipeline job {} failed ({}): {}", job.id(), type, fitted);
        return new JobResult.Failed(type, fitted);
    }

    /** {@code text} cut to CodePipeline's limit, marked where it was cut. */
    static String fit(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit - 1) + "…";
    }
}
