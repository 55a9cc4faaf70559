package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.core.release.ReleaseStore.Claim;
import dev.gantry.core.release.RolloutStatus;
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
 * What every {@link ReleaseStore} must do. The in-memory fake and the DynamoDB adapter both extend
 * this, so the fake the core tests rely on cannot drift from the real store.
 */
public abstract class ReleaseStoreContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    protected static final Duration LEASE = Duration.ofSeconds(90);

    /** A fresh, empty store for each test. */
    protected abstract ReleaseStore store();

    protected static ReleaseKey key(String seed) {
        return new ReleaseKey("payments-api", "staging", new ImageDigest("sha256:" + "%064x".formatted(new java.math.BigInteger(1, seed.getBytes()))));
    }

    protected static Release proposal(ReleaseKey key, String owner, Instant now) {
        return Release.proposed(key, "1.4.0", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api@" + key.digest(),
                "event-1", owner, now.plus(LEASE), now);
    }

    private static void deployed(ReleaseStore store, ReleaseKey key, Instant at) {
        store.claim(proposal(key, "inv-" + at, at), at, LEASE);
        store.recordRegistered(key, "inv-" + at, "arn:td/app:1", "arn:td/app:2", List.of(), at);
        store.recordServiceUpdated(key, "inv-" + at, at);
    }

    @Test
    void listsAnEnvironmentsReleasesNewestFirst() {
        ReleaseStore store = store();
        deployed(store, key("h1"), T0);
        deployed(store, key("h3"), T0.plusSeconds(120));
        deployed(store, key("h2"), T0.plusSeconds(60));
        ReleaseKey elsewhere = new ReleaseKey("payments-api", "prod", key("h4").digest());
        deployed(store, elsewhere, T0.plusSeconds(180));

        List<Release> history = store.history("payments-api", "staging");

        assertThat(history).extracting(Release::key).containsExactly(key("h3"), key("h2"), key("h1"));
        assertThat(history.get(0).rolloutStatus()).isEqualTo(dev.gantry.core.release.RolloutStatus.PENDING);
        assertThat(store.history("checkout-web", "staging")).isEmpty();
    }

    @Test
    void recordsTheRolloutOfAnUpdatedService() {
        ReleaseStore store = store();
        ReleaseKey key = key("r1");
        deployed(store, key, T0);

        store.recordRollout(key, dev.gantry.core.release.RolloutStatus.ROLLED_BACK, "ECS deployment circuit breaker: rolling back", T0.plusSeconds(300));

        Release release = store.find(key).orElseThrow();
        assertThat(release.rolloutStatus()).isEqualTo(dev.gantry.core.release.RolloutStatus.ROLLED_BACK);
        assertThat(release.rolloutReason()).isEqualTo("ECS deployment circuit breaker: rolling back");
        assertThat(release.status()).isEqualTo(ReleaseStatus.SERVICE_UPDATED);
    }

    @Test
    void neverReplacesAFinalRolloutStatusExceptAFailureThatRolledBack() {
        ReleaseStore store = store();
        ReleaseKey completed = key("f1");
        ReleaseKey failed = key("f2");
        deployed(store, completed, T0);
        deployed(store, failed, T0);
        store.recordRollout(completed, dev.gantry.core.release.RolloutStatus.COMPLETED, "done", T0.plusSeconds(60));
        store.recordRollout(failed, dev.gantry.core.release.RolloutStatus.FAILED, "tasks failed", T0.plusSeconds(60));

        boolean lateInProgress = store.recordRollout(completed, dev.gantry.core.release.RolloutStatus.IN_PROGRESS, "late", T0.plusSeconds(90));
        boolean rolledBack = store.recordRollout(failed, dev.gantry.core.release.RolloutStatus.ROLLED_BACK, "rolling back", T0.plusSeconds(90));
        boolean backToFailed = store.recordRollout(failed, dev.gantry.core.release.RolloutStatus.FAILED, "again", T0.plusSeconds(120));

        assertThat(lateInProgress).isFalse();
        assertThat(store.find(completed).orElseThrow().rolloutStatus()).isEqualTo(dev.gantry.core.release.RolloutStatus.COMPLETED);
        assertThat(rolledBack).isTrue();
        assertThat(backToFailed).isFalse();
        assertThat(store.find(failed).orElseThrow().rolloutStatus()).isEqualTo(dev.gantry.core.release.RolloutStatus.ROLLED_BACK);
        assertThat(store.find(failed).orElseThrow().rolloutReason()).isEqualTo("rolling back");
    }

    @Test
    void recordsAFinalRolloutStatusOnceSoThatOfTwoCopiesOfAnEventOnlyOneActs() {
        ReleaseStore store = store();
        ReleaseKey key = key("f3");
        deployed(store, key, T0);

        boolean first = store.recordRollout(key, dev.gantry.core.release.RolloutStatus.ROLLED_BACK, "rolled back", T0.plusSeconds(60));
        boolean second = store.recordRollout(key, dev.gantry.core.release.RolloutStatus.ROLLED_BACK, "rolled back", T0.plusSeconds(61));

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(store.find(key).orElseThrow().updatedAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void refusesARolloutForAReleaseThatNeverUpdatedItsService() {
        ReleaseStore store = store();
        ReleaseKey key = key("r2");
        store.claim(proposal(key, "inv-1", T0), T0, LEASE);

        assertThatThrownBy(() -> store.recordRollout(key, dev.gantry.core.release.RolloutStatus.COMPLETED, null, T0))
                .isInstanceOf(ReleaseStore.ReleaseStoreException.class);
        assertThatThrownBy(() -> store.recordRollout(key("never"), dev.gantry.core.release.RolloutStatus.COMPLETED, null, T0))
                .isInstanceOf(ReleaseStore.ReleaseStoreException.class);
    }

    @Test
    void grantsTheFirstClaimAndRemembersIt() {
        ReleaseStore store = store();
        ReleaseKey key = key("a");

        Claim claim = store.claim(proposal(key, "inv-1", T0), T0, LEASE);

        assertThat(claim).isInstanceOf(Claim.Granted.class);
        Release saved = store.find(key).orElseThrow();
        assertThat(saved.owner()).isEqualTo("inv-1");
        assertThat(saved.status()).isEqualTo(ReleaseStatus.CLAIMED);
        assertThat(saved.leaseUntil()).isEqualTo(T0.plus(LEASE));
        assertThat(saved.image()).endsWith("@" + key.digest());
    }

    @Test
    void refusesASecondClaimWhileTheLeaseRuns() {
        ReleaseStore store = store();
        ReleaseKey key = key("b");
        store.claim(proposal(key, "inv-1", T0), T0, LEASE);

        Claim second = store.claim(proposal(key, "inv-2", T0.plusSeconds(30)), T0.plusSeconds(30), LEASE);

        assertThat(second).isInstanceOf(Claim.HeldElsewhere.class);
        assertThat(second.release().owner()).isEqualTo("inv-1");
    }

    @Test
    void handsAnExpiredLeaseOverKeepingTheRegisteredRevision() {
        ReleaseStore store = store();
        ReleaseKey key = key("c");
        store.claim(proposal(key, "inv-1", T0), T0, LEASE);
        store.recordRegistered(key, "inv-1", "arn:td/app:1", "arn:td/app:2", List.of("app: a -> b"), T0.plusSeconds(1));

        Instant later = T0.plus(LEASE).plusSeconds(1);
        Claim takeover = store.claim(proposal(key, "inv-2", later), later, LEASE);

        assertThat(takeover).isInstanceOf(Claim.Granted.class);
        Release resumed = takeover.release();
        assertThat(resumed.owner()).isEqualTo("inv-2");
        assertThat(resumed.status()).isEqualTo(ReleaseStatus.REGISTERED);
        assertThat(resumed.taskDefinitionArn()).isEqualTo("arn:td/app:2");
        assertThat(resumed.previousTaskDefinitionArn()).isEqualTo("arn:td/app:1");
        assertThat(resumed.changes()).containsExactly("app: a -> b");
    }

    @Test
    void reportsAFinishedReleaseAsDoneForever() {
        ReleaseStore store = store();
        ReleaseKey key = key("d");
        store.claim(proposal(key, "inv-1", T0), T0, LEASE);
        store.recordRegistered(key, "inv-1", "arn:td/app:1", "arn:td/app:2", List.of(), T0);
        store.recordServiceUpdated(key, "inv-1", T0.plusSeconds(2));

        Instant muchLater = T0.plus(Duration.ofDays(30));
        Claim again = store.claim(proposal(key, "inv-9", muchLater), muchLater, LEASE);

        assertThat(again).isInstanceOf(Claim.AlreadyDone.class);
        assertThat(again.release().status()).isEqualTo(ReleaseStatus.SERVICE_UPDATED);
        assertThat(again.release().taskDefinitionArn()).isEqualTo("arn:td/app:2");
    }

    @Test
    void letsARetryTakeOverAtOnceAfterTheOwnerAbandons() {
        ReleaseStore store = store();
        ReleaseKey key = key("e");
        store.claim(proposal(key, "inv-1", T0), T0, LEASE);

        store.abandon(key, "inv-1", T0.plusSeconds(5));
        Claim retry = store.claim(proposal(key, "inv-2", T0.plusSeconds(6)), T0.plusSeconds(6), LEASE);

        assertThat(retry).isInstanceOf(Claim.Granted.class);
    }

    @Test
    void refusesWritesFromAnInvocationThatLostItsLease() {
        ReleaseStore store = store();
        ReleaseKey key = key("f");
        store.claim(proposal(key, "inv-1", T0), T0, LEASE);
        Instant later = T0.plus(LEASE).plusSeconds(1);
        store.claim(proposal(key, "inv-2", later), later, LEASE);

        assertThatThrownBy(() -> store.recordRegistered(key, "inv-1", "arn:td/app:1", "arn:td/app:3", List.of(), later))
                .isInstanceOf(ReleaseStore.LeaseLostException.class);
        assertThat(store.find(key).orElseThrow().taskDefinitionArn()).isNull();
    }

    @Test
    void grantsExactlyOneOfManyConcurrentClaims() throws Exception {
        ReleaseStore store = store();
        ReleaseKey key = key("g");
        int contenders = 16;
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Claim>> results = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                String owner = "inv-" + i;
                Callable<Claim> attempt = () -> {
                    start.await();
                    return store.claim(proposal(key, owner, T0), T0, LEASE);
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
    void locksAnEnvironmentForOneOwnerAtATime() {
        ReleaseStore store = store();

        assertThat(store.lockEnvironment("payments-api", "staging", "inv-1", T0, LEASE)).isTrue();
        assertThat(store.lockEnvironment("payments-api", "staging", "inv-2", T0.plusSeconds(1), LEASE)).isFalse();
        assertThat(store.lockEnvironment("payments-api", "staging", "inv-1", T0.plusSeconds(2), LEASE)).as("re-entrant").isTrue();
        assertThat(store.lockEnvironment("payments-api", "prod", "inv-2", T0, LEASE)).as("another environment").isTrue();

        store.unlockEnvironment("payments-api", "staging", "inv-2");
        assertThat(store.lockEnvironment("payments-api", "staging", "inv-3", T0.plusSeconds(3), LEASE)).as("only the owner unlocks").isFalse();
        store.unlockEnvironment("payments-api", "staging", "inv-1");
        assertThat(store.lockEnvironment("payments-api", "staging", "inv-3", T0.plusSeconds(4), LEASE)).isTrue();
    }

    @Test
    void letsALockWhoseOwnerDiedBeTakenOnceItExpires() {
        ReleaseStore store = store();
        store.lockEnvironment("payments-api", "staging", "inv-dead", T0, LEASE);

        assertThat(store.lockEnvironment("payments-api", "staging", "inv-2", T0.plus(LEASE).plusSeconds(1), LEASE)).isTrue();
    }

    @Test
    void grantsAnEnvironmentLockToExactlyOneOfManyContenders() throws Exception {
        ReleaseStore store = store();
        int contenders = 12;
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                String owner = "inv-" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return store.lockEnvironment("payments-api", "staging", owner, T0, LEASE);
                }));
            }
            start.countDown();
            int granted = 0;
            for (Future<Boolean> result : results) {
                granted += result.get() ? 1 : 0;
            }
            assertThat(granted).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void claimsAReleaseHandedOverWithoutATag() {
        ReleaseStore store = store();
        ReleaseKey key = key("t0");

        Claim claim = store.claim(Release.proposed(key, null, "img@" + key.digest(), "job-1", null, "inv-1", T0.plus(LEASE), T0), T0, LEASE);

        assertThat(claim).isInstanceOf(Claim.Granted.class);
        assertThat(store.find(key).orElseThrow().tag()).isNull();
    }

    @Test
    void keepsWhenTheImageWasPushed() {
        ReleaseStore store = store();
        ReleaseKey key = key("p1");
        Instant pushed = T0.minusSeconds(30);

        store.claim(Release.proposed(key, "1.4.0", "img@" + key.digest(), "event-1", pushed, "inv-1", T0.plus(LEASE), T0), T0, LEASE);

        assertThat(store.find(key).orElseThrow().pushedAt()).isEqualTo(pushed);
    }

    /** A release deployed by {@code event-1} whose rollout ended {@code rollout}, as a rollback finds its target. */
    private static void deployedAndSettled(ReleaseStore store, ReleaseKey key, Instant at, RolloutStatus rollout) {
        deployed(store, key, at);
        store.recordRollout(key, rollout, null, at.plusSeconds(60));
    }

    private static Release redeployRequest(ReleaseKey key, String eventId, String owner, Instant now) {
        return Release.proposed(key, "1.4.0", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api@" + key.digest(), eventId, owner,
                now.plus(LEASE), now);
    }

    @Test
    void grantsARedeployOfAFinishedReleaseToANewEventKeepingItsHistory() {
        // given
        ReleaseStore store = store();
        ReleaseKey key = key("rd1");
        deployedAndSettled(store, key, T0, RolloutStatus.COMPLETED);
        Instant later = T0.plus(Duration.ofHours(2));

        // when
        Claim claim = store.claimRedeploy(redeployRequest(key, "slack:trigger-7", "inv-rollback", later), later, LEASE);

        // then
        assertThat(claim).isInstanceOf(Claim.Granted.class);
        Release saved = store.find(key).orElseThrow();
        assertThat(claim.release()).isEqualTo(saved);
        assertThat(saved.status()).isEqualTo(ReleaseStatus.CLAIMED);
        assertThat(saved.eventId()).isEqualTo("slack:trigger-7");
        assertThat(saved.owner()).isEqualTo("inv-rollback");
        assertThat(saved.leaseUntil()).isEqualTo(later.plus(LEASE));
        assertThat(saved.createdAt()).isEqualTo(T0);
        assertThat(saved.redeployedAt()).isEqualTo(later);
        assertThat(saved.enteredAt()).isEqualTo(later);
        assertThat(saved.taskDefinitionArn()).as("the redeploy registers its own revision").isNull();
        assertThat(saved.previousTaskDefinitionArn()).isNull();
        assertThat(saved.rolloutStatus()).isNull();
        assertThat(saved.tag()).isEqualTo("1.4.0");
        assertThat(saved.earlierDeploys()).containsExactly(T0 + " event-1: arn:td/app:2, rollout COMPLETED");
    }

    @Test
    void grantsARedeployOnceForItsEventHoldingItWhileItRunsAndDoneAfter() {
        // given: a redeploy granted to slack:trigger-7
        ReleaseStore store = store();
        ReleaseKey key = key("rd2");
        deployedAndSettled(store, key, T0, RolloutStatus.COMPLETED);
        Instant later = T0.plus(Duration.ofHours(2));
        store.claimRedeploy(redeployRequest(key, "slack:trigger-7", "inv-1", later), later, LEASE);

        // when: the same request again while the first runs, and after it finished
        Claim whileRunning = store.claimRedeploy(redeployRequest(key, "slack:trigger-7", "inv-2", later.plusSeconds(5)),
                later.plusSeconds(5), LEASE);
        store.recordRegistered(key, "inv-1", "arn:td/app:5", "arn:td/app:6", List.of("app: b -> a"), later.plusSeconds(6));
        store.recordServiceUpdated(key, "inv-1", later.plusSeconds(7));
        store.recordRollout(key, RolloutStatus.COMPLETED, null, later.plusSeconds(300));
        Claim afterwards = store.claimRedeploy(redeployRequest(key, "slack:trigger-7", "inv-3", later.plusSeconds(600)),
                later.plusSeconds(600), LEASE);

        // then
        assertThat(whileRunning).isInstanceOf(Claim.HeldElsewhere.class);
        assertThat(whileRunning.release().owner()).isEqualTo("inv-1");
        assertThat(afterwards).isInstanceOf(Claim.AlreadyDone.class);
        Release done = store.find(key).orElseThrow();
        assertThat(done.status()).isEqualTo(ReleaseStatus.SERVICE_UPDATED);
        assertThat(done.taskDefinitionArn()).isEqualTo("arn:td/app:6");
        assertThat(done.previousTaskDefinitionArn()).isEqualTo("arn:td/app:5");
        assertThat(done.eventId()).isEqualTo("slack:trigger-7");
        assertThat(done.earlierDeploys()).hasSize(1);
    }

    @Test
    void refusesARedeployForTheEventThatDeployedIt() {
        ReleaseStore store = store();
        ReleaseKey key = key("rd3");
        deployedAndSettled(store, key, T0, RolloutStatus.COMPLETED);

        Claim again = store.claimRedeploy(redeployRequest(key, "event-1", "inv-9", T0.plusSeconds(900)), T0.plusSeconds(900), LEASE);

        assertThat(again).isInstanceOf(Claim.AlreadyDone.class);
        assertThat(store.find(key).orElseThrow().earlierDeploys()).isEmpty();
    }

    @Test
    void refusesARedeployWhileTheReleaseIsStillBeingDeployedOrRolledOut() {
        // given: one release mid-deploy under a live lease, one whose ECS rollout has not ended
        ReleaseStore store = store();
        ReleaseKey deploying = key("rd4");
        store.claim(proposal(deploying, "inv-1", T0), T0, LEASE);
        ReleaseKey rollingOut = key("rd5");
        deployed(store, rollingOut, T0);
        store.recordRollout(rollingOut, RolloutStatus.IN_PROGRESS, null, T0.plusSeconds(10));

        // when
        Claim midDeploy = store.claimRedeploy(redeployRequest(deploying, "slack:trigger-8", "inv-2", T0.plusSeconds(20)),
                T0.plusSeconds(20), LEASE);
        Claim midRollout = store.claimRedeploy(redeployRequest(rollingOut, "slack:trigger-8", "inv-2", T0.plusSeconds(20)),
                T0.plusSeconds(20), LEASE);

        // then
        assertThat(midDeploy).isInstanceOf(Claim.HeldElsewhere.class);
        assertThat(midRollout).isInstanceOf(Claim.AlreadyDone.class);
        assertThat(store.find(rollingOut).orElseThrow().rolloutStatus()).isEqualTo(RolloutStatus.IN_PROGRESS);
    }

    @Test
    void neverRedeploysThroughAnOrdinaryClaimWhateverTheEvent() {
        ReleaseStore store = store();
        ReleaseKey key = key("rd6");
        deployedAndSettled(store, key, T0, RolloutStatus.COMPLETED);

        Claim retagged = store.claim(redeployRequest(key, "event-retagged", "inv-2", T0.plusSeconds(900)), T0.plusSeconds(900), LEASE);

        assertThat(retagged).isInstanceOf(Claim.AlreadyDone.class);
        assertThat(store.find(key).orElseThrow().eventId()).isEqualTo("event-1");
    }

    @Test
    void letsARedeployWhoseOwnerDiedResumeFromItsRegisteredRevision() {
        // given: the redeploy registered its revision, then its invocation died
        ReleaseStore store = store();
        ReleaseKey key = key("rd7");
        deployedAndSettled(store, key, T0, RolloutStatus.COMPLETED);
        Instant later = T0.plus(Duration.ofHours(2));
        store.claimRedeploy(redeployRequest(key, "slack:trigger-9", "inv-1", later), later, LEASE);
        store.recordRegistered(key, "inv-1", "arn:td/app:5", "arn:td/app:6", List.of("app: b -> a"), later.plusSeconds(1));

        // when: the same request retried after the lease ran out
        Instant retry = later.plus(LEASE).plusSeconds(1);
        Claim resumed = store.claimRedeploy(redeployRequest(key, "slack:trigger-9", "inv-2", retry), retry, LEASE);

        // then
        assertThat(resumed).isInstanceOf(Claim.Granted.class);
        assertThat(resumed.release().status()).isEqualTo(ReleaseStatus.REGISTERED);
        assertThat(resumed.release().taskDefinitionArn()).isEqualTo("arn:td/app:6");
        assertThat(resumed.release().owner()).isEqualTo("inv-2");
        assertThat(resumed.release().earlierDeploys()).hasSize(1);
    }

    @Test
    void grantsExactlyOneOfManyConcurrentRedeploys() throws Exception {
        // given
        ReleaseStore store = store();
        ReleaseKey key = key("rd8");
        deployedAndSettled(store, key, T0, RolloutStatus.COMPLETED);
        Instant later = T0.plus(Duration.ofHours(2));
        int contenders = 12;
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        CountDownLatch start = new CountDownLatch(1);
        try {
            // when: two requests' worth of contenders, each request delivered several times at once
            List<Future<Claim>> results = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                String eventId = "slack:trigger-" + (i % 2);
                String owner = "inv-" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return store.claimRedeploy(redeployRequest(key, eventId, owner, later), later, LEASE);
                }));
            }
            start.countDown();
            List<Claim> claims = new ArrayList<>();
            for (Future<Claim> result : results) {
                claims.add(result.get());
            }

            // then
            assertThat(claims).filteredOn(c -> c instanceof Claim.Granted).hasSize(1);
            assertThat(claims).filteredOn(c -> !(c instanceof Claim.Granted)).allSatisfy(c -> assertThat(c).isInstanceOf(Claim.HeldElsewhere.class));
            assertThat(store.find(key).orElseThrow().earlierDeploys()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void listsARedeployedReleaseBeforeTheOneItReplaced() {
        // given: 1 then 2 deployed; later 1 redeployed
        ReleaseStore store = store();
        ReleaseKey first = key("o1");
        ReleaseKey second = key("o2");
        deployedAndSettled(store, first, T0, RolloutStatus.COMPLETED);
        deployedAndSettled(store, second, T0.plus(Duration.ofHours(1)), RolloutStatus.COMPLETED);
        Instant later = T0.plus(Duration.ofHours(2));

        // when
        store.claimRedeploy(redeployRequest(first, "slack:trigger-1", "inv-r", later), later, LEASE);
        store.recordRegistered(first, "inv-r", "arn:td/app:3", "arn:td/app:4", List.of(), later);
        store.recordServiceUpdated(first, "inv-r", later.plusSeconds(1));

        // then
        assertThat(store.history("payments-api", "staging")).extracting(Release::key).containsExactly(first, second);
        assertThat(store.history("payments-api", "staging").get(0).isRunning()).isTrue();
    }

    @Test
    void findsNothingForAnUnknownRelease() {
        assertThat(store().find(key("never"))).isEmpty();
    }
}
