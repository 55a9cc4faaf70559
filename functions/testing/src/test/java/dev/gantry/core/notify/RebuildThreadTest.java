package dev.gantry.core.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.notify.ReleaseNews.RebuildChanged;
import dev.gantry.core.notify.ReleaseThread.Status;
import dev.gantry.core.rebuild.RebuildReport;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.rebuild.RevocationService;
import dev.gantry.testing.InMemoryBuildRunner;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryImageLabels;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryLineageHistory;
import dev.gantry.testing.InMemoryRebuildLedger;
import dev.gantry.testing.InMemoryRevokedBases;
import dev.gantry.testing.MutableClock;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A base digest's rebuild thread as the rebuild service's reports tell it, wave by wave: the reports become news as
 * the image-rebuild function makes them, and each news is folded into the thread it names, twice and in the order it
 * was told, as the notify queue may deliver it.
 */
class RebuildThreadTest {

    private static final String ACCOUNT = "111111111111";
    private static final String REGION = "eu-west-1";
    private static final String REGISTRY = ACCOUNT + ".dkr.ecr." + REGION + ".amazonaws.com";

    /**
     * golden/java21 -> runtime-java (runtime/java) -> payments-api-image; golden/java21 -> tools; golden/os -> fleet-01,
     * whose build takes the one slot first when a test needs the golden rebuilds to wait.
     */
    private static final GantryConfig CONFIG = ConfigLoader.parse("""
            version: 1
            rebuilds:
              maxConcurrentBuilds: 1
            baseImages:
              - name: golden-java21
                repository: golden/java21
                dependents:
                  - { name: runtime-java, codebuild: runtime-java-image, produces: runtime/java }
                  - { name: tools, codebuild: tools-image, produces: team/tools }
              - name: runtime-java
                repository: runtime/java
                dependents:
                  - { name: payments-api-image, codebuild: payments-api-image, produces: payments-api }
              - name: golden-os
                repository: golden/os
                tag: stable
                dependents:
                  - { name: fleet-01, codebuild: fleet-01, produces: fleet/app-01 }
            """, "gantry.yml");

    /**
     * golden/java -> runtime-java21 (runtime/java, pushed as java21) -> payments-api-image; golden/java -> jdk25
     * (golden/jdk25) -> runtime-java25 (runtime/java, pushed as java25) -> checkout-web-image. Which tag a dependent
     * pushes is not configured, so each runtime image may be the base of both applications.
     */
    private static final GantryConfig TWO_TAGS = ConfigLoader.parse("""
            version: 1
            rebuilds:
              maxConcurrentBuilds: 2
            baseImages:
              - name: golden-java
                repository: golden/java
                dependents:
                  - { name: runtime-java21, codebuild: runtime-java21-image, produces: runtime/java }
                  - { name: jdk25, codebuild: jdk25-image, produces: golden/jdk25 }
              - name: golden-jdk25
                repository: golden/jdk25
                dependents:
                  - { name: runtime-java25, codebuild: runtime-java25-image, produces: runtime/java }
              - name: runtime-java21
                repository: runtime/java
                tag: java21
                dependents:
                  - { name: payments-api-image, codebuild: payments-api-image, produces: payments-api }
              - name: runtime-java25
                repository: runtime/java
                tag: java25
                dependents:
                  - { name: checkout-web-image, codebuild: checkout-web-image, produces: checkout-web }
            """, "gantry.yml");

    /** golden/java -> runtime-java21 and runtime-java25, both pushing to runtime/java, under java21 and java25. */
    private static final GantryConfig SIBLING_PRODUCERS = ConfigLoader.parse("""
            version: 1
            rebuilds:
              maxConcurrentBuilds: 1
            baseImages:
              - name: golden-java
                repository: golden/java
                dependents:
                  - { name: runtime-java21, codebuild: runtime-java21-image, produces: runtime/java }
                  - { name: runtime-java25, codebuild: runtime-java25-image, produces: runtime/java }
              - name: runtime-java21
                repository: runtime/java
                tag: java21
                dependents:
                  - { name: payments-api-image, codebuild: payments-api-image, produces: payments-api }
              - name: runtime-java25
                repository: runtime/java
                tag: java25
                dependents:
                  - { name: checkout-web-image, codebuild: checkout-web-image, produces: checkout-web }
              - name: golden-os
                repository: golden/os
                tag: stable
                dependents:
                  - { name: fleet-01, codebuild: fleet-01, produces: fleet/app-01 }
            """, "gantry.yml");

