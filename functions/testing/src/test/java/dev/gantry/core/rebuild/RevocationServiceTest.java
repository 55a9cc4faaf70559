package dev.gantry.core.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.rebuild.RebuildReport.Result;
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

class RevocationServiceTest {

    private static final String ACCOUNT = "111111111111";
    private static final String REGION = "eu-west-1";
    private static final String REGISTRY = ACCOUNT + ".dkr.ecr." + REGION + ".amazonaws.com";

    /** golden/java21 -> runtime-java (runtime/java) -> payments-api-image (payments-api), which service payments deploys. */
    private static final GantryConfig CONFIG = ConfigLoader.parse("""
            version: 1
            baseImages:
              - name: golden-java21
                repository: golden/java21
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

    private static final ImageDigest GOLDEN_OLD = digest("golden-1");
    private static final ImageDigest GOLDEN_NEW = digest("golden-2");
    private static final ImageDigest RUNTIME_ON_OLD = digest("runtime-1");
    private static final ImageDigest PAYMENTS_ON_OLD = digest("payments-1");
    private static final ImageDigest PAYMENTS_BEFORE = digest("payments-0");
    private static final EcsServiceRef STAGING = new EcsServiceRef(ACCOUNT, REGION, "staging", "payments");
    private static final EcsServiceRef PROD = new EcsServiceRef(ACCOUNT, REGION, "prod", "payments");

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryRebuildLedger ledger = new InMemoryRebuildLedger();
    private final InMemoryBuildRunner builds = new InMemoryBuildRunner();
    private final InMemoryImageLabels labels = new InMemoryImageLabels();
    private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    private final InMemoryRevokedBases revoked = new InMemoryRevokedBases();
    private final InMemoryDeployControls controls = new InMemoryDeployControls();
    private final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    private final RebuildService rebuildService = new RebuildService(CONFIG, ledger, builds, labels, registry, ACCOUNT, REGION,
            clock, revoked, controls, new InMemoryLineageHistory());
    private final RevocationService revocation = new RevocationService(CONFIG, ledger, revoked, controls, ecs, rebuildService, clock);

    /** The chain as it stands before the revocation: an app image on a runtime image on the old golden digest. */
    @BeforeEach
    void givenAChainBuiltOnTheOldGoldenDigest() {
        rebuildService.onImagePush(push("golden/java21", "latest", GOLDEN_OLD));
        labels.givenBuiltOn("runtime/java", RUNTIME_ON_OLD.value(), "golden/java21", GOLDEN_OLD.value());
        rebuildService.onImagePush(push("runtime/java", "latest", RUNTIME_ON_OLD));
        labels.givenBuiltOn("payments-api", PAYMENTS_ON_OLD.value(), "runtime/java", RUNTIME_ON_OLD.value());
        rebuildService.onImagePush(push("payments-api", "v1", PAYMENTS_ON_OLD));
        ecs.givenService(PROD, "payments", List.of(new ContainerImage("app", REGISTRY + "/payments-api@" + PAYMENTS_ON_OLD),
                new ContainerImage("envoy", "public.ecr.aws/envoy:v1.31")));
        registry.givenTag(REGISTRY + "/golden/java21:latest", GOLDEN_NEW);
        clock.advance(Duration.ofHours(1));
    }

    @Test
    void vetoesEveryDescendantInEveryEnvironmentOfItsService() {
        RevocationReport report = revocation.revoke("golden/java21", GOLDEN_OLD.value(), "U012ALICE", "CVE-2026-1234");

        assertThat(report.descendants()).extracting(ImageLineage::repository, ImageLineage::digest)
                .containsExactly(tuple("runtime/java", RUNTIME_ON_OLD),
                        tuple("payments-api", PAYMENTS_ON_OLD));
        for (String environment : List.of("staging", "prod")) {
            assertThat(controls.vetoOf("payments", environment, PAYMENTS_ON_OLD)).get().satisfies(veto -> {
                assertThat(veto.by()).isEqualTo("U012ALICE");
                assertThat(veto.reason()).contains(GOLDEN_OLD.value()).contains("CVE-2026-1234");
                assertThat(veto.at()).isEqualTo(clock.instant());
            });
        }
        assertThat(controls.vetoOf("payments", "prod", PAYMENTS_BEFORE)).isEmpty();
        assertThat(report.vetoes()).extracting(Veto::environment).containsExactly("staging", "prod");
    }

    @Test
    void listsTheEnvironmentsWhoseRunningTaskDefinitionUsesADescendant() {
        ecs.givenService(STAGING, "payments-staging", List.of(new ContainerImage("app", REGISTRY + "/payments-api@" + PAYMENTS_BEFORE)));

        RevocationReport report = revocation.revoke("golden/java21", GOLDEN_OLD.value(), "U012ALICE", "CVE-2026-1234");

        assertThat(report.running()).singleElement().satisfies(running -> {
            assertThat(running.service()).isEqualTo("payments");
            assertThat(running.environment()).isEqualTo("prod");
            assertThat(running.container()).isEqualTo("app");
            assertThat(running.taskDefinitionArn()).isEqualTo(ecs.currentTaskDefinitionArn(PROD));
        });
        assertThat(report.summary()).isEqualTo("golden/java21 sha256:" + GOLDEN_OLD.shortForm()
                + " revoked by U012ALICE: 2 images built on it, 2 new vetoes, 1 environment runs one");
    }

    @Test
    void reportsAnEnvironmentEcsCannotShowAndStillVetoesIt() {
        // staging is not given to ECS: its service cannot be found

        RevocationReport report = revocation.revoke("golden/java21", GOLDEN_OLD.value(), "U012ALICE", "CVE-2026-1234");

        assertThat(report.unreadable()).singleElement().asString().startsWith("payments/staging (staging/payments");
        assertThat(report.running()).extracting(RevocationReport.RunningImage::environment).containsExactly("prod");
        assertThat(controls.vetoOf("payments", "staging", PAYMENTS_ON_OLD)).isPresent();
        assertThat(report.summary()).endsWith(", 1 could not be read");
    }

    @Test
    void rebuildsTheDirectDependentsOnTheNewestBaseOnce() {
        int startsBefore = builds.starts().size();

        RevocationReport first = revocation.revoke("golden/java21", GOLDEN_OLD.value(), "U012ALICE", "CVE-2026-1234");
        revocation.revoke("golden/java21", GOLDEN_OLD.value(), "U012ALICE", "CVE-2026-1234");

        assertThat(builds.starts().subList(startsBefore, builds.starts().size())).singleElement().satisfies(start -> {
            assertThat(start.target().name()).isEqualTo("runtime-java-image");
            assertThat(start.variables()).containsEntry(RebuildService.BASE_DIGEST_VARIABLE, GOLDEN_NEW.value());
        });
        assertThat(first.rebuilds()).singleElement().satisfies(r -> {
            assertThat(r.result()).isEqualTo(Result.REBUILDING);
            assertThat(r.trigger()).isEqualTo("revocation of sha256:" + GOLDEN_OLD.shortForm() + " by U012ALICE: CVE-2026-1234");
        });
    }

    @Test
    void vetoesAChildPushedLaterOnTheRevokedBaseAndRebuildsNothingOnIt() {
        revocation.revoke("golden/java21", GOLDEN_OLD.value(), "U012ALICE", "CVE-2026-1234");
        int startsBefore = builds.starts().size();
        ImageDigest lateRuntime = digest("runtime-late");
        ImageDigest latePayments = digest("payments-late");
        labels.givenBuiltOn("runtime/java", lateRuntime.value(), "golden/java21", GOLDEN_OLD.value());
        labels.givenBuiltOn("payments-api", latePayments.value(), "runtime/java", RUNTIME_ON_OLD.value());

        RebuildReport runtimePush = rebuildService.onImagePush(push("runtime/java", "latest", lateRuntime));
        RebuildReport paymentsPush = rebuildService.onImagePush(push("payments-api", "v2", latePayments));

        assertThat(runtimePush.result()).isEqualTo(Result.IGNORED);
        assertThat(runtimePush.note()).contains("built on revoked base golden/java21 sha256:" + GOLDEN_OLD.shortForm());
        assertThat(builds.starts()).hasSize(startsBefore);
        assertThat(controls.vetoOf("payments", "staging", latePayments)).get()
                .satisfies(veto -> assertThat(veto.reason()).contains(GOLDEN_OLD.value()));
        assertThat(controls.vetoOf("payments", "prod", latePayments)).isPresent();
        assertThat(paymentsPush.note()).endsWith("vetoed for payments/staging, payments/prod");
    }

    @Test
    void revokingTwiceKeepsTheFirstRevocationAndItsVetoes() {
        RevocationReport first = revocation.revoke("golden/java21", GOLDEN_OLD.value(), "U012ALICE", "CVE-2026-1234");
        Veto firstVeto = controls.vetoOf("payments", "prod", PAYMENTS_ON_OLD).orElseThrow();
        clock.advance(Duration.ofMinutes(5));

        RevocationReport second = revocation.revoke("golden/java21", GOLDEN_OLD.value(), "U034BOB", "again");

        assertThat(first.alreadyRevoked()).isFalse();
        assertThat(second.alreadyRevoked()).isTrue();
        assertThat(second.revoked()).isEqualTo(first.revoked());
        assertThat(second.vetoes()).isEmpty();
        assertThat(controls.vetoOf("payments", "prod", PAYMENTS_ON_OLD)).contains(firstVeto);
        assertThat(revoked.list()).hasSize(1);
        assertThat(second.rebuilds()).singleElement().satisfies(r -> assertThat(r.outcomes()).singleElement()
                .satisfies(o -> assertThat(o.action()).isEqualTo(RebuildOutcome.Action.ALREADY_PLANNED)));
        assertThat(second.summary()).startsWith("golden/java21 sha256:" + GOLDEN_OLD.shortForm() + " was already revoked by U012ALICE");
    }

    @Test
    void revokingTheNewestDigestSaysThereIsNothingToRebuildOn() {
        registry.givenTag(REGISTRY + "/golden/java21:latest", GOLDEN_OLD);
        int startsBefore = builds.starts().size();

        RevocationReport report = revocation.revoke("golden/java21", GOLDEN_OLD.value(), "U012ALICE", "CVE-2026-1234");

        assertThat(builds.starts()).hasSize(startsBefore);
        assertThat(report.rebuilds()).singleElement().satisfies(r -> {
            assertThat(r.result()).isEqualTo(Result.IGNORED);
            assertThat(r.note()).isEqualTo("golden/java21 sha256:" + GOLDEN_OLD.shortForm() + " is revoked (by U012ALICE: "
                    + "CVE-2026-1234); nothing is rebuilt on it until a new base is pushed");
        });
    }

    @Test
    void refusesARevocationWithoutAReason() {
        assertThatThrownBy(() -> revocation.revoke("golden/java21", GOLDEN_OLD.value(), "U012ALICE", " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the reason is required");
        assertThat(revoked.list()).isEmpty();
    }

    private static ImagePush push(String repository, String tag, ImageDigest digest) {
        return new ImagePush("event-1", ACCOUNT, REGION, repository, tag, digest.value(), "PUSH", "SUCCESS",
                Instant.parse("2026-11-23T09:59:00Z"));
    }

    private static ImageDigest digest(String seed) {
        return new ImageDigest("sha256:" + "%064x".formatted(new BigInteger(1, seed.getBytes(StandardCharsets.UTF_8))));
    }
}
