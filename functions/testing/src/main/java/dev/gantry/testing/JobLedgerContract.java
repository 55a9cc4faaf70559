package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.pipeline.JobFailureType;
import dev.gantry.core.pipeline.JobLedger;
import dev.gantry.core.pipeline.JobLedger.Claim;
import dev.gantry.core.pipeline.JobRecord;
import dev.gantry.core.pipeline.JobResult;
import dev.gantry.core.pipeline.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobLedger} must do. The in-memory fake and the DynamoDB adapter both extend this, so
 * the fake the pipeline service tests rely on cannot drift from the real ledger.
 */
public abstract class JobLedgerContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    protected static final Duration LEASE = Duration.ofSeconds(90);

    /** A fresh, empty ledger for each test. */
    protected abstract JobLedger ledger();

    protected static String jobId(String seed) {
        return "c0d76431-b0e7-xmpl-97e3-" + seed;
    }

    @Test
    void grantsTheFirstClaimAndRemembersIt() {
        JobLedger ledger = ledger();

        Claim claim = ledger.claim(jobId("a"), "inv-1", T0, LEASE);

        assertThat(claim).isInstanceOf(Claim.Granted.class);
        JobRecord saved = ledger.find(jobId("a")).orElseThrow();
        assertThat(saved.jobId()).isEqualTo(jobId("a"));
        assertThat(saved.status()).isEqualTo(JobStatus.CLAIMED);
        assertThat(saved.owner()).isEqualTo("inv-1");
        assertThat(saved.leaseUntil()).isEqualTo(T0.plus(LEASE));
        assertThat(saved.createdAt()).isEqualTo(T0);
        assertThat(saved.result()).isNull();
    }

    @Test
    void refusesASecondClaimWhileTheLeaseRuns() {
        JobLedger ledger = ledger();
        ledger.claim(jobId("b"), "inv-1", T0, LEASE);

        Claim second = ledger.claim(jobId("b"), "inv-2", T0.plusSeconds(30), LEASE);

        assertThat(second).isInstanceOf(Claim.HeldElsewhere.class);
        assertThat(second.job().owner()).isEqualTo("inv-1");
        assertThat(ledger.find(jobId("b")).orElseThrow().owner()).isEqualTo("inv-1");
    }

    @Test
    void handsAnExpiredLeaseToTheNextClaim() {
        JobLedger ledger = ledger();
        ledger.claim(jobId("c"), "inv-1", T0, LEASE);

        Instant later = T0.plus(LEASE).plusSeconds(1);
        Claim takeover = ledger.claim(jobId("c"), "inv-2", later, LEASE);

        assertThat(takeover).isInstanceOf(Claim.Granted.class);
        assertThat(takeover.job().owner()).isEqualTo("inv-2");
        assertThat(takeover.job().leaseUntil()).isEqualTo(later.plus(LEASE));
        assertThat(takeover.job().createdAt()).isEqualTo(T0);
    }

    @Test
    void reportsACompletedJobAsDoneForeverWithItsResult() {
        JobLedger ledger = ledger();
        ledger.claim(jobId("d"), "inv-1", T0, LEASE);
        ledger.complete(jobId("d"), "inv-1", new JobResult.Succeeded("payments-api/staging: deployed"), T0.plusSeconds(5));

        Instant muchLater = T0.plus(Duration.ofDays(2));
        Claim again = ledger.claim(jobId("d"), "inv-9", muchLater, LEASE);

        assertThat(again).isInstanceOf(Claim.AlreadyDone.class);
        assertThat(again.job().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(again.job().result()).isEqualTo(new JobResult.Succeeded("payments-api/staging: deployed"));
        assertThat(again.job().leaseUntil()).isNull();
        assertThat(again.job().updatedAt()).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void remembersAContinuationWithItsToken() {
        JobLedger ledger = ledger();
        ledger.claim(jobId("c"), "inv-1", T0, LEASE);
        JobResult continued = new JobResult.Continued("{\"v\":1,\"service\":\"payments-api\"}", "gate 'production' is waiting: 1 of 2 approvals");
        ledger.complete(jobId("c"), "inv-1", continued, T0.plusSeconds(1));

        Claim again = ledger.claim(jobId("c"), "inv-2", T0.plusSeconds(2), LEASE);

        assertThat(again).isInstanceOf(Claim.AlreadyDone.class);
        assertThat(again.job().result()).isEqualTo(continued);
    }

    @Test
    void remembersAFailureWithItsTypeAndMessage() {
        JobLedger ledger = ledger();
        ledger.claim(jobId("e"), "inv-1", T0, LEASE);
        JobResult failure = new JobResult.Failed(JobFailureType.CONFIGURATION_ERROR, "environment prod of payments-api is behind gate 'production'");

        ledger.complete(jobId("e"), "inv-1", failure, T0.plusSeconds(1));

        assertThat(ledger.find(jobId("e")).orElseThrow().result()).isEqualTo(failure);
    }

    @Test
    void remembersAJobCodePipelineHadCompletedAlready() {
        JobLedger ledger = ledger();
        ledger.claim(jobId("f"), "inv-1", T0, LEASE);

        ledger.complete(jobId("f"), "inv-1", new JobResult.CompletedElsewhere("CodePipeline already had a result"), T0.plusSeconds(1));

        JobRecord saved = ledger.find(jobId("f")).orElseThrow();
        assertThat(saved.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(saved.result()).isEqualTo(new JobResult.CompletedElsewhere("CodePipeline already had a result"));
    }

    @Test
    void letsARetryTakeOverAtOnceAfterTheOwnerAbandons() {
        JobLedger ledger = ledger();
        ledger.claim(jobId("g"), "inv-1", T0, LEASE);

        ledger.abandon(jobId("g"), "inv-1", T0.plusSeconds(5));
        Claim retry = ledger.claim(jobId("g"), "inv-2", T0.plusSeconds(6), LEASE);

        assertThat(retry).isInstanceOf(Claim.Granted.class);
        assertThat(retry.job().owner()).isEqualTo("inv-2");
    }

    @Test
    void ignoresAnAbandonFromAnInvocationThatDoesNotHoldTheLease() {
        JobLedger ledger = ledger();
        ledger.claim(jobId("h"), "inv-1", T0, LEASE);

        ledger.abandon(jobId("h"), "inv-2", T0.plusSeconds(5));
        Claim other = ledger.claim(jobId("h"), "inv-3", T0.plusSeconds(6), LEASE);

        assertThat(other).isInstanceOf(Claim.HeldElsewhere.class);
    }

    @Test
    void refusesToCompleteForAnInvocationThatLostTheLease() {
        JobLedger ledger = ledger();
        ledger.claim(jobId("i"), "inv-1", T0, LEASE);
        Instant later = T0.plus(LEASE).plusSeconds(1);
        ledger.claim(jobId("i"), "inv-2", later, LEASE);

        assertThatThrownBy(() -> ledger.complete(jobId("i"), "inv-1", new JobResult.Succeeded("late"), later))
                .isInstanceOf(JobLedger.LeaseLostException.class)
                .hasMessageContaining(jobId("i"));
        assertThat(ledger.find(jobId("i")).orElseThrow().status()).isEqualTo(JobStatus.CLAIMED);
    }

    @Test
    void refusesToCompleteAJobTwice() {
        JobLedger ledger = ledger();
        ledger.claim(jobId("j"), "inv-1", T0, LEASE);
        ledger.complete(jobId("j"), "inv-1", new JobResult.Succeeded("first"), T0.plusSeconds(1));

        assertThatThrownBy(() -> ledger.complete(jobId("j"), "inv-1", new JobResult.Succeeded("second"), T0.plusSeconds(2)))
                .isInstanceOf(JobLedger.LeaseLostException.class);
        assertThat(ledger.find(jobId("j")).orElseThrow().result()).isEqualTo(new JobResult.Succeeded("first"));
    }

    @Test
    void grantsExactlyOneOfManyConcurrentClaims() throws Exception {
        JobLedger ledger = ledger();
        int contenders = 16;
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Claim>> results = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                String owner = "inv-" + i;
                Callable<Claim> attempt = () -> {
                    start.await();
                    return ledger.claim(jobId("k"), owner, T0, LEASE);
                };
                results.add(pool.submit(attempt));
            }
            start.countDown();
            int granted = 0;
            for (Future<Claim> result : results) {
                if (result.get() instanceof Claim.Granted) {
                    granted++;
                }
            }
            assertThat(granted).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void findsNothingForAnUnknownJob() {
        assertThat(ledger().find(jobId("never"))).isEmpty();
    }
}
