package dev.gantry.core.deploy;

import java.util.List;

/**
 * What happened to one environment of one service for one event.
 *
 * @param service service name
 * @param environment environment name
 * @param result what Gantry did
 * @param reason why, in words
 * @param fromTaskDefinitionArn the revision the service ran; null when not looked at
 * @param toTaskDefinitionArn the revision the service was moved to; null when none
 * @param changes one readable line per changed container
 */
public record DeployOutcome(
        String service,
        String environment,
        Result result,
        String reason,
        String fromTaskDefinitionArn,
        String toTaskDefinitionArn,
        List<String> changes) {

    public DeployOutcome {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }

    public enum Result {
        /** A new revision was registered (or reused) and the service moved to it. */
        DEPLOYED,
        /** Dry run: what a deploy would change; nothing was changed. */
        PLANNED,
        /** The service already runs the digest. */
        UNCHANGED,
        /** The same release was already carried out: this copy of the request adds nothing. */
        DUPLICATE,
        /**
         * Another invocation holds the release and is carrying it out now. Unlike {@link #DUPLICATE} this is not an
         * answer for good: if the holder dies, its lease runs out and the next attempt takes the release over, so
         * whoever must see the release deployed (the gate sweep, a pipeline job) asks again rather than settling on it.
         */
        IN_PROGRESS,
        /** Waiting for a gate, or the environment is pinned to another digest. */
        HELD,
        /** The tag is not a release of this service, or is older than what the environment runs. */
        SKIPPED,
        /** The digest is vetoed for this environment (by an operator, or because it rolled back). */
        REFUSED
    }

    static DeployOutcome of(String service, String environment, Result result, String reason) {
        return new DeployOutcome(service, environment, result, reason, null, null, List.of());
    }
}
