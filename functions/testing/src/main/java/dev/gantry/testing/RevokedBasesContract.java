package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.RevokedBases;
import dev.gantry.core.rebuild.RevokedBases.RevokedBase;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
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
 * What every {@link RevokedBases} must do. The in-memory fake and the DynamoDB adapter both extend this, so the fake
 * the revocation and rebuild service tests rely on cannot drift from the real store. Revocations are recorded in time
 * order here, as the revocation service records them with its clock.
 */
public abstract class RevokedBasesContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    protected static final String GOLDEN = "golden/java21";
    protected static final ImageDigest BASE = digest("golden-1");

    /** A fresh, empty store for each test. */
    protected abstract RevokedBases revokedBases();

    protected static ImageDigest digest(String seed) {
        return new ImageDigest("sha256:" + "%064x".formatted(new BigInteger(1, seed.getBytes(StandardCharsets.UTF_8))));
    }

    protected static RevokedBase revocation(String repository, ImageDigest digest, Instant at) {
        return new RevokedBase(repository, digest, "U012ALICE", "CVE-2026-1234", at);
    }

    @Test
    void keepsEveryFieldOfARevocationToTheNanosecond() {
        RevokedBases revokedBases = revokedBases();
        RevokedBase revoked = new RevokedBase(GOLDEN, BASE, "U012ALICE (Alice Ünal)",
                "CVE-2026-1234: glibc — rebuild everything # on it", Instant.parse("2026-11-23T10:00:00.123456789Z"));

        boolean first = revokedBases.revoke(revoked);

        assertThat(first).isTrue();
        assertThat(revokedBases.find(GOLDEN, BASE)).contains(revoked);
        assertThat(revokedBases.isRevoked(GOLDEN, BASE)).isTrue();
        assertThat(revokedBases.list()).containsExactly(revoked);
    }

    @Test
    void keepsTheFirstRevocationOfADigest() {
        RevokedBases revokedBases = revokedBases();
        RevokedBase first = revocation(GOLDEN, BASE, T0);
        RevokedBase again = new RevokedBase(GOLDEN, BASE, "U034BOB", "a broken build", T0.plusSeconds(60));

        boolean firstAnswer = revokedBases.revoke(first);
        boolean againAnswer = revokedBases.revoke(again);
        boolean sameAgain = revokedBases.revoke(first);

        assertThat(firstAnswer).isTrue();
        assertThat(againAnswer).isFalse();
        assertThat(sameAgain).isFalse();
        assertThat(revokedBases.find(GOLDEN, BASE)).contains(first);
        assertThat(revokedBases.list()).containsExactly(first);
    }

    @Test
    void tellsRevocationsApartByRepositoryAndDigest() {
        RevokedBases revokedBases = revokedBases();
        RevokedBase golden = revocation(GOLDEN, BASE, T0);
        RevokedBase mirror = revocation("mirror/java21", BASE, T0.plusSeconds(1));

        revokedBases.revoke(golden);
        boolean mirrorAnswer = revokedBases.revoke(mirror);

        assertThat(mirrorAnswer).isTrue();
        assertThat(revokedBases.find(GOLDEN, BASE)).contains(golden);
        assertThat(revokedBases.find("mirror/java21", BASE)).contains(mirror);
        assertThat(revokedBases.find(GOLDEN, digest("golden-2"))).isEmpty();
        assertThat(revokedBases.isRevoked(GOLDEN, digest("golden-2"))).isFalse();
        assertThat(revokedBases.isRevoked("golden", BASE)).isFalse();
    }

    @Test
    void answersNothingRevokedBeforeAnyRevocation() {
        RevokedBases revokedBases = revokedBases();

        assertThat(revokedBases.find(GOLDEN, BASE)).isEmpty();
        assertThat(revokedBases.isRevoked(GOLDEN, BASE)).isFalse();
        assertThat(revokedBases.list()).isEmpty();
    }

    @Test
    void listsEveryRevocationOldestFirstAcrossRepositories() {
        RevokedBases revokedBases = revokedBases();
        // Neither repository nor digest sorts in time order, so only the time can give this order.
        RevokedBase first = revocation("zeta/base", digest("z"), T0);
        RevokedBase second = revocation("alpha/base", digest("y"), T0.plusNanos(1));
        RevokedBase third = revocation("mid/base", digest("a"), T0.plusSeconds(1));
        RevokedBase fourth = revocation("alpha/base", digest("b"), T0.plusSeconds(3600));

        List.of(first, second, third, fourth).forEach(revokedBases::revoke);

        assertThat(revokedBases.list()).containsExactly(first, second, third, fourth);
    }

    @Test
    void letsOneOfManyRacingRevocationsOfTheSameDigestStand() throws Exception {
        RevokedBases revokedBases = revokedBases();
        int writers = 8;
        List<RevokedBase> attempts = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            attempts.add(new RevokedBase(GOLDEN, BASE, "U00" + i, "reason " + i, T0.plusMillis(i)));
        }

        List<Boolean> answers = race(writers, i -> () -> revokedBases.revoke(attempts.get(i)));

        assertThat(answers).containsOnlyOnce(true);
        RevokedBase winner = attempts.get(answers.indexOf(true));
        assertThat(revokedBases.find(GOLDEN, BASE)).contains(winner);
        assertThat(revokedBases.list()).containsExactly(winner);
    }

    /** Runs {@code count} tasks released at the same moment and collects their answers in task order. */
    static <T> List<T> race(int count, java.util.function.IntFunction<Callable<T>> task) throws Exception {
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
