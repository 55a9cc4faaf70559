package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.BuildRunner.BuildTarget;
import dev.gantry.core.rebuild.ImageLineage;
import dev.gantry.core.rebuild.Rebuild;
import dev.gantry.core.rebuild.RebuildKey;
import dev.gantry.core.rebuild.RebuildLedger;
import dev.gantry.core.rebuild.RebuildLedger.SlotResult;
import dev.gantry.core.rebuild.RebuildStatus;
import dev.gantry.core.rebuild.RunKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RebuildLedger} must do. The in-memory fake and the DynamoDB adapter both extend this, so the fake
 * the rebuild service tests rely on cannot drift from the real ledger. The concurrency tests race real threads: the
 * slot limit and the once-per-key rule must hold whoever writes first.
 */
public abstract class RebuildLedgerContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    protected static final String GOLDEN = "golden/java21";
    protected static final ImageDigest BASE = digest("golden-1");
    protected static final RunKey RUN = new RunKey(GOLDEN, BASE, RebuildKey.ON_NEW_BASE);
    private static final Duration LEASE = Duration.ofSeconds(90);

    /** A fresh, empty ledger for each test. */
    protected abstract RebuildLedger ledger();

    protected static ImageDigest digest(String seed) {
        return new ImageDigest("sha256:" + "%064x".formatted(new BigInteger(1, seed.getBytes(StandardCharsets.UTF_8))));
    }

    protected static Rebuild pending(String dependent, RunKey run, Instant at) {
        return Rebuild.pending(new RebuildKey(dependent, run.baseDigest(), run.occasion()), run.baseRepository(),
                "111111111111.dkr.ecr.eu-west-1.amazonaws.com/" + run.baseRepository() + "@" + run.baseDigest(),
                new BuildTarget(BuildTarget.Kind.CODEBUILD, dependent + "-image"), "apps/" + dependent, run, 1, "ECR push", at);
    }

    protected static Rebuild pending(String dependent) {
        return pending(dependent, RUN, T0);
    }

    private static Rebuild starting(Rebuild rebuild) {
        return rebuild.starting(T0.plus(LEASE), T0);
    }

    @Test
    void keepsEveryFieldOfARecordToTheNanosecond() {
        RebuildLedger ledger = ledger();
        Instant created = Instant.parse("2026-11-23T10:00:00.123456789Z");
        RunKey root = new RunKey("base/os", digest("os"), "manual@req-1");
        Rebuild rebuild = new Rebuild(new RebuildKey("payments-api-image", BASE, "schedule@2026-11-23T10:00:00Z"), GOLDEN,
                "111111111111.dkr.ecr.eu-west-1.amazonaws.com/golden/java21@" + BASE, new BuildTarget(BuildTarget.Kind.PIPELINE,
                "payments-release"), "payments-api", root, 2, RebuildStatus.PENDING, null, 0, null, null,
                "manual by U012ALICE: CVE-2026-1234 — ünïcode kept", created, created.plusNanos(1), 0);
        ledger.enqueue(rebuild);
        Rebuild started = rebuild.starting(created.plusSeconds(90).plusNanos(7), created.plusNanos(2));
        ledger.takeSlot(started, 10);
        Rebuild running = started.started("payments-release:4f1c", created.plusNanos(3));

        boolean replaced = ledger.replace(running);

        assertThat(replaced).isTrue();
        assertThat(ledger.find(rebuild.key())).contains(running);
        assertThat(ledger.findByBuildId("payments-release:4f1c")).contains(running);
    }

    @Test
    void enqueuesARebuildOncePerDependentDigestAndOccasion() {
        RebuildLedger ledger = ledger();
        Rebuild first = pending("runtime-java");
        Rebuild duplicate = pending("runtime-java", RUN, T0.plusSeconds(5));
        Rebuild scheduled = pending("runtime-java", new RunKey(GOLDEN, BASE, "schedule@2026-11-30T03:00:00Z"), T0);

        assertThat(ledger.enqueue(first)).isTrue();
        assertThat(ledger.enqueue(duplicate)).isFalse();
        assertThat(ledger.enqueue(scheduled)).isTrue();

        assertThat(ledger.find(first.key())).contains(first);
        assertThat(ledger.find("runtime-java", BASE)).containsExactly(first, scheduled);
        assertThat(ledger.find("runtime-java", digest("other"))).isEmpty();
    }

    @Test
    void remembersTheRebuildOfEachDependentPlannedLastWhateverTheOrderTheyAreWritten() {
        RebuildLedger ledger = ledger();
        Rebuild first = pending("runtime-java", RUN, T0);
        Rebuild newer = pending("runtime-java", new RunKey(GOLDEN, digest("golden-2"), RebuildKey.ON_NEW_BASE), T0.plusSeconds(10));
        Rebuild writtenLast = pending("runtime-java", new RunKey(GOLDEN, digest("golden-0"), RebuildKey.ON_NEW_BASE), T0.minusSeconds(5));
        Rebuild sibling = pending("checkout-web", RUN, T0);
        List.of(first, newer, sibling).forEach(ledger::enqueue);

        boolean enqueued = ledger.enqueue(writtenLast);

        assertThat(enqueued).isTrue();
        assertThat(ledger.find(writtenLast.key())).contains(writtenLast);
        assertThat(ledger.pending(10)).contains(writtenLast);
        assertThat(ledger.newest("runtime-java")).contains(newer.key());
        assertThat(ledger.newest("checkout-web")).contains(sibling.key());
        assertThat(ledger.newest("payments-api-image")).isEmpty();
    }

    @Test
    void keepsTheNewestWhenTheSameRebuildIsEnqueuedAgain() {
        RebuildLedger ledger = ledger();
        Rebuild older = pending("runtime-java", RUN, T0);
        Rebuild newer = pending("runtime-java", new RunKey(GOLDEN, digest("golden-2"), RebuildKey.ON_NEW_BASE), T0.plusSeconds(10));
        List.of(older, newer).forEach(ledger::enqueue);

        boolean again = ledger.enqueue(pending("runtime-java", RUN, T0.plusSeconds(20)));

        assertThat(again).isFalse();
        assertThat(ledger.newest("runtime-java")).contains(newer.key());
    }

    @Test
    void takesASupersededRebuildOffTheQueue() {
        RebuildLedger ledger = ledger();
        Rebuild older = pending("a");
        Rebuild other = pending("b");
        List.of(older, other).forEach(ledger::enqueue);
        Rebuild superseded = older.settled(RebuildStatus.SUPERSEDED, "superseded by the newer base", T0.plusSeconds(1));

        boolean replaced = ledger.replace(superseded);

        assertThat(replaced).isTrue();
        assertThat(ledger.find(older.key())).contains(superseded);
        assertThat(ledger.pending(10)).containsExactly(other);
        assertThat(ledger.pending(RUN, 10)).containsExactly(other);
        assertThat(ledger.takeSlot(starting(older), 5)).isEqualTo(SlotResult.CONFLICT);
    }

    @Test
    void replacesFromTheVersionReadAndRefusesAStaleReplace() {
        RebuildLedger ledger = ledger();
        Rebuild rebuild = pending("runtime-java");
        ledger.enqueue(rebuild);
        Rebuild failed = rebuild.settled(RebuildStatus.FAILED, "revoked", T0);
        Rebuild blocked = rebuild.settled(RebuildStatus.BLOCKED, "revoked too", T0);

        assertThat(ledger.replace(failed)).isTrue();
        assertThat(ledger.replace(blocked)).isFalse();

        assertThat(ledger.find(rebuild.key())).contains(failed);
    }

    @Test
    void answersFalseToAReplaceThatLostItsRecordToATakenSlot() {
        RebuildLedger ledger = ledger();
        Rebuild rebuild = pending("runtime-java");
        ledger.enqueue(rebuild);
        // Another invocation started the rebuild between this one's read and its write.
        ledger.takeSlot(starting(rebuild), 5);
        Rebuild superseded = rebuild.settled(RebuildStatus.SUPERSEDED, "superseded by the newer base", T0.plusSeconds(1));

        boolean replaced = ledger.replace(superseded);

        assertThat(replaced).isFalse();
        assertThat(ledger.find(rebuild.key()).orElseThrow().status()).isEqualTo(RebuildStatus.STARTING);
        assertThat(ledger.inFlightCount()).isEqualTo(1);
    }

    @Test
    void refusesAReplaceThatWouldTakeOrFreeASlot() {
        RebuildLedger ledger = ledger();
        Rebuild rebuild = pending("runtime-java");
        ledger.enqueue(rebuild);

        assertThatThrownBy(() -> ledger.replace(starting(rebuild))).isInstanceOf(IllegalArgumentException.class);
        assertThat(ledger.find(rebuild.key())).contains(rebuild);
        assertThat(ledger.inFlightCount()).isZero();
    }

    @Test
    void takesASlotOnlyWhileFewerThanTheLimitHoldOne() {
        RebuildLedger ledger = ledger();
        Rebuild a = pending("a");
        Rebuild b = pending("b");
        Rebuild c = pending("c");
        List.of(a, b, c).forEach(ledger::enqueue);

        assertThat(ledger.takeSlot(starting(a), 2)).isEqualTo(SlotResult.TAKEN);
        assertThat(ledger.takeSlot(starting(b), 2)).isEqualTo(SlotResult.TAKEN);
        assertThat(ledger.takeSlot(starting(c), 2)).isEqualTo(SlotResult.FULL);

        assertThat(ledger.find(c.key())).contains(c);
        assertThat(ledger.inFlightCount()).isEqualTo(2);
        assertThat(ledger.inFlight(RUN)).extracting(Rebuild::dependent).containsExactlyInAnyOrder("a", "b");
        assertThat(ledger.pending(RUN, 10)).containsExactly(c);
    }

    @Test
    void freesTheSlotWhenTheRebuildSettles() {
        RebuildLedger ledger = ledger();
        Rebuild a = pending("a");
        Rebuild b = pending("b");
        List.of(a, b).forEach(ledger::enqueue);
        Rebuild started = starting(a).started("a-image:1", T0);
        ledger.takeSlot(starting(a), 1);
        ledger.replace(started);

        boolean released = ledger.releaseSlot(started.settled(RebuildStatus.SUCCEEDED, null, T0.plusSeconds(60)));

        assertThat(released).isTrue();
        assertThat(ledger.inFlightCount()).isZero();
        assertThat(ledger.takeSlot(starting(b), 1)).isEqualTo(SlotResult.TAKEN);
    }

    @Test
    void refusesASlotForAStaleRecordAndAReleaseOfOneNotHeld() {
        RebuildLedger ledger = ledger();
        Rebuild a = pending("a");
        ledger.enqueue(a);
        ledger.takeSlot(starting(a), 5);

        assertThat(ledger.takeSlot(starting(a), 5)).isEqualTo(SlotResult.CONFLICT);
        assertThat(ledger.releaseSlot(a.settled(RebuildStatus.FAILED, "stale", T0))).isFalse();
        assertThat(ledger.inFlightCount()).isEqualTo(1);
    }

    @Test
    void listsPendingRebuildsOldestFirstPerRunAndAcrossRuns() {
        RebuildLedger ledger = ledger();
        RunKey runtime = new RunKey("runtime/java", digest("runtime-1"), RebuildKey.ON_NEW_BASE);
        Rebuild late = pending("late", RUN, T0.plusSeconds(20));
        Rebuild early = pending("early", RUN, T0);
        Rebuild middle = pending("middle", runtime, T0.plusSeconds(10));
        List.of(late, early, middle).forEach(ledger::enqueue);

        assertThat(ledger.pending(RUN, 10)).containsExactly(early, late);
        assertThat(ledger.pending(10)).containsExactly(early, middle, late);
        assertThat(ledger.pending(2)).containsExactly(early, middle);
        assertThat(ledger.run(runtime)).containsExactly(middle);
    }

    @Test
    void listsAStartAsStalledOnlyOnceItsLeaseRanOut() {
        RebuildLedger ledger = ledger();
        Rebuild a = pending("a");
        ledger.enqueue(a);
        ledger.takeSlot(starting(a), 5);

        assertThat(ledger.stalled(T0.plus(LEASE), 10)).isEmpty();
        assertThat(ledger.stalled(T0.plus(LEASE).plusMillis(1), 10)).extracting(Rebuild::dependent).containsExactly("a");
    }

    @Test
    void keepsTheFirstLineageOfAChildImage() {
        RebuildLedger ledger = ledger();
        ImageDigest child = digest("runtime-1");
        ImageLineage first = new ImageLineage("runtime/java", child, GOLDEN, BASE, ImageLineage.Source.LABELS, T0);
        ImageLineage later = new ImageLineage("runtime/java", child, GOLDEN, digest("golden-2"), ImageLineage.Source.LABELS, T0);

        ledger.recordLineage(first);
        ledger.recordLineage(later);

        assertThat(ledger.lineage("runtime/java", child)).contains(first);
        assertThat(ledger.builtOn(GOLDEN, BASE)).containsExactly(first);
        assertThat(ledger.builtOn(GOLDEN, digest("golden-2"))).isEmpty();
    }

    @Test
    void createsOneRecordWhenManyEnqueueTheSameRebuildAtOnce() throws Exception {
        RebuildLedger ledger = ledger();
        int writers = 8;

        List<Boolean> answers = race(writers, i -> () -> ledger.enqueue(pending("runtime-java", RUN, T0.plusSeconds(i))));

        assertThat(answers).containsOnlyOnce(true);
        assertThat(ledger.find("runtime-java", BASE)).hasSize(1);
    }

    @Test
    void neverLetsMoreThanTheLimitHoldASlotWhenManyTakeAtOnce() throws Exception {
        RebuildLedger ledger = ledger();
        int rebuilds = 16;
        int limit = 5;
        List<Rebuild> waiting = new ArrayList<>();
        for (int i = 0; i < rebuilds; i++) {
            waiting.add(pending("dependent-" + i));
            ledger.enqueue(waiting.get(i));
        }

        List<SlotResult> answers = race(rebuilds, i -> () -> ledger.takeSlot(starting(waiting.get(i)), limit));

        assertThat(answers).filteredOn(r -> r == SlotResult.TAKEN).hasSize(limit);
        assertThat(answers).filteredOn(r -> r == SlotResult.FULL).hasSize(rebuilds - limit);
        assertThat(ledger.inFlightCount()).isEqualTo(limit);
        assertThat(ledger.pending(RUN, rebuilds)).hasSize(rebuilds - limit);
    }

    @Test
    void letsOneOfManyRacingTakersOfTheSameRebuildHaveTheSlot() throws Exception {
        RebuildLedger ledger = ledger();
        Rebuild a = pending("a");
        ledger.enqueue(a);

        List<SlotResult> answers = race(8, i -> () -> ledger.takeSlot(a.starting(T0.plus(LEASE), T0.plusMillis(i)), 10));

        assertThat(answers).containsOnlyOnce(SlotResult.TAKEN);
        assertThat(ledger.inFlightCount()).isEqualTo(1);
    }

    @Test
    void freesOneSlotWhenTheSameBuildEndIsRecordedManyTimesAtOnce() throws Exception {
        RebuildLedger ledger = ledger();
        Rebuild a = pending("a");
        Rebuild b = pending("b");
        List.of(a, b).forEach(ledger::enqueue);
        ledger.takeSlot(starting(a), 5);
        ledger.takeSlot(starting(b), 5);
        Rebuild started = starting(a).started("a-image:1", T0);
        ledger.replace(started);

        List<Boolean> answers = race(8, i -> () -> ledger.releaseSlot(started.settled(RebuildStatus.SUCCEEDED, null, T0.plusMillis(i))));

        assertThat(answers).containsOnlyOnce(true);
        assertThat(ledger.inFlightCount()).isEqualTo(1);
    }

    @Test
    void remembersTheRebuildPlannedLastWhenManyOfOneDependentAreEnqueuedAtOnce() throws Exception {
        RebuildLedger ledger = ledger();
        int writers = 8;
        List<Rebuild> rebuilds = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            rebuilds.add(pending("runtime-java", new RunKey(GOLDEN, digest("golden-" + i), RebuildKey.ON_NEW_BASE), T0.plusSeconds(i)));
        }

        List<Boolean> answers = race(writers, i -> () -> ledger.enqueue(rebuilds.get(writers - 1 - i)));

        assertThat(answers).containsOnly(true);
        assertThat(ledger.newest("runtime-java")).contains(rebuilds.get(writers - 1).key());
        assertThat(ledger.pending(writers)).hasSize(writers);
    }

    /** Runs {@code count} tasks released at the same moment and collects their answers in task order. */
    private static <T> List<T> race(int count, java.util.function.IntFunction<Callable<T>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            CyclicBarrier start = new CyclicBarrier(count);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Callable<T> work = task.apply(i);
                futures.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return work.call();
                }));
            }
            List<T> answers = new ArrayList<>();
            for (Future<T> future : futures) {
                answers.add(future.get(30, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }
}
