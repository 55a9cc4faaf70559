package dev.gantry.core.deploy;

import java.util.List;

/**
 * The answer to one image event: either ignored as a whole (with the reason) or an outcome per
 * service environment.
 */
public record DeployReport(String eventId, String image, boolean ignored, String reason, List<DeployOutcome> outcomes) {

    public DeployReport {
        outcomes = List.copyOf(outcomes);
    }

    static DeployReport ignored(String eventId, String reason) {
        return new DeployReport(eventId, null, true, reason, List.of());
    }
}
