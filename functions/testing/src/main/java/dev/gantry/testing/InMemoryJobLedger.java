package dev.gantry.testing;

import dev.gantry.core.pipeline.JobLedger;
import dev.gantry.core.pipeline.JobRecord;
import dev.gantry.core.pipeline.JobResult;
import dev.gantry.core.pipeline.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Pipeline job records in memory, with the same claim and lease rules as the DynamoDB ledger. */
public final class InMemoryJobLedger implements JobLedger {

    private final Map<String, JobRecord> jobs = new HashMap<>();

    @Override
    public synchronized Claim claim(String jobId, String owner, Instant now, Duration lease) {
        JobRecord existing = jobs.get(jobId);
        if (existing != null && existing.status() == JobStatus.COMPLETED) {
            return new Claim.AlreadyDone(existing);
        }
        if (existing != null && !existing.leaseUntil().isBefore(now)) {
            return new Claim.HeldElsewhere(existing);
        }
        Instant createdAt = existing == null ? now : existing.createdAt();
        JobRecord claimed = new JobRecord(jobId, JobStatus.CLAIMED, owner, now.plus(lease), null, createdAt, now);
        jobs.put(jobId, claimed);
        return new Claim.Granted(claimed);
    }

    @Override
    public synchronized void complete(String jobId, String owner, JobResult result, Instant now) {
        JobRecord held = held(jobId, owner);
        jobs.put(jobId, new JobRecord(jobId, JobStatus.COMPLETED, owner, null, result, held.createdAt(), now));
    }

    @Override
    public synchronized void abandon(String jobId, String owner, Instant now) {
        JobRecord record = jobs.get(jobId);
        if (record != null && owner.equals(record.owner()) && record.status() != JobStatus.COMPLETED) {
            jobs.put(jobId, new JobRecord(jobId, record.status(), owner, now.minusMillis(1), null, record.createdAt(), now));
        }
    }

    @Override
    public synchronized Optional<JobRecord> find(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    private JobRecord held(String jobId, String owner) {
        JobRecord record = jobs.get(jobId);
        if (record == null || !owner.equals(record.owner()) || record.status() == JobStatus.COMPLETED) {
            throw new LeaseLostException(jobId, owner);
        }
        return record;
    }
}
