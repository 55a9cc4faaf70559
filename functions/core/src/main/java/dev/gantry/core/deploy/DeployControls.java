package dev.gantry.core.deploy;

import dev.gantry.core.image.ImageDigest;
import java.time.Instant;
import java.util.Optional;

/**
 * What operators and rollbacks decide about a service environment, which automation must respect:
 * vetoed digests are never deployed there, and a pin holds the environment on one digest.
 *
 * <p>Implementations translate storage failures into {@link dev.gantry.core.release.ReleaseStore.ReleaseStoreException}.
 */
public interface DeployControls {

    /** A digest that must not be deployed to an environment, and why. */
    record Veto(String service, String environment, ImageDigest digest, String reason, String by, Instant at) {}

    /** An environment held on a digest until {@code until} (null: until unpinned). */
    record Pin(String service, String environment, ImageDigest digest, Instant until, String reason, String by, Instant at) {

        public boolean activeAt(Instant now) {
            return until == null || now.isBefore(until);
        }
    }

    /** Vetoes {@code digest} for the environment; vetoing it again replaces the reason. */
    void veto(Veto veto);

    /** Lifts a veto; nothing happens when there is none. */
    void liftVeto(String service, String environment, ImageDigest digest);

    Optional<Veto> vetoOf(String service, String environment, ImageDigest digest);

    /** Pins the environment, replacing any earlier pin. */
    void pin(Pin pin);

    void unpin(String service, String environment);

    /** The pin of the environment, active or expired. */
    Optional<Pin> pinOf(String service, String environment);
}
