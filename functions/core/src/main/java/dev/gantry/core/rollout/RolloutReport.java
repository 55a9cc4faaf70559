package dev.gantry.core.rollout;

import java.util.List;

/**
 * The answer to one ECS event: either ignored as a whole (with the reason), or an outcome per release
 * the event concerned.
 */
public record RolloutReport(String eventId, boolean ignored, String reason, List<RolloutOutcome> outcomes) {

    public RolloutReport {
        outcomes = List.copyOf(outcomes);
    }

    static RolloutReport ignored(String eventId, String reason) {
        return new RolloutReport(eventId, true, reason, List.of());
    }
}
