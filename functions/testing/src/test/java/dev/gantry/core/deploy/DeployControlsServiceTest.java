package dev.gantry.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.deploy.DeployOutcome.Result;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeployControlsServiceTest {

    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String OTHER = "sha256:" + "ab".repeat(32);

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryDeployControls controls = new InMemoryDeployControls();
    private final DeployControlsService operators = new DeployControlsService(Fixtures.exampleConfig(), controls, clock);

    @Test
    void pinsRecordingWhoWhenAndWhy() {
        String said = operators.pin("payments-api", "staging", DIGEST, clock.instant().plus(Duration.ofHours(4)), "incident 42", "U0EXAMPLE1");

        DeployControls.Pin pin = controls.pinOf("payments-api", "staging").orElseThrow();
        assertThat(pin.digest()).isEqualTo(new ImageDigest(DIGEST));
        assertThat(pin.by()).isEqualTo("U0EXAMPLE1");
        assertThat(pin.at()).isEqualTo(clock.instant());
        assertThat(pin.reason()).isEqualTo("incident 42");
        assertThat(said).isEqualTo("payments-api/staging pinned to 07348c117739 until 2026-11-23T14:00:00Z by U0EXAMPLE1");
    }

    @Test
    void vetoesAndLiftsAVeto() {
        operators.veto("payments-api", "staging", DIGEST, "breaks checkout", "U0EXAMPLE2");
        assertThat(controls.vetoOf("payments-api", "staging", new ImageDigest(DIGEST))).isPresent();

        operators.liftVeto("payments-api", "staging", DIGEST);

        assertThat(controls.vetoOf("payments-api", "staging", new ImageDigest(DIGEST))).isEmpty();
    }

    @Test
    void refusesWhatCannotBeRightNamingTheProblem() {
        Instant later = clock.instant().plusSeconds(60);

        assertThatThrownBy(() -> operators.pin("nope", "staging", DIGEST, later, "r", "U1")).hasMessage("no service 'nope' in the configuration");
        assertThatThrownBy(() -> operators.pin("payments-api", "qa", DIGEST, later, "r", "U1"))
                .hasMessage("service 'payments-api' has no environment 'qa'");
        assertThatThrownBy(() -> operators.veto("payments-api", "staging", "sha256:abc", "r", "U1")).hasMessageContaining("64 lower-case hex");
        assertThatThrownBy(() -> operators.veto("payments-api", "staging", DIGEST, " ", "U1")).hasMessage("the reason is required");
        assertThatThrownBy(() -> operators.pin("payments-api", "staging", DIGEST, later, "r", null)).hasMessage("the person deciding is required");
        assertThatThrownBy(() -> operators.pin("payments-api", "staging", DIGEST, clock.instant(), "r", "U1"))
                .hasMessageContaining("would already have expired");
        assertThat(controls.pinOf("payments-api", "staging")).isEmpty();
    }

    @Test
    void holdsPushesWhilePinnedAndDeploysThemOnceUnpinned() {
        InMemoryEcsGateway ecs = new InMemoryEcsGateway();
        EcsServiceRef staging = new EcsServiceRef("111111111111", "eu-west-1", "staging", "payments-api");
        ecs.givenService(staging, "payments-api-staging",
                List.of(new ContainerImage("app", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.3.0")));
        ecs.givenService(new EcsServiceRef("111111111111", "eu-west-1", "prod", "payments-api"), "payments-api-prod",
                List.of(new ContainerImage("app", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.3.0")));
        DeployService deploys = new DeployService(Fixtures.exampleConfig(), ecs, new InMemoryReleaseStore(), controls, clock);
        ImagePush push = new ImagePush("e-1", "111111111111", "eu-west-1", "payments-api", "1.4.0", DIGEST, "PUSH", "SUCCESS", clock.instant());
        operators.pin("payments-api", "staging", OTHER, null, "freeze for audit", "U0EXAMPLE1");

        DeployOutcome held = deploys.onImagePush(push, "inv-1").outcomes().get(0);
        operators.unpin("payments-api", "staging");
        DeployOutcome deployed = deploys.onImagePush(push, "inv-2").outcomes().get(0);

        assertThat(held.result()).isEqualTo(Result.HELD);
        assertThat(held.reason()).contains("pinned to abababababab").contains("U0EXAMPLE1").contains("freeze for audit");
        assertThat(deployed.result()).isEqualTo(Result.DEPLOYED);
    }
}
