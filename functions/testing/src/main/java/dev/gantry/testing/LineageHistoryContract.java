package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.ImageLineage;
import dev.gantry.core.rebuild.LineageHistory;
import dev.gantry.core.rebuild.LineageHistory.BaseVersion;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LineageHistory} must do. The in-memory fake and the DynamoDB adapter both extend this, so the fake
 * the lineage report and rebuild service tests rely on cannot drift from the real history. Sightings are recorded in
 * time order here, as the rebuild service records them with its clock.
 */
public abstract class LineageHistoryContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    protected static final String BASE_NAME = "golden-java21";
    protected static final String GOLDEN = "golden/java21";
    protected static final String RUNTIME = "runtime/java";

    /** A fresh, empty history for each test. */
    protected abstract LineageHistory history();

    protected static ImageDigest digest(String seed) {
        return new ImageDigest("sha256:" + "%064x".formatted(new BigInteger(1, seed.getBytes(StandardCharsets.UTF_8))));
    }

    protected static ImageLineage child(String repository, ImageDigest digest, ImageDigest baseDigest, Instant at) {
        return new ImageLineage(repository, digest, GOLDEN, baseDigest, ImageLineage.Source.LABELS, at);
    }

    @Test
    void keepsEveryFieldOfABaseVersionToTheNanosecond() {
        LineageHistory history = history();
        BaseVersion version = new BaseVersion("golden java21 # ünïcode", digest("golden-1"), Instant.parse("2026-11-23T10:00:00.123456789Z"));

        history.recordBaseVersion(version);

        assertThat(history.baseVersions("golden java21 # ünïcode")).containsExactly(version);
    }

    @Test
    void keepsEveryFieldOfAChildToTheNanosecond() {
        LineageHistory history = history();
        ImageLineage lineage = new ImageLineage(RUNTIME, digest("runtime-1"), "mirror/golden", digest("golden-1"),
                ImageLineage.Source.LABELS, Instant.parse("2026-11-23T10:00:00.000000001Z"));

        history.recordChild(lineage);

        assertThat(history.children(RUNTIME)).containsExactly(lineage);
    }

    @Test
    void listsNothingForABaseOrRepositoryNeverSeen() {
        LineageHistory history = history();

        assertThat(history.baseVersions(BASE_NAME)).isEmpty();
        assertThat(history.children(RUNTIME)).isEmpty();
    }

    @Test
    void listsABasesVersionsOldestFirstAndOnlyItsOwn() {
        LineageHistory history = history();
        // The digests sort against time order, so only the time can give this order.
        BaseVersion first = new BaseVersion(BASE_NAME, digest("z"), T0);
        BaseVersion second = new BaseVersion(BASE_NAME, digest("m"), T0.plusNanos(1));
        BaseVersion third = new BaseVersion(BASE_NAME, digest("a"), T0.plusSeconds(86_400));
        BaseVersion prefixOfAnother = new BaseVersion("golden", digest("b"), T0.plusSeconds(1));
        BaseVersion another = new BaseVersion(BASE_NAME + "-slim", digest("c"), T0.plusSeconds(2));

        List.of(first, prefixOfAnother, second, another, third).forEach(history::recordBaseVersion);

        assertThat(history.baseVersions(BASE_NAME)).containsExactly(first, second, third);
        assertThat(history.baseVersions("golden")).containsExactly(prefixOfAnother);
    }

    @Test
    void keepsTheFirstSightingOfABaseVersion() {
        LineageHistory history = history();
        BaseVersion first = new BaseVersion(BASE_NAME, digest("golden-1"), T0);
        BaseVersion next = new BaseVersion(BASE_NAME, digest("golden-2"), T0.plusSeconds(60));
        BaseVersion seenAgain = new BaseVersion(BASE_NAME, digest("golden-1"), T0.plusSeconds(120));

        List.of(first, next, seenAgain, first).forEach(history::recordBaseVersion);

        assertThat(history.baseVersions(BASE_NAME)).containsExactly(first, next);
    }

    @Test
    void listsARepositorysChildrenOldestFirstAndOnlyItsOwn() {
        LineageHistory history = history();
        ImageLineage first = child(RUNTIME, digest("z"), digest("golden-1"), T0);
        ImageLineage second = child(RUNTIME, digest("m"), digest("golden-2"), T0.plusNanos(1));
        ImageLineage third = child(RUNTIME, digest("a"), digest("golden-2"), T0.plusSeconds(3600));
        ImageLineage elsewhere = child(RUNTIME + "-slim", digest("b"), digest("golden-1"), T0.plusSeconds(1));

        List.of(first, elsewhere, second, third).forEach(history::recordChild);

        assertThat(history.children(RUNTIME)).containsExactly(first, second, third);
        assertThat(history.children(RUNTIME + "-slim")).containsExactly(elsewhere);
    }

    @Test
    void keepsTheFirstSightingOfAChild() {
        LineageHistory history = history();
        ImageDigest image = digest("runtime-1");
        ImageLineage first = child(RUNTIME, image, digest("golden-1"), T0);
        ImageLineage seenAgain = child(RUNTIME, image, digest("golden-2"), T0.plusSeconds(60));
        ImageLineage sameDigestElsewhere = child("mirror/runtime", image, digest("golden-2"), T0.plusSeconds(120));

        List.of(first, seenAgain, first, sameDigestElsewhere).forEach(history::recordChild);

        assertThat(history.children(RUNTIME)).containsExactly(first);
        assertThat(history.children("mirror/runtime")).containsExactly(sameDigestElsewhere);
    }

    @Test
    void keepsOneSightingWhenManyRecordTheSameVersionAndChildAtOnce() throws Exception {
        LineageHistory history = history();
        int writers = 8;
        ImageDigest base = digest("golden-1");
        ImageDigest image = digest("runtime-1");

        RevokedBasesContract.race(writers, i -> () -> {
            history.recordBaseVersion(new BaseVersion(BASE_NAME, base, T0.plusMillis(i)));
            history.recordChild(child(RUNTIME, image, base, T0.plusMillis(i)));
            return null;
        });

        List<BaseVersion> versions = history.baseVersions(BASE_NAME);
        List<ImageLineage> children = history.children(RUNTIME);
        assertThat(versions).hasSize(1);
        assertThat(versions.get(0).digest()).isEqualTo(base);
        assertThat(children).hasSize(1);
        assertThat(children.get(0).digest()).isEqualTo(image);
    }
}