    private static final ImageDigest GOLDEN = digest("golden-2");
    private static final ImageDigest NEWER_GOLDEN = digest("golden-3");
    private static final ImageDigest RUNTIME = digest("runtime-2");
    private static final ImageDigest RUNTIME_ON_NEWER = digest("runtime-3");
    private static final ImageDigest OS = digest("os-2");

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryRebuildLedger ledger = new InMemoryRebuildLedger();
    private final InMemoryBuildRunner builds = new InMemoryBuildRunner(clock);
    private final InMemoryImageLabels labels = new InMemoryImageLabels();
    private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    private final InMemoryRevokedBases revoked = new InMemoryRevokedBases();
    private final InMemoryDeployControls controls = new InMemoryDeployControls();
    private final RebuildService rebuilds = new RebuildService(CONFIG, ledger, builds, labels, registry, ACCOUNT, REGION, clock,
            revoked, controls, new InMemoryLineageHistory());
    private final RevocationService revocation = new RevocationService(CONFIG, ledger, revoked, controls, new InMemoryEcsGateway(),
            rebuilds, clock);
    private final Map<ThreadKey, ReleaseThread> threads = new LinkedHashMap<>();
    private final List<RebuildChanged> told = new ArrayList<>();

    @Test
    void endsTheThreadOfABaseDigestWhoseFirstWaveANewerDigestSupersededAndCountsTheImagesBelowAsNotRebuilt() {
        tell(rebuilds.onImagePush(push("golden/os", "stable", OS)));
        tell(rebuilds.onImagePush(push("golden/java21", "latest", GOLDEN)));
        clock.advance(Duration.ofMinutes(1));

        tell(rebuilds.onImagePush(push("golden/java21", "latest", NEWER_GOLDEN)));

        ReleaseThread older = thread(GOLDEN);
        assertThat(older.rebuilds().dependents()).extracting(ReleaseThread.DependentStatus::status).containsExactly("SUPERSEDED", "SUPERSEDED");
        assertThat(older.status()).isEqualTo(Status.STOPPED);
        assertThat(older.headline().text()).endsWith(": Nothing rebuilt; 2 superseded by a newer digest of the base,"
                + " 1 not rebuilt: their base image's rebuild was superseded");
        assertThat(sections(older.headline())).contains("3 images · wave 1 of 2 · 0 started · 0 pending · 0 succeeded · 0 failed"
                + " · 2 superseded · 1 not rebuilt");
        assertThat(replayedTwiceAndOutOfOrder(GOLDEN).headline()).isEqualTo(older.headline());
    }

