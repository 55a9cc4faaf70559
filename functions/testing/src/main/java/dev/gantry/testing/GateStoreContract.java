package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.CheckResult;
import dev.gantry.core.gate.GateEvaluation;
import dev.gantry.core.gate.GateEvaluation.CheckSummary;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateState;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.gate.GateVerdict;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link GateStore} must do. The in-memory fake and the DynamoDB adapter both extend this, so the
 * fake the gate service tests rely on cannot drift from the real store.
 *
 * <p>Instants come back exactly as they were stored, to the nanosecond: a record read back equals the record
 * written, so a service can compare what it read with what it wrote, and {@code due} compares a record's due
 * time with {@code now} without rounding either.
 */
public abstract class GateStoreContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    protected static final String SERVICE = "payments-api";
    protected static final String ENVIRONMENT = "staging";

    /** A fresh, empty store for each test. */
    protected abstract GateStore store();

    protected static ReleaseKey key(String seed) {
        return key(SERVICE, ENVIRONMENT, seed);
    }

    protected static ReleaseKey key(String service, String environment, String seed) {
        return new ReleaseKey(service, environment, digest(seed));
    }

    protected static ImageDigest digest(String seed) {
        return new ImageDigest("sha256:" + "%064x".formatted(new BigInteger(1, seed.getBytes(StandardCharsets.UTF_8))));
    }

    /** A release that has just reached its gate: waiting, nothing evaluated, due at {@code at}. */
    protected static GateRecord arriving(ReleaseKey key, Instant at) {
        GateSubject subject = new GateSubject(key, "111111111111.dkr.ecr.eu-west-1.amazonaws.com/" + key.service() + "@" + key.digest(),
                "1.4.0", at.minusSeconds(30), List.of("U012ALICE"), GateOrigin.DEPLOY);
        return GateRecord.arriving(subject, "production", at);
    }

    /** {@code record} with another status and due time, one version on. */
    protected static GateRecord next(GateRecord record, GateStatus status, Instant dueAt) {
        return new GateRecord(record.key(), record.gate(), record.origin(), record.image(), record.tag(), record.pushedAt(),
                record.triggeredBy(), status, record.reason(), record.state(), record.nextLook(), record.lastEvaluatedAt(), dueAt,
                record.decisions(), record.evaluations(), record.handoff(), record.createdAt(), record.updatedAt(), record.version() + 1,
                record.arrival(), record.pipelineExecution(), record.executionPasses());
    }

    /** A record with every field set, nanoseconds in its instants, and every kind of decision and check answer. */
    protected static GateRecord everyFieldSet(ReleaseKey key) {
        Instant created = Instant.parse("2026-11-23T10:00:00.123456789Z");
        List<Approval> decisions = List.of(
                new Approval("U012ALICE", created.plusMillis(1500), key.digest(), Approval.Decision.APPROVE, "looks good"),
                new Approval("U034BOB", created.plusSeconds(2), key.digest(), Approval.Decision.REJECT, null),
                new Approval("U034BOB", created.plusSeconds(3), digest("older"), Approval.Decision.APPROVE, null),
                new Approval("U056CAROL", created.plusNanos(4_000_000_001L), key.digest(), Approval.Decision.BREAK_GLASS,
                        "incident INC-4411: the fix must ship during the freeze — ünïcode kept"),
                new Approval("U078DAN", created.plusSeconds(5), key.digest(), Approval.Decision.BREAK_GLASS, "second approver, same incident"));
        List<GateEvaluation> evaluations = List.of(
                new GateEvaluation(created.plusSeconds(10), created.plusSeconds(70), 3, GateVerdict.Outcome.WAITING, "waiting for approvals",
                        List.of(
                                new CheckSummary("alarms", "PASS", null, List.of("payments-api-5xx: OK", "payments-api-latency: OK")),
                                new CheckSummary("approvals", "WAIT", "0 of 2 approvals", List.of("0 of 2 approvals")),
                                new CheckSummary("freeze", "PASS", null, List.of()))),
                new GateEvaluation(created.plusSeconds(80), created.plusSeconds(80), 1, GateVerdict.Outcome.FAILED, "rejected by U034BOB",
                        List.of(new CheckSummary("approvals", "FAIL", "rejected by U034BOB", List.of("rejected: U034BOB at " + created,
                                "")))));
        return new GateRecord(key, "production", GateOrigin.DEPLOY,
                "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api@" + key.digest(), "1.4.0", created.minusNanos(999),
                List.of("U012ALICE", "ana@example.com", "arn:aws:iam::111111111111:role/release"), GateStatus.WAITING,
                "waiting for approvals", new GateState(created.plusMillis(7), created.plusNanos(1)),
                created.plusSeconds(90).plusNanos(5), created.plusSeconds(80).plusNanos(6), created.plusSeconds(90).plusNanos(7),
                decisions, evaluations, "DEPLOYED: staging moved to revision 7", created, created.plusSeconds(80).plusNanos(8), 7,
                "event-6f2c1e0a-push", "3137f7cb-7cf7-4b2c-9d1e-0a1b2c3d4e5f",
                List.of(new GateRecord.ExecutionPass("0b5e2f1a-9c8d-4e7f-a6b5-c4d3e2f1a0b9", created.plusSeconds(40).plusNanos(9),
                                List.of("U056CAROL", "carol@example.com")),
                        new GateRecord.ExecutionPass("3137f7cb-7cf7-4b2c-9d1e-0a1b2c3d4e5f", created.plusSeconds(80).plusNanos(6), List.of())));
    }

    /** A record with everything that may be absent left absent. */
    protected static GateRecord nothingOptionalSet(ReleaseKey key) {
        return new GateRecord(key, "pipeline-gate", GateOrigin.PIPELINE, "payments-api@" + key.digest(), null, null, null,
                GateStatus.WAITING, null, GateState.INITIAL, null, null, null, null, null, null, T0, T0, 0);
    }

    @Test
    void keepsEveryFieldOfARecord() {
        GateStore store = store();
        GateRecord record = everyFieldSet(key("all"));

        boolean created = store.create(record);

        assertThat(created).isTrue();
        GateRecord read = store.find(record.key()).orElseThrow();
        assertThat(read).isEqualTo(record);
        assertThat(read.decisions()).filteredOn(d -> d.decision() == Approval.Decision.BREAK_GLASS)
                .extracting(Approval::comment)
                .containsExactly("incident INC-4411: the fix must ship during the freeze — ünïcode kept", "second approver, same incident");
        assertThat(read.evaluations().get(0).checks().get(0).evidence()).containsExactly("payments-api-5xx: OK", "payments-api-latency: OK");
        assertThat(read.triggeredBy()).containsExactly("U012ALICE", "ana@example.com", "arn:aws:iam::111111111111:role/release");
    }

    @Test
    void keepsAbsentValuesAbsent() {
        GateStore store = store();
        GateRecord record = nothingOptionalSet(key("bare"));

        store.create(record);

        GateRecord read = store.find(record.key()).orElseThrow();
        assertThat(read).isEqualTo(record);
        assertThat(read.tag()).isNull();
        assertThat(read.pushedAt()).isNull();
        assertThat(read.dueAt()).isNull();
        assertThat(read.handoff()).isNull();
        assertThat(read.state()).isEqualTo(GateState.INITIAL);
        assertThat(read.reason()).isEmpty();
        assertThat(read.decisions()).isEmpty();
        assertThat(read.evaluations()).isEmpty();
        assertThat(read.executionPasses()).isEmpty();
    }

    @Test
    void keepsInstantsExactlyFromTheNanosecondUpToInstantMax() {
        GateStore store = store();
        ReleaseKey key = key("instants");
        Instant precise = Instant.parse("2026-11-23T10:00:00.000000001Z");
        GateRecord arrived = arriving(key, precise);
        // A wait only an outside event can end looks again at Instant.MAX.
        GateRecord record = new GateRecord(key, arrived.gate(), arrived.origin(), arrived.image(), arrived.tag(), Instant.EPOCH,
                arrived.triggeredBy(), arrived.status(), arrived.reason(), new GateState(null, precise), Instant.MAX, precise, precise,
                arrived.decisions(), arrived.evaluations(), null, precise, precise, 0);

        store.create(record);

        assertThat(store.find(key).orElseThrow()).isEqualTo(record);
        assertThat(store.due(precise.minusNanos(1), 10)).as("one nanosecond early").isEmpty();
        assertThat(store.due(precise, 10)).extracting(GateRecord::key).containsExactly(key);
    }

    @Test
    void findsNothingForAnUnknownRelease() {
        assertThat(store().find(key("never"))).isEmpty();
    }

    @Test
    void createsARecordOnlyWhereNoneExists() {
        GateStore store = store();
        ReleaseKey key = key("twice");
        GateRecord first = arriving(key, T0);
        GateRecord second = everyFieldSet(key);

        boolean firstCreated = store.create(first);
        boolean secondCreated = store.create(second);

        assertThat(firstCreated).isTrue();
        assertThat(secondCreated).isFalse();
        assertThat(store.find(key).orElseThrow()).isEqualTo(first);
        assertThat(store.due(T0, 10)).as("the refused record's due time is not indexed either").containsExactly(first);
    }

    @Test
    void replacesARecordFromTheVersionItWasReadAt() {
        GateStore store = store();
        GateRecord arrived = arriving(key("replace"), T0);
        store.create(arrived);
        GateRecord approved = arrived.withDecision(
                new Approval("U034BOB", T0.plusSeconds(5), arrived.key().digest(), Approval.Decision.APPROVE, null), T0.plusSeconds(5));

        boolean replaced = store.replace(approved);

        assertThat(replaced).isTrue();
        GateRecord read = store.find(arrived.key()).orElseThrow();
        assertThat(read).isEqualTo(approved);
        assertThat(read.version()).isEqualTo(1);
    }

    @Test
    void refusesAStaleReplaceAndChangesNothing() {
        GateStore store = store();
        GateRecord arrived = arriving(key("stale"), T0);
        store.create(arrived);
        GateRecord winner = next(arrived, GateStatus.PASSED, T0.plusSeconds(1));
        GateRecord loser = next(arrived, GateStatus.FAILED, null);
        store.replace(winner);

        boolean staleReplaced = store.replace(loser);
        boolean skippingReplaced = store.replace(next(next(winner, GateStatus.FAILED, null), GateStatus.FAILED, null));
        boolean sameVersionReplaced = store.replace(winner);

        assertThat(staleReplaced).isFalse();
        assertThat(skippingReplaced).as("a version that skips one").isFalse();
        assertThat(sameVersionReplaced).as("the stored version itself").isFalse();
        assertThat(store.find(arrived.key()).orElseThrow()).isEqualTo(winner);
        assertThat(store.due(T0.plusSeconds(1), 10)).containsExactly(winner);
    }

    @Test
    void refusesToReplaceARecordThatWasNeverCreated() {
        GateStore store = store();
        GateRecord arrived = arriving(key("absent"), T0);

        boolean replaced = store.replace(next(arrived, GateStatus.PASSED, T0));

        assertThat(replaced).isFalse();
        assertThat(store.find(arrived.key())).isEmpty();
        assertThat(store.due(T0, 10)).isEmpty();
    }

    @Test
    void listsTheWaitingRecordsOfOneServiceEnvironment() {
        GateStore store = store();
        GateRecord first = arriving(key("w1"), T0);
        GateRecord second = nothingOptionalSet(key("w2"));
        GateRecord passed = arriving(key("w3"), T0);
        GateRecord prod = arriving(key(SERVICE, "prod", "w4"), T0);
        GateRecord otherService = arriving(key("checkout-web", ENVIRONMENT, "w5"), T0);
        for (GateRecord record : List.of(first, second, passed, prod, otherService)) {
            store.create(record);
        }
        store.replace(next(passed, GateStatus.PASSED, null));

        List<GateRecord> waiting = store.waiting(SERVICE, ENVIRONMENT);

        assertThat(waiting).containsExactlyInAnyOrder(first, second);
        assertThat(store.waiting(SERVICE, "prod")).containsExactly(prod);
        assertThat(store.waiting("checkout-web", ENVIRONMENT)).containsExactly(otherService);
        assertThat(store.waiting("ledger", ENVIRONMENT)).isEmpty();
    }

    @Test
    void listsNoDecidedRecordAsWaiting() {
        GateStore store = store();
        List<GateStatus> decided = List.of(GateStatus.PASSED, GateStatus.FAILED, GateStatus.TIMED_OUT, GateStatus.SUPERSEDED);
        for (GateStatus status : decided) {
            GateRecord arrived = arriving(key(status.name()), T0);
            store.create(arrived);
            store.replace(next(arrived, status, null));
        }

        assertThat(store.waiting(SERVICE, ENVIRONMENT)).isEmpty();
    }

    @Test
    void sweepsDueRecordsEarliestFirstUpToTheLimit() {
        GateStore store = store();
        GateRecord at30 = arriving(key("d30"), T0.plusSeconds(30));
        GateRecord at10 = arriving(key("checkout-web", "prod", "d10"), T0.plusSeconds(10));
        GateRecord at20 = arriving(key(SERVICE, "prod", "d20"), T0.plusSeconds(20));
        GateRecord future = arriving(key("d60"), T0.plusSeconds(60));
        GateRecord never = nothingOptionalSet(key("dnull"));
        for (GateRecord record : List.of(at30, at10, future, never, at20)) {
            store.create(record);
        }

        List<GateRecord> all = store.due(T0.plusSeconds(30), 10);
        List<GateRecord> firstTwo = store.due(T0.plusSeconds(30), 2);

        assertThat(all).as("due at or before now, earliest first").containsExactly(at10, at20, at30);
        assertThat(firstTwo).containsExactly(at10, at20);
        assertThat(store.due(T0, 10)).isEmpty();
        assertThat(store.due(T0.plusSeconds(3600), 1)).containsExactly(at10);
    }

    @Test
    void sweepsEveryOneOfManyDueRecordsInOrder() {
        GateStore store = store();
        List<GateRecord> created = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            GateRecord record = arriving(key("many-" + i), T0.plusMillis(150 - i));
            store.create(record);
            created.add(record);
        }

        List<GateRecord> due = store.due(T0.plusSeconds(1), 200);

        assertThat(due).hasSize(150);
        assertThat(due.getFirst()).isEqualTo(created.getLast());
        assertThat(due.getLast()).isEqualTo(created.getFirst());
    }

    @Test
    void dropsARecordFromTheSweepOnceItsDueTimeIsCleared() {
        GateStore store = store();
        GateRecord arrived = arriving(key("cleared"), T0);
        store.create(arrived);
        assertThat(store.due(T0, 10)).containsExactly(arrived);

        GateRecord superseded = arrived.superseded(digest("newer"), T0.plusSeconds(5));
        store.replace(superseded);

        assertThat(superseded.dueAt()).isNull();
        assertThat(store.due(T0.plusSeconds(3600), 10)).isEmpty();
    }

    @Test
    void movesARecordInTheSweepWhenItsDueTimeMoves() {
        GateStore store = store();
        GateRecord arrived = arriving(key("moved"), T0);
        store.create(arrived);
        GateRecord later = next(arrived, GateStatus.WAITING, T0.plusSeconds(60));
        store.replace(later);

        assertThat(store.due(T0.plusSeconds(59), 10)).isEmpty();
        assertThat(store.due(T0.plusSeconds(60), 10)).containsExactly(later);

        GateRecord sooner = next(later, GateStatus.WAITING, T0.plusSeconds(1));
        store.replace(sooner);
        assertThat(store.due(T0.plusSeconds(1), 10)).containsExactly(sooner);
    }

    @Test
    void refusesASweepOfNoRecords() {
        GateStore store = store();

        assertThatThrownBy(() -> store.due(T0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsEveryDecisionOfManyConcurrentApprovers() throws Exception {
        GateStore store = store();
        GateRecord arrived = arriving(key("concurrent"), T0);
        store.create(arrived);
        int approvers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(approvers);
        // Every approver reads the same version before anyone writes, so that every write but one has to lose.
        CyclicBarrier allHaveRead = new CyclicBarrier(approvers);
        try {
            List<Future<Integer>> attempts = new ArrayList<>();
            for (int i = 0; i < approvers; i++) {
                Approval approval = new Approval("U" + i, T0.plusSeconds(i), arrived.key().digest(), Approval.Decision.APPROVE, "approver " + i);
                attempts.add(pool.submit(() -> {
                    // Read, add one decision, write back from the version read; a lost race reads again.
                    for (int attempt = 1; attempt <= 200; attempt++) {
                        GateRecord current = store.find(arrived.key()).orElseThrow();
                        if (attempt == 1) {
                            allHaveRead.await(30, TimeUnit.SECONDS);
                        }
                        if (store.replace(current.withDecision(approval, approval.at()))) {
                            return attempt;
                        }
                    }
                    throw new AssertionError(approval.userId() + " never got its decision in");
                }));
            }
            int lostRaces = 0;
            for (Future<Integer> attempt : attempts) {
                lostRaces += attempt.get(60, TimeUnit.SECONDS) - 1;
            }
            assertThat(lostRaces).as("writes refused because another approver wrote first").isGreaterThanOrEqualTo(approvers - 1);
        } finally {
            pool.shutdownNow();
        }

        GateRecord decided = store.find(arrived.key()).orElseThrow();
        assertThat(decided.decisions()).extracting(Approval::userId)
                .containsExactlyInAnyOrder("U0", "U1", "U2", "U3", "U4", "U5", "U6", "U7");
        assertThat(decided.version()).isEqualTo(approvers);
    }

    @Test
    void letsExactlyOneOfManyRacingDecisionsWin() throws Exception {
        GateStore store = store();
        GateRecord arrived = arriving(key("race"), T0);
        store.create(arrived);
        GateRecord read = store.find(arrived.key()).orElseThrow();
        int evaluators = 12;
        ExecutorService pool = Executors.newFixedThreadPool(evaluators);
        CountDownLatch start = new CountDownLatch(1);
        List<GateRecord> candidates = new ArrayList<>();
        List<Future<Boolean>> results = new ArrayList<>();
        try {
            for (int i = 0; i < evaluators; i++) {
                GateVerdict passed = new GateVerdict("production", GateVerdict.Outcome.PASSED, "passed in evaluation " + i, null,
                        List.of(CheckResult.pass("approvals", List.of("1 of 1 approvals"))), new GateState(T0, T0));
                GateRecord candidate = read.evaluated(passed, GateStatus.PASSED, null, T0.plusSeconds(1), T0.plusSeconds(1));
                candidates.add(candidate);
                results.add(pool.submit(() -> {
                    start.await();
                    return store.replace(candidate);
                }));
            }
            start.countDown();
            List<GateRecord> winners = new ArrayList<>();
            for (int i = 0; i < evaluators; i++) {
                if (results.get(i).get(60, TimeUnit.SECONDS)) {
                    winners.add(candidates.get(i));
                }
            }

            assertThat(winners).hasSize(1);
            assertThat(store.find(arrived.key()).orElseThrow()).isEqualTo(winners.getFirst());
            assertThat(store.due(T0.plusSeconds(1), 10)).containsExactly(winners.getFirst());
        } finally {
            pool.shutdownNow();
        }
    }
}
