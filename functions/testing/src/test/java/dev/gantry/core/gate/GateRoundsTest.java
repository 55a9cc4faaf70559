package dev.gantry.core.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** A gate answers one arrival of a release, not its digest forever; and only the newest release waits. */
class GateRoundsTest {

    private static final String REGISTRY = "111122223333.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String OLDER = "sha256:" + "a1".repeat(32);
    private static final String NEWER = "sha256:" + "b2".repeat(32);

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryGateStore store = new InMemoryGateStore();
    private final InMemoryAlarmStates alarms = new InMemoryAlarmStates();
    private final InMemoryDeployControls controls = new InMemoryDeployControls();
    private final GateService gates = new GateService(GateServiceTest.configWithGate("""
            alarms: { names: [payments-api-5xx] }
            interval: 1m
            """), store, new InMemoryReleaseStore(), alarms, new InMemoryChangeCalendars(), new InMemoryCustomChecks(),
            ApproverGroups.none(), clock).withVetoes(controls);

    @Test
    void aPassedDigestBroughtBackByAnotherArrivalIsLookedAtAgain() {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        assertThat(gates.evaluate(arrival(OLDER, "event-1", null)).status()).isEqualTo(GateStatus.PASSED);
        clock.advance(Duration.ofDays(30));
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, null);

        GateRecord sameArrival = gates.evaluate(arrival(OLDER, "event-1", null));
        GateRecord newArrival = gates.evaluate(arrival(OLDER, "event-2", null));

