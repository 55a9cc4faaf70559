package dev.gantry.core.deploy;

import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.image.ImageDigest;
import java.time.Clock;
import java.time.Instant;

/**
 * What an operator decides about an environment: pin it to a digest (until a time, or until unpinned),
 * veto a digest there, and undo either. Every decision records who made it, when, and why; automation
 * reads them through {@link DeployControls} and says so when it holds or refuses a release.
 *
 * <p>Errors: {@link IllegalArgumentException} naming the problem: an unknown service or environment, a
 * malformed digest, a missing reason or person, or a pin that would already have expired.
 */
public final class DeployControlsService {

    private final GantryConfig config;
    private final DeployControls controls;
    private final Clock clock;

    public DeployControlsService(GantryConfig config, DeployControls controls, Clock clock) {
        this.config = config;
        this.controls = controls;
        this.clock = clock;
    }

    /**
     * Holds the environment on {@code digest}: other digests are HELD there until {@code until} (null: until
     * unpinned). Replaces an earlier pin.
     */
    public String pin(String service, String environment, String digest, Instant until, String reason, String by) {
        requireEnvironment(service, environment);
        ImageDigest pinned = ImageDigest.parse(digest);
        Instant now = clock.instant();
        if (until != null && !until.isAfter(now)) {
            throw new IllegalArgumentException("a pin until " + until + " would already have expired (it is " + now + ")");
        }
        controls.pin(new DeployControls.Pin(service, environment, pinned, until, required(reason, "reason"), required(by, "person deciding"), now));
        return service + "/" + environment + " pinned to " + pinned.shortForm() + (until == null ? "" : " until " + until) + " by " + by;
    }

    public String unpin(String service, String environment) {
        requireEnvironment(service, environment);
        controls.unpin(service, environment);
        return service + "/" + environment + " unpinned";
    }

    /** Refuses {@code digest} in the environment from now on; vetoing it again replaces the reason. */
    public String veto(String service, String environment, String digest, String reason, String by) {
        requireEnvironment(service, environment);
        ImageDigest vetoed = ImageDigest.parse(digest);
        controls.veto(new DeployControls.Veto(service, environment, vetoed, required(reason, "reason"), required(by, "person deciding"), clock.instant()));
        return vetoed.shortForm() + " vetoed for " + service + "/" + environment + " by " + by;
    }

    public String liftVeto(String service, String environment, String digest) {
        requireEnvironment(service, environment);
        ImageDigest lifted = ImageDigest.parse(digest);
        controls.liftVeto(service, environment, lifted);
        return "veto of " + lifted.shortForm() + " for " + service + "/" + environment + " lifted";
    }

    private void requireEnvironment(String service, String environment) {
        ServiceConfig configured = config.services().stream()
                .filter(s -> s.name().equals(service))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service '" + service + "' in the configuration"));
        if (configured.environments().stream().noneMatch(e -> e.name().equals(environment))) {
            throw new IllegalArgumentException("service '" + service + "' has no environment '" + environment + "'");
        }
    }

    private static String required(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the " + what + " is required");
        }
        return value;
    }
}
