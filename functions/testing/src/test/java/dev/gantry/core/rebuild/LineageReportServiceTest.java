package dev.gantry.core.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.rebuild.LineageHistory.BaseVersion;
import dev.gantry.core.rebuild.LineageReport.BaseEntry;
import dev.gantry.core.rebuild.LineageReport.ChildEntry;
import dev.gantry.core.rebuild.RevokedBases.RevokedBase;
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
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LineageReportServiceTest {

    private static final String ACCOUNT = "111111111111";
    private static final String REGION = "eu-west-1";
    private static final String REGISTRY = ACCOUNT + ".dkr.ecr." + REGION + ".amazonaws.com";

    private static final GantryConfig CONFIG = ConfigLoader.parse("""
            version: 1
            baseImages:
              - name: golden-java21
                repository: golden/java21
                dependents:
                  - name: runtime-java
                    codebuild: runtime-java-image
                    produces: runtime/java
                  - name: worker-image
                    codebuild: worker-image
                    produces: worker
                  - name: batch-image
                    codebuild: batch-image
                    produces: batch
              - name: runtime-java
                repository: runtime/java
                dependents:
                  - name: payments-api-image
                    codebuild: payments-api-image
                    produces: payments-api
                  - name: ledger-api-image
                    codebuild: ledger-api-image
                    produces: ledger-api
            services:
              - name: payments
                repository: payments-api
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: staging
                    account: "111111111111"
                    region: eu-west-1
                    cluster: staging
                    service: payments
                  - name: prod
                    account: "111111111111"
                    region: eu-west-1
                    cluster: prod
                    service: payments
            """, "gantry.yml");

    private static final ImageDigest GOLDEN_1 = digest("golden-1");
    private static final ImageDigest GOLDEN_2 = digest("golden-2");
    private static final ImageDigest GOLDEN_3 = digest("golden-3");
    private static final ImageDigest RUNTIME = digest("runtime-3");
    private static final ImageDigest WORKER = digest("worker-3");
    private static final ImageDigest BATCH = digest("batch-1");
    private static final ImageDigest PAYMENTS = digest("payments-1");

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryRebuildLedger ledger = new InMemoryRebuildLedger();
    private final InMemoryImageLabels labels = new InMemoryImageLabels();
    private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    private final InMemoryRevokedBases revoked = new InMemoryRevokedBases();
    private final InMemoryLineageHistory history = new InMemoryLineageHistory();
    private final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    private final RebuildService rebuilds = new RebuildService(CONFIG, ledger, new InMemoryBuildRunner(), labels, registry, ACCOUNT,
            REGION, clock, revoked, new InMemoryDeployControls(), history);
    private final LineageReportService reports = new LineageReportService(CONFIG, history, revoked, registry, ACCOUNT, REGION, ecs);

    /** Three golden versions; batch still on the first, runtime and worker on the third, payments on that runtime. */
    @BeforeEach
    void givenImagesPushedOverThreeGoldenVersions() {
        pushBase("golden/java21", GOLDEN_1);
        pushChild("batch", BATCH, "golden/java21", GOLDEN_1);
        pushBase("golden/java21", GOLDEN_2);
        pushBase("golden/java21", GOLDEN_3);
        pushChild("worker", WORKER, "golden/java21", GOLDEN_3);
        labels.givenBuiltOn("runtime/java", RUNTIME.value(), "golden/java21", GOLDEN_3.value());
        pushBase("runtime/java", RUNTIME);
        pushChild("payments-api", PAYMENTS, "runtime/java", RUNTIME);
        registry.givenTag(REGISTRY + "/golden/java21:latest", GOLDEN_3);
        registry.givenTag(REGISTRY + "/runtime/java:latest", RUNTIME);
    }

    @Test
    void countsHowManyBaseVersionsEachChildIsBehind() {
        BaseEntry golden = reports.report().bases().get(0);

        assertThat(golden.newest()).isEqualTo(GOLDEN_3);
        assertThat(golden.children()).extracting(ChildEntry::dependent, ChildEntry::baseDigest, ChildEntry::behind)
                .containsExactly(
                        tuple("runtime-java", GOLDEN_3, 0),
                        tuple("worker-image", GOLDEN_3, 0),
                        tuple("batch-image", GOLDEN_1, 2));
        assertThat(golden.summary()).isEqualTo("golden/java21 sha256:" + GOLDEN_3.shortForm() + " -> 3 images: 2 current, 1 behind by 2");
    }

    @Test
    void flagsChildrenOnARevokedBase() {
        revoked.revoke(new RevokedBase("golden/java21", GOLDEN_1, "U012ALICE", "CVE-2026-1234", clock.instant()));

        BaseEntry golden = reports.report().bases().get(0);

        assertThat(golden.children()).extracting(ChildEntry::dependent, ChildEntry::baseRevoked).containsExactly(
                tuple("runtime-java", false),
                tuple("worker-image", false),
                tuple("batch-image", true));
        assertThat(golden.summary()).endsWith("1 behind by 2, 1 on a revoked base");
        assertThat(golden.lines().get(3)).isEqualTo("batch-image: batch sha256:" + BATCH.shortForm() + " on sha256:"
                + GOLDEN_1.shortForm() + ", behind by 2, base revoked");
    }

    @Test
    void listsTheEnvironmentsRunningEachChildsNewestImage() {
        ecs.givenService(new EcsServiceRef(ACCOUNT, REGION, "prod", "payments"), "payments",
                List.of(new ContainerImage("app", REGISTRY + "/payments-api@" + PAYMENTS)));
        ecs.givenService(new EcsServiceRef(ACCOUNT, REGION, "staging", "payments"), "payments-staging",
                List.of(new ContainerImage("app", REGISTRY + "/payments-api@" + digest("payments-0"))));

        BaseEntry runtime = reports.report().bases().get(1);

        assertThat(runtime.children().get(0).runningIn()).containsExactly("payments/prod");
        assertThat(runtime.children().get(1).image()).isNull();
        assertThat(runtime.summary()).isEqualTo("runtime/java sha256:" + RUNTIME.shortForm() + " -> 2 images: 1 current, 1 unknown");
        assertThat(runtime.lines()).containsExactly(runtime.summary(),
                "payments-api-image: payments-api sha256:" + PAYMENTS.shortForm() + " on sha256:" + RUNTIME.shortForm()
                        + ", current; runs in payments/prod",
                "ledger-api-image: no image of ledger-api with a known base yet");
    }

    @Test
    void countsANewestDigestNotYetSeenAsOneMoreVersion() {
        List<BaseVersion> seen = List.of(new BaseVersion("b", GOLDEN_1, clock.instant()), new BaseVersion("b", GOLDEN_2, clock.instant()));

        assertThat(LineageReportService.behind(GOLDEN_1, GOLDEN_3, seen)).isEqualTo(2);
        assertThat(LineageReportService.behind(GOLDEN_2, GOLDEN_2, seen)).isZero();
        assertThat(LineageReportService.behind(digest("never-seen"), GOLDEN_2, seen)).isNull();
    }

    private void pushBase(String repository, ImageDigest digest) {
        rebuilds.onImagePush(push(repository, "latest", digest));
        clock.advance(Duration.ofDays(1));
    }

    private void pushChild(String repository, ImageDigest digest, String baseRepository, ImageDigest baseDigest) {
        labels.givenBuiltOn(repository, digest.value(), baseRepository, baseDigest.value());
        rebuilds.onImagePush(push(repository, null, digest));
        clock.advance(Duration.ofHours(1));
    }

    private static ImagePush push(String repository, String tag, ImageDigest digest) {
        return new ImagePush("event-1", ACCOUNT, REGION, repository, tag, digest.value(), "PUSH", "SUCCESS",
                Instant.parse("2026-11-23T09:59:00Z"));
    }

    private static ImageDigest digest(String seed) {
        return new ImageDigest("sha256:" + "%064x".formatted(new BigInteger(1, seed.getBytes(StandardCharsets.UTF_8))));
    }
}
