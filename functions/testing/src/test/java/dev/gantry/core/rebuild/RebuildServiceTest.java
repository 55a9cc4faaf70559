package dev.gantry.core.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.rebuild.BuildRunner.BuildTarget;
import dev.gantry.core.rebuild.RebuildOutcome.Action;
import dev.gantry.core.rebuild.RebuildReport.Result;
import dev.gantry.testing.InMemoryBuildRunner;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryImageLabels;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryRebuildLedger;
import dev.gantry.testing.InMemoryRevokedBases;
import dev.gantry.testing.MutableClock;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RebuildServiceTest {

    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String PIPELINE_ARN = "arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden-java21";
    private static final int FLEET_SIZE = 12;
    private static final int MAX_BUILDS = 3;

    /** golden/java21 -> runtime-java (runtime/java) -> payments-api-image, checkout-web-image; golden/os -> 12 fleet images. */
    private static final GantryConfig CONFIG = ConfigLoader.parse("""
            version: 1
            rebuilds:
              maxConcurrentBuilds: %d
            baseImages:
              - name: golden-java21
                repository: golden/java21
                imageBuilderPipelines:
                  - %s
                dependents:
                  - name: runtime-java
                    codebuild: runtime-java-image
                    produces: runtime/java
              - name: runtime-java
                repository: runtime/java
                dependents:
                  - name: payments-api-image
                    codebuild: payments-api-image
                    produces: payments-api
                  - name: checkout-web-image
                    pipeline: checkout-web-release
                    produces: checkout-web
              - name: golden-os
                repository: golden/os
                tag: stable
                schedule:
                  cron: "0 3 * * MON"
                dependents:
            %s
            """.formatted(MAX_BUILDS, PIPELINE_ARN, IntStream.rangeClosed(1, FLEET_SIZE)
                    .mapToObj(i -> "          - name: fleet-%02d\n            codebuild: fleet-%02d\n            produces: fleet/app-%02d"
                            .formatted(i, i, i))
                    .reduce((a, b) -> a + "\n" + b).orElseThrow()), "gantry.yml");

    /** The same images with one build slot, so that the fleet's build keeps the golden rebuilds waiting. */
    private static final String CONFIG_ONE_SLOT = """
            version: 1
            rebuilds:
              maxConcurrentBuilds: 1
            baseImages:
              - name: golden-os
                repository: golden/os
                tag: stable
                dependents:
                  - { name: fleet-01, codebuild: fleet-01, produces: fleet/app-01 }
              - name: golden-java21
                repository: golden/java21
                dependents:
                  - { name: runtime-java, codebuild: runtime-java-image, produces: runtime/java }
              - name: runtime-java
                repository: runtime/java
                dependents:
                  - { name: payments-api-image, codebuild: payments-api-image, produces: payments-api }
                  - { name: checkout-web-image, pipeline: checkout-web-release, produces: checkout-web }
            """;

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryRebuildLedger ledger = new InMemoryRebuildLedger();
    private final InMemoryBuildRunner builds = new InMemoryBuildRunner(clock);
    private final InMemoryImageLabels labels = new InMemoryImageLabels();
    private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    private final RebuildService service = new RebuildService(CONFIG, ledger, builds, labels, registry, "111111111111", "eu-west-1", clock);

    private static final ImageDigest GOLDEN = digest("golden-2");
    private static final ImageDigest RUNTIME = digest("runtime-2");
    private static final ImageDigest OS = digest("os-2");

    @Test
    void startsEachDirectDependentWithTheNewBaseAsBuildVariables() {
        RebuildReport report = service.onImagePush(push("golden/java21", "latest", GOLDEN));

        assertThat(builds.starts()).singleElement().satisfies(start -> {
            assertThat(start.target()).isEqualTo(new BuildTarget(BuildTarget.Kind.CODEBUILD, "runtime-java-image"));
            assertThat(start.variables()).isEqualTo(Map.of(
                    "BASE_IMAGE", REGISTRY + "/golden/java21@" + GOLDEN,
                    "BASE_DIGEST", GOLDEN.value()));
            assertThat(start.idempotencyToken()).matches("[0-9a-f]{64}");
        });
        assertThat(report.result()).isEqualTo(Result.REBUILDING);
        assertThat(report.summary()).isEqualTo("golden/java21 sha256:" + GOLDEN.shortForm() + " -> rebuilding 3 images, wave 1 of 2");
        assertThat(report.lines()).containsExactly(report.summary(),
                "runtime-java (codebuild runtime-java-image): started runtime-java-image:1");
        assertThat(ledger.all()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RebuildStatus.STARTED);
            assertThat(r.buildId()).isEqualTo("runtime-java-image:1");
            assertThat(r.attempts()).isEqualTo(1);
        });
    }

    @Test
    void givesTheParentOfTheNextWaveOneOfTheFirstSlotsWhateverItsName() {
        // zz-runtime sorts after every sibling but produces another base's repository: waves below wait on it.
        GantryConfig crowded = ConfigLoader.parse("""
                version: 1
                rebuilds:
                  maxConcurrentBuilds: 1
                baseImages:
                  - name: golden-java21
                    repository: golden/java21
                    dependents:
                      - { name: aa-app, codebuild: aa-app, produces: team/aa-app }
                      - { name: bb-app, codebuild: bb-app, produces: team/bb-app }
                      - { name: zz-runtime, codebuild: zz-runtime, produces: runtime/java }
                  - name: runtime-java
                    repository: runtime/java
                    dependents:
                      - { name: cc-app, codebuild: cc-app, produces: team/cc-app }
                """, "gantry.yml");
        RebuildService crowdedService = new RebuildService(crowded, ledger, builds, labels, registry, "111111111111", "eu-west-1", clock);

        crowdedService.onImagePush(push("golden/java21", "latest", GOLDEN));

        assertThat(builds.starts()).extracting(start -> start.target().name()).containsExactly("zz-runtime");
    }

    @Test
    void rebuildsOncePerBaseDigestWhateverTheDuplicates() {
        service.onImagePush(push("golden/java21", "latest", GOLDEN));

        RebuildReport again = service.onImagePush(push("golden/java21", "latest", GOLDEN));

        assertThat(builds.starts()).hasSize(1);
        assertThat(again.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.action()).isEqualTo(Action.ALREADY_PLANNED);
            assertThat(o.line()).isEqualTo("runtime-java (codebuild runtime-java-image): already started for this base digest");
        });
    }

    @Test
    void startsOneBuildWhenTheSamePushArrivesManyTimesAtOnce() throws Exception {
        int deliveries = 8;
        ExecutorService pool = Executors.newFixedThreadPool(deliveries);
        try {
            CyclicBarrier together = new CyclicBarrier(deliveries);
            List<Future<RebuildReport>> reports = new ArrayList<>();
            for (int i = 0; i < deliveries; i++) {
                reports.add(pool.submit(() -> {
                    together.await(10, TimeUnit.SECONDS);
                    return service.onImagePush(push("golden/os", "stable", OS));
                }));
            }
            for (Future<RebuildReport> report : reports) {
                report.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(ledger.all()).hasSize(FLEET_SIZE);
        assertThat(builds.starts()).hasSize(MAX_BUILDS);
        assertThat(builds.peakRunning()).isEqualTo(MAX_BUILDS);
        assertThat(ledger.inFlightCount()).isEqualTo(MAX_BUILDS);
    }

    @Test
    void neverRunsMoreThanTheLimitAndStartsTheRestAsBuildsFinish() {
        RebuildReport first = service.onImagePush(push("golden/os", "stable", OS));

        assertThat(first.outcomes()).hasSize(FLEET_SIZE);
        assertThat(first.outcomes()).filteredOn(o -> o.action() == Action.STARTED).hasSize(MAX_BUILDS);
        assertThat(first.outcomes()).filteredOn(o -> o.action() == Action.QUEUED).hasSize(FLEET_SIZE - MAX_BUILDS)
                .allSatisfy(o -> assertThat(o.detail()).isEqualTo("queued: all 3 build slots are in use; it starts when a build finishes"));
        int finished = 0;
        while (!builds.running().isEmpty()) {
            String buildId = builds.running().get(0);
            builds.finish(buildId);
            service.onBuildFinished(buildId, true, null);
            finished++;
            assertThat(ledger.inFlightCount()).isLessThanOrEqualTo(MAX_BUILDS);
        }

        assertThat(finished).isEqualTo(FLEET_SIZE);
        assertThat(builds.peakRunning()).isEqualTo(MAX_BUILDS);
        assertThat(builds.starts()).extracting(s -> s.target().name()).doesNotHaveDuplicates().hasSize(FLEET_SIZE);
        assertThat(ledger.all()).allSatisfy(r -> assertThat(r.status()).isEqualTo(RebuildStatus.SUCCEEDED));
    }

    @Test
    void freesTheSlotOfAFinishedBuildForTheOldestPendingRebuild() {
        service.onImagePush(push("golden/os", "stable", OS));
        builds.finish("fleet-02:1");

        RebuildReport report = service.onBuildFinished("fleet-02:1", false, "exit status 2 in phase BUILD");

        assertThat(report.outcomes()).extracting(RebuildOutcome::line).containsExactly(
                "fleet-02 (codebuild fleet-02): the build failed: exit status 2 in phase BUILD",
                "fleet-04 (codebuild fleet-04): started fleet-04:1");
        assertThat(ledger.find(key("fleet-02", OS)).orElseThrow().status()).isEqualTo(RebuildStatus.FAILED);
        assertThat(builds.running()).containsExactly("fleet-01:1", "fleet-03:1", "fleet-04:1");
    }

    @Test
    void recordsARepeatedBuildEndOnce() {
        service.onImagePush(push("golden/os", "stable", OS));
        builds.finish("fleet-01:1");
        service.onBuildFinished("fleet-01:1", true, null);

        RebuildReport repeated = service.onBuildFinished("fleet-01:1", true, null);

        assertThat(repeated.outcomes()).singleElement().satisfies(o -> assertThat(o.detail()).isEqualTo("already SUCCEEDED"));
        assertThat(builds.starts()).hasSize(MAX_BUILDS + 1);
    }

    @Test
    void keepsARebuildPendingWhenTheAccountIsOutOfBuildCapacity() {
        builds.givenAccountLimit(1);

        RebuildReport report = service.onImagePush(push("golden/os", "stable", OS));

        assertThat(builds.starts()).extracting(InMemoryBuildRunner.Start::buildId).containsExactly("fleet-01:1");
        assertThat(report.outcomes().get(1)).satisfies(o -> {
            assertThat(o.action()).isEqualTo(Action.DEFERRED);
            assertThat(o.status()).isEqualTo(RebuildStatus.PENDING);
            assertThat(o.detail()).startsWith("deferred: the account runs as many builds as it may");
        });
        assertThat(report.outcomes().subList(2, FLEET_SIZE)).allSatisfy(o -> assertThat(o.action()).isEqualTo(Action.QUEUED));
        assertThat(ledger.inFlightCount()).isEqualTo(1);

        builds.finish("fleet-01:1");
        service.onBuildFinished("fleet-01:1", true, null);

        assertThat(builds.running()).containsExactly("fleet-02:1");
        assertThat(ledger.find(key("fleet-02", OS)).orElseThrow().attempts()).isEqualTo(2);
    }

    @Test
    void failsADependentWhoseProjectDoesNotExistAndStartsTheOthers() {
        builds.givenMissingTarget("fleet-02");

        RebuildReport report = service.onImagePush(push("golden/os", "stable", OS));

        assertThat(report.outcomes().get(1).line()).isEqualTo("fleet-02 (codebuild fleet-02): CodeBuild project 'fleet-02' does not "
                + "exist: fix dependent 'fleet-02' in gantry.yml, then rebuild it manually");
        assertThat(ledger.find(key("fleet-02", OS)).orElseThrow().status()).isEqualTo(RebuildStatus.FAILED);
        assertThat(builds.running()).containsExactly("fleet-01:1", "fleet-03:1", "fleet-04:1");
    }

    @Test
    void triesAStartThatFailedOtherwiseAgainAtTheNextSweep() {
        builds.givenFailures(1);

        RebuildReport report = service.onImagePush(push("golden/java21", "latest", GOLDEN));

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.action()).isEqualTo(Action.DEFERRED);
            assertThat(o.detail()).isEqualTo("start attempt 1 failed, tried again later: the build service answered 500");
        });
        RebuildReport sweep = service.resume();
        assertThat(sweep.outcomes()).extracting(RebuildOutcome::action).containsExactly(Action.STARTED);
        assertThat(builds.running()).containsExactly("runtime-java-image:1");
    }

    @Test
    void givesARebuildUpAfterFiveFailedStarts() {
        builds.givenFailures(5);
        service.onImagePush(push("golden/java21", "latest", GOLDEN));
        for (int i = 0; i < 4; i++) {
            service.resume();
        }

        Rebuild rebuild = ledger.find(key("runtime-java", GOLDEN)).orElseThrow();
        assertThat(rebuild.status()).isEqualTo(RebuildStatus.FAILED);
        assertThat(rebuild.reason()).startsWith("gave up after 5 attempts to start it: ");
        assertThat(service.resume().outcomes()).isEmpty();
    }

    @Test
    void continuesTheCascadeWhenTheRebuiltParentIsPushed() {
        service.onImagePush(push("golden/java21", "latest", GOLDEN));
        labels.givenBuiltOn("runtime/java", RUNTIME.value(), REGISTRY + "/golden/java21@" + GOLDEN, GOLDEN.value());

        RebuildReport report = service.onImagePush(push("runtime/java", "latest", RUNTIME));

        assertThat(report.summary()).isEqualTo("golden/java21 sha256:" + GOLDEN.shortForm() + " -> rebuilding 3 images, wave 2 of 2"
                + " (runtime/java sha256:" + RUNTIME.shortForm() + ")");
        assertThat(report.outcomes()).extracting(RebuildOutcome::line).containsExactly(
                "payments-api-image (codebuild payments-api-image): started payments-api-image:1",
                "checkout-web-image (pipeline checkout-web-release): started checkout-web-release:1");
        assertThat(builds.starts()).filteredOn(s -> s.target().name().equals("checkout-web-release")).singleElement()
                .satisfies(s -> assertThat(s.variables()).containsEntry("BASE_IMAGE", REGISTRY + "/runtime/java@" + RUNTIME));
        assertThat(ledger.lineage("runtime/java", RUNTIME)).hasValueSatisfying(l -> {
            assertThat(l.baseRepository()).isEqualTo("golden/java21");
            assertThat(l.baseDigest()).isEqualTo(GOLDEN);
        });
        assertThat(ledger.find(key("payments-api-image", RUNTIME)).orElseThrow().root())
                .isEqualTo(new RunKey("golden/java21", GOLDEN, RebuildKey.ON_NEW_BASE));
    }

    @Test
    void startsTheNextWaveAsItsOwnRunWhenTheParentCarriesNoLabels() {
        RebuildReport report = service.onImagePush(push("runtime/java", "latest", RUNTIME));

        assertThat(report.summary()).isEqualTo("runtime/java sha256:" + RUNTIME.shortForm() + " -> rebuilding 2 images, wave 1 of 1");
        assertThat(ledger.lineage("runtime/java", RUNTIME)).isEmpty();
    }

    @Test
    void recordsTheLineageOfAChildPushedUnderAnotherTagWithoutRebuilding() {
        labels.givenBuiltOn("payments-api", digest("app-1").value(), "runtime/java", RUNTIME.value());

        RebuildReport report = service.onImagePush(push("payments-api", "1.4.0", digest("app-1")));

        assertThat(report.result()).isEqualTo(Result.IGNORED);
        assertThat(report.note()).isEqualTo("payments-api is no base image's repository");
        assertThat(ledger.builtOn("runtime/java", RUNTIME)).extracting(ImageLineage::repository).containsExactly("payments-api");
        assertThat(builds.starts()).isEmpty();
    }

    @Test
    void rebuildsAPushWhoseLabelsCannotBeRead() {
        labels.givenUnreadable("runtime/java", RUNTIME.value());

        RebuildReport report = service.onImagePush(push("runtime/java", "latest", RUNTIME));

        assertThat(report.outcomes()).hasSize(2);
        assertThat(builds.starts()).hasSize(2);
    }

    @Test
    void ignoresWhatIsNoNewBase() {
        assertThat(service.onImagePush(push("golden/java21", "1.0", GOLDEN)).note())
                .isEqualTo("tag '1.0' is not the tag of base image golden-java21 ('latest')");
        assertThat(service.onImagePush(new ImagePush("e", "111111111111", "eu-west-1", "golden/java21", "latest", GOLDEN.value(),
                "DELETE", "SUCCESS", Instant.EPOCH)).note()).isEqualTo("not a successful push (DELETE SUCCESS)");
        assertThat(service.onImagePush(push("golden/java21", null, GOLDEN)).note())
                .isEqualTo("an untagged push is no base image's new version");
        assertThat(service.onBuildFinished("someone-elses:1", true, null).result()).isEqualTo(Result.IGNORED);
        assertThat(builds.starts()).isEmpty();
        assertThat(ledger.all()).isEmpty();
    }

    @Test
    void treatsAnAvailableImageBuilderImageAsTheSameNewBaseAsItsPush() {
        RebuildReport available = service.onImageBuilderImage(new ImageBuilderImage(PIPELINE_ARN,
                "arn:aws:imagebuilder:eu-west-1:111111111111:image/golden-java21/1.0.0/4", "AVAILABLE", null,
                List.of(REGISTRY + "/golden/java21@" + GOLDEN.value())));
        RebuildReport pushed = service.onImagePush(push("golden/java21", "latest", GOLDEN));

        assertThat(available.outcomes()).extracting(RebuildOutcome::action).containsExactly(Action.STARTED);
        assertThat(pushed.outcomes()).extracting(RebuildOutcome::action).containsExactly(Action.ALREADY_PLANNED);
        assertThat(builds.starts()).hasSize(1);
    }

    @Test
    void readsTheDistributedTagOfTheBaseRepositoryRatherThanTheBaseTag() {
        ImageDigest older = digest("golden-1");
        registry.givenTag(REGISTRY + "/golden/java21:latest", older);
        registry.givenTag(REGISTRY + "/golden/java21:1.0.0-5", GOLDEN);

        service.onImageBuilderImage(new ImageBuilderImage(PIPELINE_ARN, "arn:aws:imagebuilder:eu-west-1:111111111111:image/golden-java21/1.0.0/5",
                "AVAILABLE", null, List.of(REGISTRY + "/mirror/java21:1.0.0-5", REGISTRY + "/golden/java21:1.0.0-5")));

        assertThat(builds.starts()).singleElement()
                .satisfies(s -> assertThat(s.variables()).containsEntry("BASE_DIGEST", GOLDEN.value()));
    }

    @Test
    void readsTheBaseTagWhenAnAvailableImageNamesNoContainerImage() {
        registry.givenTag(REGISTRY + "/golden/java21:latest", GOLDEN);

        service.onImageBuilderImage(new ImageBuilderImage(PIPELINE_ARN, "arn:aws:imagebuilder:eu-west-1:111111111111:image/golden-java21/1.0.0/5",
                "AVAILABLE", null, List.of()));

        assertThat(builds.starts()).singleElement()
                .satisfies(s -> assertThat(s.variables()).containsEntry("BASE_DIGEST", GOLDEN.value()));
    }

    @Test
    void reportsADistributedImageThatIsGoneAndRebuildsNothing() {
        RebuildReport gone = service.onImageBuilderImage(new ImageBuilderImage(PIPELINE_ARN,
                "arn:aws:imagebuilder:eu-west-1:111111111111:image/golden-java21/1.0.0/8", "AVAILABLE", null,
                List.of(REGISTRY + "/golden/java21:1.0.0-8")));

        assertThat(gone.result()).isEqualTo(Result.IGNORED);
        assertThat(gone.note()).startsWith("the distributed image " + REGISTRY + "/golden/java21:1.0.0-8 cannot be read: ");
        assertThat(builds.starts()).isEmpty();
    }

    @Test
    void reportsAFailedImageBuilderImageAndRebuildsNothing() {
        RebuildReport failed = service.onImageBuilderImage(new ImageBuilderImage(PIPELINE_ARN,
                "arn:aws:imagebuilder:eu-west-1:111111111111:image/golden-java21/1.0.0/6", "FAILED", "component apt-upgrade failed", null));
        RebuildReport building = service.onImageBuilderImage(new ImageBuilderImage(PIPELINE_ARN,
                "arn:aws:imagebuilder:eu-west-1:111111111111:image/golden-java21/1.0.0/7", "BUILDING", null, null));
        RebuildReport elsewhere = service.onImageBuilderImage(new ImageBuilderImage(
                "arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/other", "arn:x", "AVAILABLE", null,
                List.of(REGISTRY + "/golden/java21@" + GOLDEN.value())));
        RebuildReport noPipeline = service.onImageBuilderImage(new ImageBuilderImage(null, "arn:y", "AVAILABLE", null, null));

        assertThat(failed.result()).isEqualTo(Result.BASE_FAILED);
        assertThat(failed.summary()).isEqualTo("base image golden-java21 failed to build in EC2 Image Builder "
                + "(component apt-upgrade failed): nothing is rebuilt");
        assertThat(building.summary()).isEqualTo("nothing to rebuild: the image is BUILDING; only AVAILABLE images are new bases");
        assertThat(elsewhere.result()).isEqualTo(Result.IGNORED);
        assertThat(noPipeline.note()).isEqualTo("the image was built outside an image pipeline, so it is no configured base image");
        assertThat(builds.starts()).isEmpty();
    }

    @Test
    void rebuildsOnTheCurrentDigestOncePerScheduledFiring() {
        registry.givenTag(REGISTRY + "/golden/java21:latest", GOLDEN);
        service.onImagePush(push("golden/java21", "latest", GOLDEN));
        Instant monday = Instant.parse("2026-11-23T03:00:00Z");

        RebuildReport scheduled = service.onScheduledRebuild("golden-java21", monday);
        RebuildReport redelivered = service.onScheduledRebuild("golden-java21", monday);
        RebuildReport nextWeek = service.onScheduledRebuild("golden-java21", monday.plus(Duration.ofDays(7)));

        assertThat(scheduled.outcomes()).extracting(RebuildOutcome::action).containsExactly(Action.STARTED);
        assertThat(redelivered.outcomes()).extracting(RebuildOutcome::action).containsExactly(Action.ALREADY_PLANNED);
        assertThat(nextWeek.outcomes()).extracting(RebuildOutcome::action).containsExactly(Action.STARTED);
        assertThat(builds.starts()).extracting(InMemoryBuildRunner.Start::idempotencyToken).doesNotHaveDuplicates().hasSize(3);
        assertThat(ledger.find(key("runtime-java", GOLDEN, "schedule@2026-11-23T03:00:00Z")).orElseThrow().trigger())
                .isEqualTo("schedule of golden-java21 at 2026-11-23T03:00:00Z");
    }

    @Test
    void rebuildsManuallyOncePerRequestAndSaysWhoAskedAndWhy() {
        registry.givenTag(REGISTRY + "/golden/java21:latest", GOLDEN);

        service.rebuildManually("golden-java21", "U012ALICE", "CVE-2026-1234", "req-1");
        RebuildReport retried = service.rebuildManually("golden-java21", "U012ALICE", "CVE-2026-1234", "req-1");

        assertThat(retried.outcomes()).extracting(RebuildOutcome::action).containsExactly(Action.ALREADY_PLANNED);
        assertThat(builds.starts()).hasSize(1);
        assertThat(ledger.find(key("runtime-java", GOLDEN, "manual@req-1")).orElseThrow().trigger())
                .isEqualTo("manual by U012ALICE: CVE-2026-1234");
        assertThat(service.rebuildManually("golden-java99", "U012ALICE", null, "req-2").note())
                .isEqualTo("no base image named 'golden-java99'");
    }

    @Test
    void ignoresAScheduledRebuildOfABaseWithoutItsTaggedImage() {
        RebuildReport report = service.onScheduledRebuild("golden-os", Instant.parse("2026-11-23T03:00:00Z"));

        assertThat(report.result()).isEqualTo(Result.IGNORED);
        assertThat(report.note()).startsWith("no image " + REGISTRY + "/golden/os:stable to rebuild on");
        assertThat(builds.starts()).isEmpty();
    }

    @Test
    void takesOverAStartWhoseInvocationDiedAfterTakingTheSlot() {
        Rebuild pending = Rebuild.pending(key("runtime-java", GOLDEN), "golden/java21", REGISTRY + "/golden/java21@" + GOLDEN,
                new BuildTarget(BuildTarget.Kind.CODEBUILD, "runtime-java-image"), "runtime/java",
                new RunKey("golden/java21", GOLDEN, RebuildKey.ON_NEW_BASE), 1, "ECR push golden/java21:latest", clock.instant());
        ledger.enqueue(pending);
        ledger.takeSlot(pending.starting(clock.instant().plus(RebuildService.START_LEASE), clock.instant()), MAX_BUILDS);
        // the invocation that took the slot dies here, before StartBuild

        RebuildReport tooEarly = service.resume();
        clock.advance(RebuildService.START_LEASE.plusSeconds(1));
        RebuildReport afterLease = service.resume();

        assertThat(tooEarly.outcomes()).isEmpty();
        assertThat(afterLease.outcomes()).extracting(RebuildOutcome::line)
                .containsExactly("runtime-java (codebuild runtime-java-image): started runtime-java-image:1");
        Rebuild rebuild = ledger.find(pending.key()).orElseThrow();
        assertThat(rebuild.status()).isEqualTo(RebuildStatus.STARTED);
        assertThat(rebuild.attempts()).isEqualTo(2);
        assertThat(builds.starts()).singleElement()
                .satisfies(s -> assertThat(s.idempotencyToken()).isEqualTo(RebuildService.idempotencyToken(pending.key())));
        assertThat(ledger.inFlightCount()).isEqualTo(1);
    }

    @Test
    void adoptsTheBuildADeadInvocationStartedWhenItIsTakenOverAfterCodeBuildForgotTheToken() {
        Rebuild starting = diedAfterStartBuild("runtime-java", "runtime-java-image");
        // The sweep that takes it over comes after the lease and after CodeBuild's five minutes of the token.
        clock.advance(InMemoryBuildRunner.CODEBUILD_TOKEN_WINDOW.plusSeconds(30));

        RebuildReport sweep = service.resume();

        assertThat(builds.starts()).singleElement().satisfies(s -> assertThat(s.buildId()).isEqualTo("runtime-java-image:1"));
        assertThat(sweep.outcomes()).extracting(RebuildOutcome::line).containsExactly(
                "runtime-java (codebuild runtime-java-image): found runtime-java-image:1, started by an earlier attempt");
        Rebuild rebuild = ledger.find(starting.key()).orElseThrow();
        assertThat(rebuild.status()).isEqualTo(RebuildStatus.STARTED);
        assertThat(rebuild.buildId()).isEqualTo("runtime-java-image:1");
        assertThat(ledger.findByBuildId("runtime-java-image:1")).isPresent();
        assertThat(ledger.inFlightCount()).isEqualTo(1);
    }

    @Test
    void startsTheBuildOnceWhenAStartWhoseAnswerWasLostIsTriedAgainAfterCodeBuildForgotTheToken() {
        builds.givenLostAnswers(1);
        service.onImagePush(push("golden/java21", "latest", GOLDEN));
        clock.advance(InMemoryBuildRunner.CODEBUILD_TOKEN_WINDOW.plusMinutes(1));

        RebuildReport sweep = service.resume();

        assertThat(builds.starts()).hasSize(1);
        assertThat(sweep.outcomes()).extracting(RebuildOutcome::action).containsExactly(Action.STARTED);
        assertThat(ledger.find(key("runtime-java", GOLDEN)).orElseThrow().buildId()).isEqualTo("runtime-java-image:1");
    }

    @Test
    void settlesAnAdoptedBuildThatEndedWhileNobodyKnewItAndGivesItsSlotToTheNextRebuild() {
        GantryConfig oneSlot = ConfigLoader.parse("""
                version: 1
                rebuilds:
                  maxConcurrentBuilds: 1
                baseImages:
                  - name: golden-os
                    repository: golden/os
                    tag: stable
                    dependents:
                      - { name: fleet-01, codebuild: fleet-01, produces: fleet/app-01 }
                      - { name: fleet-02, codebuild: fleet-02, produces: fleet/app-02 }
                """, "gantry.yml");
        RebuildService oneSlotService = new RebuildService(oneSlot, ledger, builds, labels, registry, "111111111111", "eu-west-1", clock);
        Rebuild starting = diedAfterStartBuild("fleet-01", "fleet-01");
        ledger.enqueue(pendingFleet("fleet-02"));
        // Its end event came while the ledger knew no build id for it, so it was ignored.
        builds.finish("fleet-01:1", false);
        clock.advance(InMemoryBuildRunner.CODEBUILD_TOKEN_WINDOW.plusSeconds(30));

        RebuildReport sweep = oneSlotService.resume();

        assertThat(ledger.find(starting.key()).orElseThrow()).satisfies(r -> {
            assertThat(r.status()).isEqualTo(RebuildStatus.FAILED);
            assertThat(r.buildId()).isEqualTo("fleet-01:1");
            assertThat(r.reason()).isEqualTo("the build failed: CodeBuild status FAILED");
        });
        assertThat(builds.starts()).extracting(s -> s.buildId()).containsExactly("fleet-01:1", "fleet-02:1");
        assertThat(sweep.outcomes()).extracting(RebuildOutcome::action).containsExactly(Action.FINISHED, Action.STARTED);
        assertThat(ledger.inFlightCount()).isEqualTo(1);
    }

    @Test
    void failsTheInvocationAndStartsNothingWhenItCannotTellWhetherADeadInvocationStartedTheBuild() {
        Rebuild starting = diedAfterStartBuild("runtime-java", "runtime-java-image");
        clock.advance(InMemoryBuildRunner.CODEBUILD_TOKEN_WINDOW.plusSeconds(30));
        builds.givenLookupFailures(1);

        assertThatThrownBy(service::resume)
                .isInstanceOf(RebuildService.EarlierBuildUnknownException.class)
                .hasMessageStartingWith("could not tell whether an earlier attempt started the build of runtime-java "
                        + "(codebuild runtime-java-image): ")
                .hasMessageContaining("the build service answered 500")
                .hasMessageEndingWith("nothing was started; the start is taken over again once its lease ends at "
                        + clock.instant().plus(RebuildService.START_LEASE));
        assertThat(builds.starts()).hasSize(1);
        assertThat(ledger.find(starting.key()).orElseThrow().status()).isEqualTo(RebuildStatus.STARTING);

        clock.advance(RebuildService.START_LEASE.plusSeconds(1));
        service.resume();

        assertThat(builds.starts()).hasSize(1);
        assertThat(ledger.find(starting.key()).orElseThrow().buildId()).isEqualTo("runtime-java-image:1");
    }

    @Test
    void looksForNoEarlierBuildOnAFirstStart() {
        service.onImagePush(push("golden/os", "stable", OS));

        assertThat(builds.starts()).hasSize(MAX_BUILDS);
        assertThat(builds.lookups()).isZero();
    }

    @Test
    void startsATakenOverPipelineExecutionWithTheSameTokenAsTheDeadAttempt() {
        Rebuild starting = diedAfterStartBuild("checkout-web-image", "checkout-web-release");
        clock.advance(InMemoryBuildRunner.CODEBUILD_TOKEN_WINDOW.plusSeconds(30));

        service.resume();

        assertThat(builds.starts()).singleElement().satisfies(s -> assertThat(s.target().kind()).isEqualTo(BuildTarget.Kind.PIPELINE));
        assertThat(ledger.find(starting.key()).orElseThrow().buildId()).isEqualTo("checkout-web-release:1");
    }

    /**
     * An invocation took the slot and sent the start, which the build service acted on, then died before recording the
     * build: the ledger holds the rebuild STARTING under a lease, and the build runs.
     */
    private Rebuild diedAfterStartBuild(String dependent, String targetName) {
        boolean pipeline = targetName.endsWith("-release");
        String base = dependent.startsWith("fleet-") ? "golden/os" : dependent.equals("runtime-java") ? "golden/java21" : "runtime/java";
        ImageDigest digest = base.equals("golden/os") ? OS : base.equals("golden/java21") ? GOLDEN : RUNTIME;
        Rebuild pending = Rebuild.pending(key(dependent, digest), base, REGISTRY + "/" + base + "@" + digest,
                new BuildTarget(pipeline ? BuildTarget.Kind.PIPELINE : BuildTarget.Kind.CODEBUILD, targetName), "team/" + dependent,
                new RunKey(base, digest, RebuildKey.ON_NEW_BASE), 1, "ECR push " + base + ":latest", clock.instant());
        ledger.enqueue(pending);
        Rebuild starting = pending.starting(clock.instant().plus(RebuildService.START_LEASE), clock.instant());
        ledger.takeSlot(starting, MAX_BUILDS);
        builds.start(starting.target(), Map.of("BASE_IMAGE", starting.baseImage(), "BASE_DIGEST", digest.value()),
                RebuildService.idempotencyToken(starting.key()));
        return starting;
    }

    private Rebuild pendingFleet(String dependent) {
        return Rebuild.pending(key(dependent, OS), "golden/os", REGISTRY + "/golden/os@" + OS,
                new BuildTarget(BuildTarget.Kind.CODEBUILD, dependent), "fleet/app-" + dependent.substring("fleet-".length()),
                new RunKey("golden/os", OS, RebuildKey.ON_NEW_BASE), 1, "ECR push golden/os:stable", clock.instant().plusNanos(1));
    }

    @Test
    void countsADeadInvocationsSlotUntilItIsTakenOver() {
        for (int i = 1; i <= MAX_BUILDS; i++) {
            Rebuild dead = Rebuild.pending(key("fleet-0" + i, OS), "golden/os", REGISTRY + "/golden/os@" + OS,
                    new BuildTarget(BuildTarget.Kind.CODEBUILD, "fleet-0" + i), "fleet/app-0" + i,
                    new RunKey("golden/os", OS, RebuildKey.ON_NEW_BASE), 1, "ECR push", clock.instant());
            ledger.enqueue(dead);
            ledger.takeSlot(dead.starting(clock.instant().plus(RebuildService.START_LEASE), clock.instant()), MAX_BUILDS);
        }

        service.onImagePush(push("golden/os", "stable", OS));

        assertThat(builds.starts()).isEmpty();
        assertThat(ledger.inFlightCount()).isEqualTo(MAX_BUILDS);
    }

    @Test
    void startsNoQueuedRebuildOfAnOlderBaseDigestOnceANewerOneIsPushed() {
        ImageDigest newer = digest("os-3");
        service.onImagePush(push("golden/os", "stable", OS));
        clock.advance(Duration.ofMinutes(1));

        service.onImagePush(push("golden/os", "stable", newer));
        finishEveryBuild();

        assertThat(builds.starts()).filteredOn(s -> s.variables().get("BASE_DIGEST").equals(OS.value()))
                .extracting(s -> s.target().name()).containsExactly("fleet-01", "fleet-02", "fleet-03");
        assertThat(builds.starts()).filteredOn(s -> s.variables().get("BASE_DIGEST").equals(newer.value()))
                .extracting(s -> s.target().name()).doesNotHaveDuplicates().hasSize(FLEET_SIZE);
        assertThat(ledger.find(key("fleet-01", OS)).orElseThrow().status()).isEqualTo(RebuildStatus.SUCCEEDED);
        assertThat(ledger.find(key("fleet-04", OS)).orElseThrow()).satisfies(r -> {
            assertThat(r.status()).isEqualTo(RebuildStatus.SUPERSEDED);
            assertThat(r.buildId()).isNull();
            assertThat(r.reason()).isEqualTo("superseded by the newer base golden/os sha256:" + newer.shortForm() + ": not started");
        });
        assertThat(ledger.all()).filteredOn(r -> r.key().baseDigest().equals(newer))
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(RebuildStatus.SUCCEEDED));
    }

    @Test
    void rebuildsNothingOnAnOlderBaseDigestWhosePushIsHandledAfterItsTagMovedOn() {
        ImageDigest newer = digest("os-3");
        registry.givenTag(REGISTRY + "/golden/os:stable", newer);
        service.onImagePush(push("golden/os", "stable", newer));
        clock.advance(Duration.ofMinutes(1));

        RebuildReport replayed = service.onImagePush(push("golden/os", "stable", OS));

        assertThat(replayed.result()).isEqualTo(Result.IGNORED);
        assertThat(replayed.note()).isEqualTo("golden/os:stable names sha256:" + newer.shortForm() + " now, not the pushed sha256:"
                + OS.shortForm() + ": this push is out of date (delivered late, or replayed), and the dependents are rebuilt on the"
                + " tag's newer image when its own push arrives");
        assertThat(ledger.all()).noneMatch(r -> r.key().baseDigest().equals(OS));
        assertThat(ledger.all()).filteredOn(r -> r.key().baseDigest().equals(newer)).hasSize(FLEET_SIZE)
                .noneMatch(r -> r.status() == RebuildStatus.SUPERSEDED);
    }

    @Test
    void plansAPushWhoseTagIsGoneSinceOnThePushedDigest() {
        RebuildReport report = service.onImagePush(push("golden/os", "stable", OS));

        assertThat(report.result()).isEqualTo(Result.REBUILDING);
        assertThat(registry.lookups()).extracting(ImageReference::render).contains(REGISTRY + "/golden/os:stable");
    }

    @Test
    void failsABasePushWhenTheRegistryCannotSayWhatItsTagNamesNow() {
        ImageRegistry unreachable = image -> {
            throw new ImageRegistry.ImageRegistryException("DescribeImages of golden/os:stable failed: connection refused", null);
        };
        RebuildService blind = new RebuildService(CONFIG, ledger, builds, labels, unreachable, "111111111111", "eu-west-1", clock);

        assertThatThrownBy(() -> blind.onImagePush(push("golden/os", "stable", OS)))
                .isInstanceOf(ImageRegistry.ImageRegistryException.class);
        assertThat(ledger.all()).isEmpty();
        assertThat(builds.starts()).isEmpty();
    }

    @Test
    void tellsTheSupersededRebuildsInTheReportOfTheirOwnRun() {
        ImageDigest newer = digest("os-3");
        service.onImagePush(push("golden/os", "stable", OS));
        clock.advance(Duration.ofMinutes(1));

        RebuildReport report = service.onImagePush(push("golden/os", "stable", newer));

        assertThat(report.run()).isEqualTo(new RunKey("golden/os", newer, RebuildKey.ON_NEW_BASE));
        assertThat(report.outcomes()).hasSize(FLEET_SIZE).allSatisfy(o -> assertThat(o.action()).isEqualTo(Action.QUEUED));
        assertThat(report.otherRuns()).singleElement().satisfies(older -> {
            assertThat(older.run()).isEqualTo(new RunKey("golden/os", OS, RebuildKey.ON_NEW_BASE));
            assertThat(older.root()).isEqualTo(older.run());
            assertThat(older.summary()).isEqualTo("golden/os sha256:" + OS.shortForm() + " -> rebuilding 12 images, wave 1 of 1");
            assertThat(older.outcomes()).hasSize(FLEET_SIZE - MAX_BUILDS).allSatisfy(o -> {
                assertThat(o.action()).isEqualTo(Action.SUPERSEDED);
                assertThat(o.status()).isEqualTo(RebuildStatus.SUPERSEDED);
            });
            assertThat(older.outcomes().get(0).line()).isEqualTo("fleet-04 (codebuild fleet-04): superseded by the newer base "
                    + "golden/os sha256:" + newer.shortForm() + ": not started");
        });
        assertThat(report.lines()).endsWith(report.otherRuns().get(0).lines().toArray(String[]::new));
    }

    @Test
    void tellsARebuildThatAFreedSlotStartsInTheReportOfItsOwnRun() {
        service.onImagePush(push("golden/java21", "latest", GOLDEN));
        service.onImagePush(push("golden/os", "stable", OS));
        builds.finish("runtime-java-image:1");

        RebuildReport report = service.onBuildFinished("runtime-java-image:1", true, null);

        assertThat(report.run()).isEqualTo(new RunKey("golden/java21", GOLDEN, RebuildKey.ON_NEW_BASE));
        assertThat(report.outcomes()).extracting(RebuildOutcome::line)
                .containsExactly("runtime-java (codebuild runtime-java-image): build runtime-java-image:1 succeeded");
        assertThat(report.otherRuns()).singleElement().satisfies(os -> {
            assertThat(os.run()).isEqualTo(new RunKey("golden/os", OS, RebuildKey.ON_NEW_BASE));
            assertThat(os.outcomes()).extracting(RebuildOutcome::line).containsExactly("fleet-03 (codebuild fleet-03): started fleet-03:1");
        });
    }

    @Test
    void supersedesNothingOfTheSameDigestOnAnotherOccasion() {
        registry.givenTag(REGISTRY + "/golden/os:stable", OS);
        service.onImagePush(push("golden/os", "stable", OS));
        clock.advance(Duration.ofMinutes(1));

        RebuildReport scheduled = service.onScheduledRebuild("golden-os", Instant.parse("2026-11-23T03:00:00Z"));

        assertThat(scheduled.otherRuns()).isEmpty();
        assertThat(ledger.all()).filteredOn(r -> r.status() == RebuildStatus.SUPERSEDED).isEmpty();
        assertThat(ledger.all()).filteredOn(r -> r.status() == RebuildStatus.PENDING).hasSize(2 * FLEET_SIZE - MAX_BUILDS);
    }

    @Test
    void leavesAnOlderDigestsRunningBuildToFinishButItsLaterPushContinuesNoCascade() {
        ImageDigest newerGolden = digest("golden-3");
        ImageDigest runtimeOnNewer = digest("runtime-3");
        service.onImagePush(push("golden/java21", "latest", GOLDEN));
        clock.advance(Duration.ofMinutes(1));
        service.onImagePush(push("golden/java21", "latest", newerGolden));
        builtAndPushed("runtime-java-image:2", runtimeOnNewer, newerGolden);

        RebuildReport stalePush = builtAndPushed("runtime-java-image:1", RUNTIME, GOLDEN);

        assertThat(ledger.find(key("runtime-java", GOLDEN)).orElseThrow().status()).isEqualTo(RebuildStatus.SUCCEEDED);
        assertThat(stalePush.result()).isEqualTo(Result.IGNORED);
        assertThat(stalePush.note()).isEqualTo("runtime/java sha256:" + RUNTIME.shortForm() + " was built on golden/java21 sha256:"
                + GOLDEN.shortForm() + ", and runtime-java is rebuilt on the newer sha256:" + newerGolden.shortForm()
                + ": its dependents are rebuilt from that image, not this one");
        assertThat(ledger.find("payments-api-image", RUNTIME)).isEmpty();
        assertThat(builds.starts()).filteredOn(s -> s.target().name().equals("payments-api-image")).singleElement()
                .satisfies(s -> assertThat(s.variables()).containsEntry("BASE_IMAGE", REGISTRY + "/runtime/java@" + runtimeOnNewer));
    }

    @Test
    void tellsTheOlderDigestsRunThatTheImagesBelowItsRebuildWhosePushContinuesNoCascadeAreNotRebuilt() {
        ImageDigest newerGolden = digest("golden-3");
        service.onImagePush(push("golden/java21", "latest", GOLDEN));
        clock.advance(Duration.ofMinutes(1));
        service.onImagePush(push("golden/java21", "latest", newerGolden));

        RebuildReport stalePush = builtAndPushed("runtime-java-image:1", RUNTIME, GOLDEN);

        assertThat(stalePush.run()).isNull();
        assertThat(stalePush.otherRuns()).singleElement().satisfies(older -> {
            assertThat(older.result()).isEqualTo(Result.REBUILDING);
            assertThat(older.root()).isEqualTo(new RunKey("golden/java21", GOLDEN, RebuildKey.ON_NEW_BASE));
            assertThat(older.images()).isEqualTo(3);
            assertThat(older.outcomes()).singleElement().satisfies(o -> {
                assertThat(o.action()).isEqualTo(Action.CASCADE_ENDED);
                assertThat(o.notRebuiltBelow()).isEqualTo(2);
                assertThat(o.notRebuiltBecause()).isEqualTo("their base image is rebuilt on a newer digest of its base");
                assertThat(o.line()).isEqualTo("runtime-java (codebuild runtime-java-image): its image runtime/java sha256:"
                        + RUNTIME.shortForm() + " continues no cascade: their base image is rebuilt on a newer digest of its base");
            });
        });
    }

    @Test
    void tellsNothingMoreOfAReplayedPushWhoseImageContinuedTheCascadeBeforeItsTagMovedOn() {
        service.onImagePush(push("golden/java21", "latest", GOLDEN));
        builtAndPushed("runtime-java-image:1", RUNTIME, GOLDEN);
        registry.givenTag(REGISTRY + "/runtime/java:latest", digest("runtime-3"));

        RebuildReport replayed = service.onImagePush(push("runtime/java", "latest", RUNTIME));

        assertThat(replayed.result()).isEqualTo(Result.IGNORED);
        assertThat(replayed.otherRuns()).isEmpty();
    }

    @Test
    void countsTheImagesBelowASupersededRebuildAsNotRebuiltInItsRunsReport() {
        RebuildService oneSlot = new RebuildService(ConfigLoader.parse(CONFIG_ONE_SLOT, "gantry.yml"), ledger, builds, labels, registry,
                "111111111111", "eu-west-1", clock);
        oneSlot.onImagePush(push("golden/os", "stable", OS));
        oneSlot.onImagePush(push("golden/java21", "latest", GOLDEN));
        clock.advance(Duration.ofMinutes(1));

        RebuildReport newer = oneSlot.onImagePush(push("golden/java21", "latest", digest("golden-3")));

        assertThat(newer.otherRuns()).singleElement().satisfies(older -> assertThat(older.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(RebuildStatus.SUPERSEDED);
            assertThat(o.notRebuiltBelow()).isEqualTo(2);
            assertThat(o.notRebuiltBecause()).isEqualTo("their base image's rebuild was superseded");
        }));
    }

    @Test
    void startsNoPendingRebuildWhoseBaseDigestWasRevokedAfterItWasPlanned() {
        InMemoryRevokedBases revoked = new InMemoryRevokedBases();
        RebuildService revoking = new RebuildService(ConfigLoader.parse(CONFIG_ONE_SLOT, "gantry.yml"), ledger, builds, labels, registry,
                "111111111111", "eu-west-1", clock, revoked, new InMemoryDeployControls(), null);
        revoking.onImagePush(push("golden/os", "stable", OS));
        revoking.onImagePush(push("golden/java21", "latest", GOLDEN));
        revoked.revoke(new RevokedBases.RevokedBase("golden/java21", GOLDEN, "U012ALICE", "CVE-2026-1234", clock.instant()));
        builds.finish("fleet-01:1");

        RebuildReport finished = revoking.onBuildFinished("fleet-01:1", true, null);

        assertThat(builds.starts()).extracting(s -> s.target().name()).containsExactly("fleet-01");
        assertThat(ledger.find(key("runtime-java", GOLDEN)).orElseThrow().status()).isEqualTo(RebuildStatus.BLOCKED);
        assertThat(ledger.inFlightCount()).isZero();
        assertThat(finished.otherRuns()).singleElement().satisfies(java -> assertThat(java.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.action()).isEqualTo(Action.BLOCKED);
            assertThat(o.line()).isEqualTo("runtime-java (codebuild runtime-java-image): not started: its base golden/java21 sha256:"
                    + GOLDEN.shortForm() + ", revoked by U012ALICE: CVE-2026-1234");
            assertThat(o.notRebuiltBelow()).isEqualTo(2);
            assertThat(o.notRebuiltBecause()).isEqualTo("their base image's rebuild was blocked by a revocation");
        }));
    }

    @Test
    void continuesNoCascadeFromAnOlderDigestsPushWhileTheNewerRebuildOfItsImageStillRuns() {
        ImageDigest newerGolden = digest("golden-3");
        ImageDigest runtimeOnNewer = digest("runtime-3");
        service.onImagePush(push("golden/java21", "latest", GOLDEN));
        clock.advance(Duration.ofMinutes(1));
        service.onImagePush(push("golden/java21", "latest", newerGolden));

        RebuildReport earlyStalePush = builtAndPushed("runtime-java-image:1", RUNTIME, GOLDEN);
        RebuildReport newerPush = builtAndPushed("runtime-java-image:2", runtimeOnNewer, newerGolden);

        assertThat(earlyStalePush.result()).isEqualTo(Result.IGNORED);
        assertThat(newerPush.outcomes()).extracting(RebuildOutcome::action).containsExactly(Action.STARTED, Action.STARTED);
        assertThat(builds.starts()).filteredOn(s -> s.target().name().equals("payments-api-image")).singleElement()
                .satisfies(s -> assertThat(s.variables()).containsEntry("BASE_IMAGE", REGISTRY + "/runtime/java@" + runtimeOnNewer));
    }

    @Test
    void startsNoRebuildWhoseDependentHasANewerDigestPlannedEvenWhenItsRecordIsWrittenLast() {
        ImageDigest newerGolden = digest("golden-3");
        service.onImagePush(push("golden/java21", "latest", newerGolden));
        // The older base's plan began first but wrote its record after the newer one's.
        Rebuild late = Rebuild.pending(key("runtime-java", GOLDEN), "golden/java21", REGISTRY + "/golden/java21@" + GOLDEN,
                new BuildTarget(BuildTarget.Kind.CODEBUILD, "runtime-java-image"), "runtime/java",
                new RunKey("golden/java21", GOLDEN, RebuildKey.ON_NEW_BASE), 1, "ECR push golden/java21:latest",
                clock.instant().minusSeconds(30));
        ledger.enqueue(late);

        RebuildReport sweep = service.resume();

        assertThat(builds.starts()).singleElement()
                .satisfies(s -> assertThat(s.variables()).containsEntry("BASE_DIGEST", newerGolden.value()));
        assertThat(sweep.outcomes()).singleElement().satisfies(o -> assertThat(o.action()).isEqualTo(Action.SUPERSEDED));
        assertThat(ledger.find(late.key()).orElseThrow().status()).isEqualTo(RebuildStatus.SUPERSEDED);
        assertThat(ledger.inFlightCount()).isEqualTo(1);
    }

    @Test
    void startsNoTakenOverStartOfAnOlderDigestThatItsDeadInvocationNeverSent() {
        Rebuild pending = Rebuild.pending(key("runtime-java", GOLDEN), "golden/java21", REGISTRY + "/golden/java21@" + GOLDEN,
                new BuildTarget(BuildTarget.Kind.CODEBUILD, "runtime-java-image"), "runtime/java",
                new RunKey("golden/java21", GOLDEN, RebuildKey.ON_NEW_BASE), 1, "ECR push golden/java21:latest", clock.instant());
        ledger.enqueue(pending);
        ledger.takeSlot(pending.starting(clock.instant().plus(RebuildService.START_LEASE), clock.instant()), MAX_BUILDS);
        // the invocation that took the slot dies here, before StartBuild
        clock.advance(Duration.ofSeconds(10));
        ImageDigest newerGolden = digest("golden-3");
        service.onImagePush(push("golden/java21", "latest", newerGolden));
        clock.advance(RebuildService.START_LEASE);

        service.resume();

        assertThat(builds.starts()).singleElement()
                .satisfies(s -> assertThat(s.variables()).containsEntry("BASE_DIGEST", newerGolden.value()));
        assertThat(ledger.find(pending.key()).orElseThrow().status()).isEqualTo(RebuildStatus.SUPERSEDED);
        assertThat(ledger.inFlightCount()).isEqualTo(1);
    }

    @Test
    void rebuildsEachDependentOncePerDigestWithinTheLimitWhenANewerBaseArrivesAmidBuildEnds() throws Exception {
        ImageDigest newer = digest("os-3");
        service.onImagePush(push("golden/os", "stable", OS));
        clock.advance(Duration.ofMinutes(1));
        List<String> firstBuilds = List.copyOf(builds.running());
        int deliveries = 4;
        ExecutorService pool = Executors.newFixedThreadPool(deliveries + firstBuilds.size());
        try {
            CyclicBarrier together = new CyclicBarrier(deliveries + firstBuilds.size());
            List<Future<RebuildReport>> reports = new ArrayList<>();
            for (int i = 0; i < deliveries; i++) {
                reports.add(pool.submit(() -> {
                    together.await(10, TimeUnit.SECONDS);
                    return service.onImagePush(push("golden/os", "stable", newer));
                }));
            }
            for (String buildId : firstBuilds) {
                reports.add(pool.submit(() -> {
                    together.await(10, TimeUnit.SECONDS);
                    builds.finish(buildId);
                    return service.onBuildFinished(buildId, true, null);
                }));
            }
            for (Future<RebuildReport> report : reports) {
                report.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        finishEveryBuild();

        assertThat(ledger.all()).hasSize(2 * FLEET_SIZE);
        assertThat(builds.peakRunning()).isLessThanOrEqualTo(MAX_BUILDS);
        assertThat(builds.starts()).extracting(InMemoryBuildRunner.Start::idempotencyToken).doesNotHaveDuplicates();
        // Each build end may start one older rebuild before the newer base is queued; none starts after.
        assertThat(builds.starts()).filteredOn(s -> s.variables().get("BASE_DIGEST").equals(OS.value()))
                .hasSizeLessThanOrEqualTo(MAX_BUILDS + firstBuilds.size());
        assertThat(ledger.all()).filteredOn(r -> r.key().baseDigest().equals(newer))
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(RebuildStatus.SUCCEEDED));
        assertThat(ledger.all()).filteredOn(r -> r.key().baseDigest().equals(OS)).allSatisfy(r -> assertThat(r.status())
                .isIn(RebuildStatus.SUCCEEDED, RebuildStatus.SUPERSEDED));
        assertThat(ledger.all()).filteredOn(r -> r.status() == RebuildStatus.SUPERSEDED)
                .allSatisfy(r -> assertThat(r.buildId()).isNull());
    }

    /** Plays the build service until nothing runs: each build ends, oldest first, and its end is told. */
    private void finishEveryBuild() {
        for (int events = 0; !builds.running().isEmpty(); events++) {
            assertThat(events).as("build ends told").isLessThan(10 * FLEET_SIZE);
            String buildId = builds.running().stream().sorted().findFirst().orElseThrow();
            builds.finish(buildId);
            service.onBuildFinished(buildId, true, null);
        }
    }

    /**
     * The runtime image's build {@code buildId} pushes {@code image}, labelled as built on golden/java21 {@code builtOn},
     * and then ends. @return the push's report
     */
    private RebuildReport builtAndPushed(String buildId, ImageDigest image, ImageDigest builtOn) {
        labels.givenBuiltOn("runtime/java", image.value(), REGISTRY + "/golden/java21@" + builtOn, builtOn.value());
        builds.finish(buildId);
        RebuildReport pushed = service.onImagePush(push("runtime/java", "latest", image));
        service.onBuildFinished(buildId, true, null);
        return pushed;
    }

    private static ImagePush push(String repository, String tag, ImageDigest digest) {
        return new ImagePush("event-1", "111111111111", "eu-west-1", repository, tag, digest.value(), "PUSH", "SUCCESS",
                Instant.parse("2026-11-23T09:59:00Z"));
    }

    private static RebuildKey key(String dependent, ImageDigest digest) {
        return key(dependent, digest, RebuildKey.ON_NEW_BASE);
    }

    private static RebuildKey key(String dependent, ImageDigest digest, String occasion) {
        return new RebuildKey(dependent, digest, occasion);
    }

    private static ImageDigest digest(String seed) {
        return new ImageDigest("sha256:" + "%064x".formatted(new BigInteger(1, seed.getBytes(StandardCharsets.UTF_8))));
    }
}
