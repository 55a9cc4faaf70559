package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.deploy.DeployControls.Pin;
import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.image.ImageDigest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DeployControls} must do. The in-memory fake and the DynamoDB adapter both extend
 * this, so the fake the core tests rely on cannot drift from the real store.
 */
public abstract class DeployControlsContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00.123456789Z");
    private static final ImageDigest GOOD = digest("good");
    private static final ImageDigest BAD = digest("bad");

    /** Fresh, empty controls for each test. */
    protected abstract DeployControls controls();

    protected static ImageDigest digest(String seed) {
        return new ImageDigest("sha256:" + "%064x".formatted(new java.math.BigInteger(1, seed.getBytes())));
    }

    @Test
    void remembersAVetoWithEverythingItSays() {
        DeployControls controls = controls();
        Veto veto = new Veto("payments-api", "staging", BAD, "ECS rolled back deployment ecs-svc/2: task failed to start", "ecs-rollback", T0);

        controls.veto(veto);

        assertThat(controls.vetoOf("payments-api", "staging", BAD)).contains(veto);
    }

    @Test
    void vetoesADigestInOneEnvironmentOnly() {
        DeployControls controls = controls();

        controls.veto(new Veto("payments-api", "staging", BAD, "rolled back", "ecs-rollback", T0));

        assertThat(controls.vetoOf("payments-api", "prod", BAD)).isEmpty();
        assertThat(controls.vetoOf("checkout-web", "staging", BAD)).isEmpty();
        assertThat(controls.vetoOf("payments-api", "staging", GOOD)).isEmpty();
    }

    @Test
    void replacesTheReasonWhenADigestIsVetoedAgain() {
        DeployControls controls = controls();
        controls.veto(new Veto("payments-api", "staging", BAD, "rolled back", "ecs-rollback", T0));

        controls.veto(new Veto("payments-api", "staging", BAD, "leaks memory", "U0EXAMPLE1", T0.plusSeconds(60)));

        Veto veto = controls.vetoOf("payments-api", "staging", BAD).orElseThrow();
        assertThat(veto.reason()).isEqualTo("leaks memory");
        assertThat(veto.by()).isEqualTo("U0EXAMPLE1");
        assertThat(veto.at()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void liftsAVetoAndLiftingNoneChangesNothing() {
        DeployControls controls = controls();
        controls.veto(new Veto("payments-api", "staging", BAD, "rolled back", "ecs-rollback", T0));
        controls.veto(new Veto("payments-api", "staging", GOOD, "by mistake", "U0EXAMPLE1", T0));

        controls.liftVeto("payments-api", "staging", GOOD);
        controls.liftVeto("payments-api", "staging", GOOD);
        controls.liftVeto("payments-api", "prod", BAD);

        assertThat(controls.vetoOf("payments-api", "staging", GOOD)).isEmpty();
        assertThat(controls.vetoOf("payments-api", "staging", BAD)).isPresent();
    }

    @Test
    void keepsAVetoWithoutAReason() {
        DeployControls controls = controls();

        controls.veto(new Veto("payments-api", "staging", BAD, null, "U0EXAMPLE1", T0));

        assertThat(controls.vetoOf("payments-api", "staging", BAD).orElseThrow().reason()).isNull();
    }

    @Test
    void pinsAnEnvironmentAndAPinLaterReplacesIt() {
        DeployControls controls = controls();
        Pin first = new Pin("payments-api", "prod", GOOD, T0.plusSeconds(3600), "incident 42", "U0EXAMPLE1", T0);
        Pin second = new Pin("payments-api", "prod", BAD, null, "hold for the audit", "U0EXAMPLE2", T0.plusSeconds(60));
        controls.pin(first);

        controls.pin(second);

        assertThat(controls.pinOf("payments-api", "prod")).contains(second);
        assertThat(controls.pinOf("payments-api", "staging")).isEmpty();
    }

    @Test
    void keepsAnExpiredPinButItIsNoLongerActive() {
        DeployControls controls = controls();
        controls.pin(new Pin("payments-api", "prod", GOOD, T0.plusSeconds(3600), "incident 42", "U0EXAMPLE1", T0));

        Pin pin = controls.pinOf("payments-api", "prod").orElseThrow();

        assertThat(pin.until()).isEqualTo(T0.plusSeconds(3600));
        assertThat(pin.activeAt(T0.plusSeconds(3599))).isTrue();
        assertThat(pin.activeAt(T0.plusSeconds(3600))).isFalse();
    }

    @Test
    void unpinsAndUnpinningNothingChangesNothing() {
        DeployControls controls = controls();
        controls.pin(new Pin("payments-api", "prod", GOOD, null, "freeze", "U0EXAMPLE1", T0));

        controls.unpin("payments-api", "prod");
        controls.unpin("payments-api", "prod");

        assertThat(controls.pinOf("payments-api", "prod")).isEmpty();
    }

    @Test
    void keepsVetoesAndPinsApart() {
        DeployControls controls = controls();
        controls.pin(new Pin("payments-api", "staging", GOOD, null, "freeze", "U0EXAMPLE1", T0));
        controls.veto(new Veto("payments-api", "staging", GOOD, "rolled back", "ecs-rollback", T0));

        controls.unpin("payments-api", "staging");

        assertThat(controls.vetoOf("payments-api", "staging", GOOD)).isPresent();
        assertThat(controls.pinOf("payments-api", "staging")).isEmpty();
    }
}
