package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.chatops.ChatRequestLedger;
import dev.gantry.core.chatops.ChatRequestLedger.Claim;
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
 * What every {@link ChatRequestLedger} must do. The in-memory fake and a DynamoDB adapter both extend this, so the
 * ChatOps tests' fake cannot drift from the real ledger.
 */
public abstract class ChatRequestLedgerContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    protected static final Duration LEASE = Duration.ofMinutes(2);

    /** A fresh, empty ledger for each test. */
    protected abstract ChatRequestLedger ledger();

    @Test
    void grantsTheFirstClaim() {
        assertThat(ledger().claim("command#T1#trigger-a", "inv-1", T0, LEASE)).isInstanceOf(Claim.Granted.class);
    }

    @Test
    void answersInProgressWhileTheLeaseRuns() {
        ChatRequestLedger ledger = ledger();
        ledger.claim("command#T1#trigger-b", "inv-1", T0, LEASE);

        Claim second = ledger.claim("command#T1#trigger-b", "inv-2", T0.plusSeconds(30), LEASE);

        assertThat(second).isEqualTo(new Claim.InProgress(T0.plus(LEASE)));
    }

    @Test
    void answersTheFirstOutcomeOnceCompleted() {
        ChatRequestLedger ledger = ledger();
        ledger.claim("click#pa_1#U1", "inv-1", T0, LEASE);
        ledger.complete("click#pa_1#U1", "inv-1", "approved by U1", T0.plusSeconds(1));

        Claim later = ledger.claim("click#pa_1#U1", "inv-2", T0.plus(Duration.ofDays(1)), LEASE);

        assertThat(later).isEqualTo(new Claim.AlreadyDone("approved by U1", T0.plusSeconds(1)));
    }

    @Test
    void handsAnExpiredLeaseToTheNextClaim() {
        ChatRequestLedger ledger = ledger();
        ledger.claim("command#T1#trigger-c", "inv-1", T0, LEASE);

        Claim takeover = ledger.claim("command#T1#trigger-c", "inv-2", T0.plus(LEASE).plusSeconds(1), LEASE);

        assertThat(takeover).isInstanceOf(Claim.Granted.class);
        assertThatThrownBy(() -> ledger.complete("command#T1#trigger-c", "inv-1", "late", T0.plus(LEASE).plusSeconds(2)))
                .isInstanceOf(ChatRequestLedger.LeaseLostException.class);
    }

    @Test
    void letsTheNextClaimInAtOnceAfterAnAbandonedAttempt() {
        ChatRequestLedger ledger = ledger();
        ledger.claim("click#pa_2#U1", "inv-1", T0, LEASE);

        ledger.abandon("click#pa_2#U1", "inv-1", T0.plusSeconds(1));

        assertThat(ledger.claim("click#pa_2#U1", "inv-2", T0.plusSeconds(2), LEASE)).isInstanceOf(Claim.Granted.class);
    }

    @Test
    void ignoresAnAbandonByWhoeverDoesNotHoldTheClaim() {
        ChatRequestLedger ledger = ledger();
        ledger.claim("click#pa_3#U1", "inv-1", T0, LEASE);

        ledger.abandon("click#pa_3#U1", "inv-2", T0.plusSeconds(1));

        assertThat(ledger.claim("click#pa_3#U1", "inv-3", T0.plusSeconds(2), LEASE)).isInstanceOf(Claim.InProgress.class);
    }

    @Test
    void grantsOneOfManyConcurrentClaims() throws Exception {
        ChatRequestLedger ledger = ledger();
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Claim>> claims = new ArrayList<>();
        try {
            for (int i = 0; i < racers; i++) {
                String owner = "inv-" + i;
                Callable<Claim> claim = () -> {
                    start.await();
                    return ledger.claim("command#T1#trigger-race", owner, T0, LEASE);
                };
                claims.add(pool.submit(claim));
            }
            start.countDown();
            int granted = 0;
            for (Future<Claim> claim : claims) {
                granted += claim.get() instanceof Claim.Granted ? 1 : 0;
            }
            assertThat(granted).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