        assertThat(sameArrival.status()).as("a duplicate of the event the gate answered gets the same answer").isEqualTo(GateStatus.PASSED);
        assertThat(newArrival.status()).as("thirty days later, with the alarm firing, the gate looks again").isEqualTo(GateStatus.FAILED);
        assertThat(newArrival.arrival()).isEqualTo("event-2");
        assertThat(newArrival.evaluations()).extracting(GateEvaluation::outcome)
                .as("the earlier round stays in the audit trail").containsExactly(GateVerdict.Outcome.PASSED, GateVerdict.Outcome.FAILED);
    }

    @Test
    void aFailureOnATransientAlarmIsNotARefusalForever() {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.ALARM, null);
        assertThat(gates.evaluate(arrival(OLDER, "pipeline-job:1", null)).status()).isEqualTo(GateStatus.FAILED);
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        clock.advance(Duration.ofMinutes(10));

        GateRecord rerun = gates.evaluate(arrival(OLDER, "pipeline-job:2", null));

        assertThat(rerun.status()).isEqualTo(GateStatus.PASSED);
    }

    @Test
    void aLateEventForAnOlderDigestDoesNotPushTheNewerOneOut() {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.INSUFFICIENT_DATA, null);
        GateRecord newer = gates.evaluate(arrival(NEWER, "event-2", Instant.parse("2026-11-23T09:50:00Z")));
        clock.advance(Duration.ofMinutes(1));

        GateRecord older = gates.evaluate(arrival(OLDER, "event-1-replayed", Instant.parse("2026-11-23T09:40:00Z")));

        assertThat(newer.status()).isEqualTo(GateStatus.WAITING);
        assertThat(older.status()).isEqualTo(GateStatus.SUPERSEDED);
        assertThat(older.reason()).contains(new ImageDigest(NEWER).shortForm());
        assertThat(store.find(key(NEWER)).orElseThrow().status()).isEqualTo(GateStatus.WAITING);
    }

    @Test
    void aVetoedHigherVersionWaitingAtTheGateDoesNotSupersedeAHotfixOfAnOlderLine() {
        // given: 1.5.0 waits at the gate, and an operator vetoes it there
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.INSUFFICIENT_DATA, null);
        gates.evaluate(pushed(NEWER, "1.5.0", "event-1", Instant.parse("2026-11-23T09:40:00Z")));
        controls.veto(veto(NEWER, "corrupts the ledger on retry"));
        clock.advance(Duration.ofSeconds(20));

        // when: a hotfix of the 1.4 line is pushed
        GateRecord hotfix = gates.evaluate(pushed(OLDER, "1.4.1", "event-2", Instant.parse("2026-11-23T09:55:00Z")));

        // then: the hotfix waits, and the vetoed release is not marked as replaced by an older one either
        assertThat(hotfix.status()).isEqualTo(GateStatus.WAITING);
        assertThat(store.find(key(NEWER)).orElseThrow().status()).isNotEqualTo(GateStatus.SUPERSEDED);
    }

    @Test
    void aVetoedReleaseArrivingAtTheGatePushesNoOlderOneOut() {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.INSUFFICIENT_DATA, null);
        gates.evaluate(pushed(OLDER, "1.4.1", "event-1", Instant.parse("2026-11-23T09:40:00Z")));
        controls.veto(veto(NEWER, "corrupts the ledger on retry"));
        clock.advance(Duration.ofSeconds(20));

        GateRecord vetoed = gates.evaluate(pushed(NEWER, "1.5.0", "event-2", Instant.parse("2026-11-23T09:55:00Z")));

        assertThat(store.find(key(OLDER)).orElseThrow().status()).isEqualTo(GateStatus.WAITING);
        assertThat(vetoed.status()).isEqualTo(GateStatus.FAILED);
    }

    @Test
    void vetoingAReleaseWaitingAtTheGateEndsItsRoundWithTheVetosReason() {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.INSUFFICIENT_DATA, null);
        GateSubject higher = pushed(NEWER, "1.5.0", "event-1", Instant.parse("2026-11-23T09:40:00Z"));
        assertThat(gates.evaluate(higher).status()).isEqualTo(GateStatus.WAITING);
        controls.veto(veto(NEWER, "corrupts the ledger on retry"));
        clock.advance(Duration.ofMinutes(1));

        // when: the gate looks again, as the sweep, a continuation job or an ECS hook makes it
        GateRecord record = gates.evaluate(higher);

        assertThat(record.status()).isEqualTo(GateStatus.FAILED);
        assertThat(record.reason()).isEqualTo("veto: " + new ImageDigest(NEWER).shortForm()
                + " is vetoed for prod by U0AAAA003 at 2026-11-23T10:00:00Z: corrupts the ledger on retry");
    }

    @RepeatedTest(5)
    void ofTwoDigestsArrivingAtOnceExactlyTheNewerKeepsWaiting() throws Exception {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.INSUFFICIENT_DATA, null);
        CyclicBarrier together = new CyclicBarrier(2);
        // Two threads of its own: the common pool may have a single one on a two-core machine, and the barrier needs both.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<GateRecord> older = CompletableFuture.supplyAsync(() -> {
                await(together);
                return gates.evaluate(arrival(OLDER, "event-1", Instant.parse("2026-11-23T09:40:00Z")));
            }, pool);
            CompletableFuture<GateRecord> newer = CompletableFuture.supplyAsync(() -> {
                await(together);
                return gates.evaluate(arrival(NEWER, "event-2", Instant.parse("2026-11-23T09:50:00Z")));
            }, pool);
            older.get(10, TimeUnit.SECONDS);
            newer.get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.find(key(NEWER)).orElseThrow().status()).isEqualTo(GateStatus.WAITING);
        assertThat(store.find(key(OLDER)).orElseThrow().status()).isEqualTo(GateStatus.SUPERSEDED);
    }

    @RepeatedTest(5)
    void ofTwoVersionsArrivingAtOnceExactlyTheHigherKeepsWaitingThoughPushedFirst() throws Exception {
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.INSUFFICIENT_DATA, null);
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<GateRecord> higher = CompletableFuture.supplyAsync(() -> {
                await(together);
                return gates.evaluate(pushed(NEWER, "1.5.0", "event-1", Instant.parse("2026-11-23T09:40:00Z")));
            }, pool);
            CompletableFuture<GateRecord> hotfix = CompletableFuture.supplyAsync(() -> {
                await(together);
                return gates.evaluate(pushed(OLDER, "1.4.1", "event-2", Instant.parse("2026-11-23T09:42:00Z")));
            }, pool);
            higher.get(10, TimeUnit.SECONDS);
            hotfix.get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.find(key(NEWER)).orElseThrow().status()).isEqualTo(GateStatus.WAITING);
        assertThat(store.find(key(OLDER)).orElseThrow().status()).isEqualTo(GateStatus.SUPERSEDED);
    }

    private GateSubject arrival(String digest, String arrival, Instant pushedAt) {
        return new GateSubject(key(digest), REGISTRY + "/payments-api@" + digest, null, pushedAt, List.of(), GateOrigin.PIPELINE, arrival);
    }

    /** A push of {@code tag}, which Gantry's own deploy flow brings to the gate. */
    private GateSubject pushed(String digest, String tag, String eventId, Instant pushedAt) {
        return new GateSubject(key(digest), REGISTRY + "/payments-api@" + digest, tag, pushedAt, List.of(), GateOrigin.DEPLOY, eventId);
    }

    private DeployControls.Veto veto(String digest, String reason) {
        return new DeployControls.Veto("payments-api", "prod", new ImageDigest(digest), reason, "U0AAAA003", clock.instant());
    }

    private static ReleaseKey key(String digest) {
        return new ReleaseKey("payments-api", "prod", new ImageDigest(digest));
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
