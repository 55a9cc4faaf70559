package dev.gantry.core.deploy;

import java.util.List;

/**
 * What the cleanup after a deploy did to old revisions of the task-definition family.
 *
 * @param status how it ended
 * @param family the family cleaned; null when it could not be told
 * @param deregistered revisions deregistered, oldest first (also those done before a failure)
 * @param deferred revisions that could go but were left for a later deploy by the per-deploy limit
 * @param reason why it was skipped or failed; null when it ran
 */
public record RevisionCleanup(Status status, String family, List<String> deregistered, int deferred, String reason) {

    public RevisionCleanup {
        deregistered = List.copyOf(deregistered);
    }

    public enum Status {
        /** Every revision the policy chose was deregistered; possibly none. */
        CLEANED,
        /** Nothing was looked at, e.g. the deployed revision's ARN does not name a family. */
        SKIPPED,
        /** ECS refused or failed a call; the deploy itself is unaffected. */
        FAILED
    }

    /** One line for a deploy report or a log. */
    public String describe() {
        return switch (status) {
            case CLEANED -> deregistered.isEmpty() && deferred == 0
                    ? "no old revision of " + family + " to deregister"
                    : "deregistered " + deregistered.size() + " old revision(s) of " + family
                            + (deferred > 0 ? ", " + deferred + " more left for later deploys" : "");
            case SKIPPED -> "revision cleanup skipped: " + reason;
            case FAILED -> "revision cleanup of " + (family == null ? "the family" : family) + " failed after "
                    + deregistered.size() + " deregistration(s): " + reason;
        };
    }
}