    @Test
    void endsTheNewerDigestsThreadWithEveryImageRebuiltWhenItsSecondWaveCompletes() {
        tell(rebuilds.onImagePush(push("golden/os", "stable", OS)));
        tell(rebuilds.onImagePush(push("golden/java21", "latest", GOLDEN)));
        clock.advance(Duration.ofMinutes(1));
        tell(rebuilds.onImagePush(push("golden/java21", "latest", NEWER_GOLDEN)));

        finish("fleet-01:1");
        built("runtime-java-image:1", RUNTIME_ON_NEWER, NEWER_GOLDEN);
        assertThat(thread(NEWER_GOLDEN).status()).isEqualTo(Status.IN_PROGRESS);
        finish("tools-image:1");
        finish("payments-api-image:1");

        ReleaseThread newer = thread(NEWER_GOLDEN);
        assertThat(newer.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(newer.headline().text()).endsWith(": Rebuilt 3 images");
        assertThat(sections(newer.headline())).contains("3 images · wave 2 of 2 · 0 started · 0 pending · 3 succeeded · 0 failed");
        assertThat(replayedTwiceAndOutOfOrder(NEWER_GOLDEN).headline()).isEqualTo(newer.headline());
        assertThat(thread(GOLDEN).status()).isEqualTo(Status.STOPPED);
    }

    @Test
    void endsTheThreadOfABaseDigestWhoseStartedRebuildsImageANewerDigestReplacedBeforeItWasPushed() {
        tell(rebuilds.onImagePush(push("golden/java21", "latest", GOLDEN)));
        clock.advance(Duration.ofMinutes(1));
        tell(rebuilds.onImagePush(push("golden/java21", "latest", NEWER_GOLDEN)));

        built("runtime-java-image:1", RUNTIME, GOLDEN);

        ReleaseThread older = thread(GOLDEN);
        assertThat(older.rebuilds().dependents()).extracting(ReleaseThread.DependentStatus::status).containsExactly("SUCCEEDED", "SUPERSEDED");
        assertThat(older.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(older.headline().text()).endsWith(": Rebuilt 1 of 3 images; 1 superseded by a newer digest of the base,"
                + " 1 not rebuilt: their base image is rebuilt on a newer digest of its base");
        assertThat(replayedTwiceAndOutOfOrder(GOLDEN).headline()).isEqualTo(older.headline());
        assertThat(thread(NEWER_GOLDEN).status()).isEqualTo(Status.IN_PROGRESS);
    }

    @Test
    void endsTheThreadOfARevokedBaseDigestWithTheBlockedRebuildAndTheImagesBelowTheRevokedImage() {
        tell(rebuilds.onImagePush(push("golden/java21", "latest", GOLDEN)));
        registry.givenTag(REGISTRY + "/golden/java21:latest", GOLDEN);
        revocation.revoke("golden/java21", GOLDEN.value(), "U012ALICE", "CVE-2026-1234").rebuilds().forEach(this::tell);

        built("runtime-java-image:1", RUNTIME, GOLDEN);

        ReleaseThread revokedDigest = thread(GOLDEN);
        assertThat(builds.starts()).extracting(start -> start.target().name()).containsExactly("runtime-java-image");
        assertThat(revokedDigest.rebuilds().dependents()).extracting(ReleaseThread.DependentStatus::status).containsExactly("SUCCEEDED", "BLOCKED");
        assertThat(revokedDigest.headline().text()).endsWith(": Rebuilt 1 of 3 images; 1 blocked,"
                + " 1 not rebuilt: their base image was built on a revoked base");
        assertThat(revokedDigest.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(replayedTwiceAndOutOfOrder(GOLDEN).headline()).isEqualTo(revokedDigest.headline());
    }

    @Test
    void keepsTheThreadGoingWhileTheParentOfTheNextWaveIsBuilt() {
        tell(rebuilds.onImagePush(push("golden/java21", "latest", GOLDEN)));
        finish("runtime-java-image:1");
        finish("tools-image:1");

        assertThat(thread(GOLDEN).status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(thread(GOLDEN).headline().text()).endsWith(": Rebuilding: wave 1 of 2");
    }

    @Test
    void keepsTheThreadOpenWhileAnotherProducerOfTheSupersededRebuildsRepositoryStillPushes() {
        RebuildService twoTags = new RebuildService(TWO_TAGS, ledger, builds, labels, registry, ACCOUNT, REGION, clock);
        ThreadKey golden = ThreadKey.rebuild("golden/java", GOLDEN);
        tell(twoTags.onImagePush(push("golden/java", "latest", GOLDEN)));
        labels.givenBuiltOn("golden/jdk25", digest("jdk25-2").value(), REGISTRY + "/golden/java@" + GOLDEN, GOLDEN.value());
        tell(twoTags.onImagePush(push("golden/jdk25", "latest", digest("jdk25-2"))));
        // jdk25's image is replaced before the runtime built on it could start: that rebuild is superseded
        tell(twoTags.onImagePush(push("golden/jdk25", "latest", digest("jdk25-3"))));
        builds.finish("jdk25-image:1");
        tell(twoTags.onBuildFinished("jdk25-image:1", true, null));

        // runtime-java21's build ends before its push is handled: its push may still rebuild both applications
        builds.finish("runtime-java21-image:1");
        tell(twoTags.onBuildFinished("runtime-java21-image:1", true, null));

        assertThat(threads.get(golden).rebuilds().dependents()).extracting(ReleaseThread.DependentStatus::status)
                .containsExactly("SUCCEEDED", "SUCCEEDED", "SUPERSEDED");
        assertThat(threads.get(golden).status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(threads.get(golden).headline().text()).endsWith(": Rebuilding: wave 2 of 3");

        labels.givenBuiltOn("runtime/java", RUNTIME.value(), REGISTRY + "/golden/java@" + GOLDEN, GOLDEN.value());
        tell(twoTags.onImagePush(push("runtime/java", "java21", RUNTIME)));
        builds.finish("payments-api-image:1");
        tell(twoTags.onBuildFinished("payments-api-image:1", true, null));

        // checkout-web-image was lost with runtime-java25, but java21's push could have rebuilt it: it is never counted
        assertThat(threads.get(golden).status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(sections(threads.get(golden).headline())).contains("5 images · wave 2 of 3 · 0 started · 0 pending · 3 succeeded"
                + " · 0 failed · 1 superseded");
    }

    @Test
    void countsTheImagesBelowTwoSupersededProducersOfOneRepositoryOnce() {
        RebuildService siblings = new RebuildService(SIBLING_PRODUCERS, ledger, builds, labels, registry, ACCOUNT, REGION, clock);
        tell(siblings.onImagePush(push("golden/os", "stable", OS)));
        tell(siblings.onImagePush(push("golden/java", "latest", GOLDEN)));
        clock.advance(Duration.ofMinutes(1));

        tell(siblings.onImagePush(push("golden/java", "latest", NEWER_GOLDEN)));

        ReleaseThread older = threads.get(ThreadKey.rebuild("golden/java", GOLDEN));
        assertThat(older.status()).isEqualTo(Status.STOPPED);
        assertThat(older.headline().text()).endsWith(": Nothing rebuilt; 2 superseded by a newer digest of the base,"
                + " 2 not rebuilt: their base image's rebuild was superseded");
    }

    /** Tells the report's news, and that of each other run it touched, as the image-rebuild function does. */
    private void tell(RebuildReport report) {
        for (RebuildReport ofRun : Stream.concat(Stream.of(report), report.otherRuns().stream()).toList()) {
            RebuildChanged.of(ofRun, clock.instant()).ifPresent(news -> {
                told.add(news);
                threads.merge(news.thread(), ReleaseThread.open(news.thread(), null).apply(news), (thread, ignored) -> thread.apply(news));
            });
        }
        clock.advance(Duration.ofSeconds(1));
    }

    private ReleaseThread thread(ImageDigest golden) {
        return threads.get(ThreadKey.rebuild("golden/java21", golden));
    }

    /** The same thread folded from every piece of its news twice, newest first. */
    private ReleaseThread replayedTwiceAndOutOfOrder(ImageDigest golden) {
        ThreadKey key = ThreadKey.rebuild("golden/java21", golden);
        ReleaseThread thread = ReleaseThread.open(key, null);
        for (RebuildChanged news : told.reversed()) {
            if (news.thread().equals(key)) {
                thread = thread.apply(news).apply(news);
            }
        }
        return thread;
    }

    private void finish(String buildId) {
        builds.finish(buildId);
        tell(rebuilds.onBuildFinished(buildId, true, null));
    }

    /** The runtime image's build pushes {@code image}, labelled as built on golden {@code builtOn}, and then ends. */
    private void built(String buildId, ImageDigest image, ImageDigest builtOn) {
        labels.givenBuiltOn("runtime/java", image.value(), REGISTRY + "/golden/java21@" + builtOn, builtOn.value());
        builds.finish(buildId);
        tell(rebuilds.onImagePush(push("runtime/java", "latest", image)));
        tell(rebuilds.onBuildFinished(buildId, true, null));
    }

    private static ImagePush push(String repository, String tag, ImageDigest digest) {
        return new ImagePush("event-1", ACCOUNT, REGION, repository, tag, digest.value(), "PUSH", "SUCCESS",
                Instant.parse("2026-11-23T09:59:00Z"));
    }

    private static List<String> sections(ChatMessage message) {
        return message.blocks().stream().filter(ChatMessage.Section.class::isInstance).map(b -> ((ChatMessage.Section) b).markdown()).toList();
    }

    private static ImageDigest digest(String seed) {
        return new ImageDigest("sha256:" + "%064x".formatted(new BigInteger(1, seed.getBytes(StandardCharsets.UTF_8))));
    }
}
