package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.PostingMarker;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.notify.ReleaseThread;
import dev.gantry.core.notify.ReleaseThreads;
import dev.gantry.core.notify.StoredThread;
import dev.gantry.core.notify.ThreadKey;
import dev.gantry.core.release.RolloutStatus;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ReleaseThreads} must do. The in-memory fake and the DynamoDB adapter both extend this, so the fake
 * the notify service tests rely on cannot drift from the real store.
 *
 * <p>A thread read back equals the thread saved, its story included, to the nanosecond: the notify service compares
 * the story it folded with the one it read to decide whether anything changed.
 */
public abstract class ReleaseThreadsContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    protected static final String SERVICE = "payments-api";

    /** A fresh, empty store for each test. */
    protected abstract ReleaseThreads threads();

    protected static ImageDigest digest(String seed) {
        return new ImageDigest("sha256:" + "%064x".formatted(new BigInteger(1, seed.getBytes(StandardCharsets.UTF_8))));
    }

    protected static ThreadKey releaseKey(String seed) {
        return ThreadKey.release(SERVICE, digest(seed));
    }

    /** A thread never posted, saved for the first time. */
    protected static StoredThread fresh(ThreadKey key) {
        return StoredThread.fresh(key, "#payments-releases", null).next(T0);
    }

    /**
     * A release thread with every field of the stored thread and of its story set: every kind of news applied,
     * replies pending, instants with nanoseconds, and text with quotes, backslashes, newlines and non-ASCII letters.
     */
    protected static StoredThread everyFieldSet(ThreadKey key) {
        ImageDigest digest = ImageDigest.parse(key.id());
        Instant at = Instant.parse("2026-11-23T10:00:00.123456789Z");
        String arn = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:";
        List<ReleaseNews> news = List.of(
                new ReleaseNews.DeployStarted("deploy/1", at, SERVICE, "staging", digest, "1.4.0", "1.3.0", "sha256:0123456789ab",
                        List.of("app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:" + digest.shortForm()), List.of("U012ALICE", "ana@example.com"),
                        arn + "7", arn + "6", "111111111111", "eu-west-1", "staging", SERVICE),
                new ReleaseNews.RolloutChanged("rollout/1", at.plusNanos(1), SERVICE, "staging", digest, RolloutStatus.ROLLED_BACK,
                        "circuit breaker: \"3\" tasks failed \\ exit 137\nsee the logs — ünïcode kept"),
                new ReleaseNews.DeployDeclined("declined/1", at.plusSeconds(1), SERVICE, "qa", digest, "1.4.0", DeployOutcome.Result.HELD,
                        "pinned to sha256:0123456789ab"),
                new ReleaseNews.GateChanged("gate/1", at.plusSeconds(2), SERVICE, "prod", digest, "1.4.0", "production", GateStatus.WAITING,
                        "waiting for approvals", List.of("approvals WAIT: 1 of 2 approvals", "  approved by U034BOB"), 1, 2),
                new ReleaseNews.GateDecided("gate-decision/1", at.plusSeconds(3), SERVICE, "prod", digest, "production", "U034BOB",
                        Approval.Decision.BREAK_GLASS, "INC-4411"),
                ReleaseNews.PipelineChanged.of("payments-release", "exec-1", "Build", "FAILED", SERVICE, digest, "eu-west-1", at.plusSeconds(4)),
                ReleaseNews.BuildChanged.of(key, "payments-api-image", "payments-api-image:0d9e", "FAILED", null, "eu-west-1", "111111111111",
                        at.plusSeconds(5)),
                ReleaseNews.AlarmChanged.of(key, "payments-api-5xx", "ALARM", "Threshold Crossed", "eu-west-1", at.plusSeconds(6)));
        ReleaseThread state = ReleaseThread.open(key, "<!subteam^S0PLATFORM|@platform-oncall>");
        for (ReleaseNews n : news) {
            state = state.apply(n);
        }
        return new StoredThread(key, "C0PAYMENTS", "1795428000.000100", new PostingMarker("invocation-6", at.minusSeconds(1)), 3,
                "message_not_found", "invocation-7", at.plusSeconds(60), 1, at.plusSeconds(7), state);
    }

    /** A rebuild thread, whose story holds the rebuilds' counts. */
    protected static StoredThread rebuildThread() {
        ImageDigest base = digest("golden");
        ThreadKey key = ThreadKey.rebuild("golden/java21", base);
        ReleaseThread state = ReleaseThread.open(key, null).apply(new ReleaseNews.RebuildChanged("rebuild/1", T0, "golden/java21", base, 1, 2, 4,
                "golden/java21 sha256:" + base.shortForm() + " -> rebuilding 4 images, wave 1 of 2",
                List.of(new ReleaseNews.RebuildChanged.Dependent("runtime-java", 1, "STARTED", "runtime-java-image:7", "runtime-java: started"),
                        new ReleaseNews.RebuildChanged.Dependent("tools", 1, "PENDING", null, null),
                        new ReleaseNews.RebuildChanged.Dependent("batch-runtime", 1, "SUPERSEDED", null, "batch-runtime: superseded", 1,
                                "their base image's rebuild was superseded"))));
        return StoredThread.fresh(key, "#releases", null).withState(state).next(T0);
    }

    @Test
    void keepsEveryFieldOfAThread() {
        ReleaseThreads threads = threads();
        StoredThread thread = everyFieldSet(releaseKey("all"));

        boolean saved = threads.save(thread, 0);

        assertThat(saved).isTrue();
        StoredThread read = threads.find(thread.key()).orElseThrow();
        assertThat(read).isEqualTo(thread);
        assertThat(read.state().pendingReplies()).hasSize(8);
        assertThat(read.state().headline()).isEqualTo(thread.state().headline());
        assertThat(read.state().environments()).extracting(ReleaseThread.Environment::detail)
                .contains("circuit breaker: \"3\" tasks failed \\ exit 137\nsee the logs — ünïcode kept");
    }

    @Test
    void keepsTheCountsOfARebuildThread() {
        ReleaseThreads threads = threads();
        StoredThread thread = rebuildThread();

        threads.save(thread, 0);

        StoredThread read = threads.find(thread.key()).orElseThrow();
        assertThat(read).isEqualTo(thread);
        assertThat(read.state().rebuilds().dependents()).extracting(ReleaseThread.DependentStatus::status)
                .containsExactly("STARTED", "PENDING", "SUPERSEDED");
        assertThat(read.state().rebuilds().notRebuilt()).containsExactly(Map.entry("their base image's rebuild was superseded", 1));
    }

    @Test
    void keepsAThreadOfGantrysOwnAlarm() {
        ReleaseThreads threads = threads();
        ThreadKey key = ThreadKey.operations("Gantry-failed-invocations-depth", "eu-west-1");
        ReleaseThread state = ReleaseThread.open(key, "@platform-oncall").apply(ReleaseNews.AlarmChanged.of(key,
                "Gantry-failed-invocations-depth", "ALARM", "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than the "
                        + "threshold (0.0).", "eu-west-1", "Read the parked invocation, fix the cause, replay it.", T0));
        StoredThread thread = StoredThread.fresh(key, "#releases", "@platform-oncall").withState(state).next(T0);

        threads.save(thread, 0);

        StoredThread read = threads.find(key).orElseThrow();
        assertThat(read).isEqualTo(thread);
        assertThat(read.state().status()).isEqualTo(ReleaseThread.Status.ALARM);
        assertThat(threads.find(ThreadKey.operations("Gantry-failed-invocations-depth", "us-east-1"))).isEmpty();
    }

    @Test
    void keepsAbsentValuesAbsent() {
        ReleaseThreads threads = threads();
        StoredThread thread = fresh(releaseKey("bare"));

        threads.save(thread, 0);

        StoredThread read = threads.find(thread.key()).orElseThrow();
        assertThat(read).isEqualTo(thread);
        assertThat(read.headlineTs()).isNull();
        assertThat(read.posting()).isNull();
        assertThat(read.rejected()).isNull();
        assertThat(read.leaseOwner()).isNull();
        assertThat(read.leaseUntil()).isNull();
        assertThat(read.state().failureMention()).isNull();
        assertThat(read.state().tag()).isNull();
        assertThat(read.state().rebuilds()).isNull();
        assertThat(read.state().updatedAt()).isNull();
        assertThat(read.state().environments()).isEmpty();
    }

    @Test
    void keepsThePostingMarkerUntilTheHeadlineIsRecorded() {
        ReleaseThreads threads = threads();
        StoredThread setOut = fresh(releaseKey("marker")).postingUnder(new PostingMarker("invocation-3", T0.plusNanos(123_456_789)));
        threads.save(setOut, 0);
        StoredThread marked = threads.find(setOut.key()).orElseThrow();
        StoredThread recorded = marked.posted("C0PAYMENTS", "1795428000.000100", 1).next(T0.plusSeconds(1));

        threads.save(recorded, 1);

        assertThat(marked.posting()).isEqualTo(new PostingMarker("invocation-3", T0.plusNanos(123_456_789)));
        StoredThread read = threads.find(setOut.key()).orElseThrow();
        assertThat(read.posting()).isNull();
        assertThat(read.headlineTs()).isEqualTo("1795428000.000100");
    }

    @Test
    void findsNothingForAThreadNeverSaved() {
        assertThat(threads().find(releaseKey("never"))).isEmpty();
    }

    @Test
    void createsAThreadOnlyWhereNoneIsStored() {
        ReleaseThreads threads = threads();
        ThreadKey key = releaseKey("create");
        StoredThread first = fresh(key);
        StoredThread second = everyFieldSet(key);

        boolean firstSaved = threads.save(first, 0);
        boolean secondSaved = threads.save(second, 0);

        assertThat(firstSaved).isTrue();
        assertThat(secondSaved).isFalse();
        assertThat(threads.find(key)).contains(first);
    }

    @Test
    void savesOnlyFromTheVersionRead() {
        ReleaseThreads threads = threads();
        StoredThread v1 = fresh(releaseKey("versions"));
        threads.save(v1, 0);
        StoredThread v2 = v1.posted("C0PAYMENTS", "1795428000.000100", 0).next(T0.plusSeconds(1));
        StoredThread staleV2 = v1.leasedTo("late", T0.plusSeconds(60)).next(T0.plusSeconds(2));

        boolean saved = threads.save(v2, 1);
        boolean stale = threads.save(staleV2, 1);

        assertThat(saved).isTrue();
        assertThat(stale).isFalse();
        assertThat(threads.find(v1.key())).contains(v2);
    }

    @Test
    void refusesAVersionThatDoesNotFollowTheOneExpected() {
        ReleaseThreads threads = threads();
        StoredThread thread = fresh(releaseKey("skipping"));

        assertThatThrownBy(() -> threads.save(thread.next(T0), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(threads.find(thread.key())).isEmpty();
    }

    @Test
    void tellsThreadsApartByKindNameAndId() {
        ReleaseThreads threads = threads();
        ImageDigest digest = digest("shared");
        List<StoredThread> all = List.of(
                fresh(ThreadKey.release(SERVICE, digest)),
                fresh(ThreadKey.release("checkout-web", digest)),
                fresh(ThreadKey.release(SERVICE, digest("other"))),
                fresh(ThreadKey.rebuild(SERVICE, digest)),
                fresh(ThreadKey.pipeline(SERVICE, digest.value())));

        all.forEach(thread -> assertThat(threads.save(thread, 0)).isTrue());

        all.forEach(thread -> assertThat(threads.find(thread.key())).contains(thread));
    }

    @Test
    void letsOneOfManyConcurrentWritersWin() throws Exception {
        ReleaseThreads threads = threads();
        StoredThread v1 = fresh(releaseKey("race"));
        threads.save(v1, 0);
        int writers = 8;
        CyclicBarrier start = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Boolean>> saves = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                StoredThread mine = v1.leasedTo("writer-" + i, T0.plusSeconds(60)).next(T0.plusSeconds(1));
                saves.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return threads.save(mine, 1);
                }));
            }
            List<Boolean> answers = new ArrayList<>();
            for (Future<Boolean> save : saves) {
                answers.add(save.get(30, TimeUnit.SECONDS));
            }

            assertThat(answers).containsOnlyOnce(true);
            StoredThread winner = threads.find(v1.key()).orElseThrow();
            assertThat(winner.version()).isEqualTo(2);
            assertThat(winner.leaseOwner()).isEqualTo("writer-" + answers.indexOf(true));
        } finally {
            pool.shutdownNow();
        }
    }
}
