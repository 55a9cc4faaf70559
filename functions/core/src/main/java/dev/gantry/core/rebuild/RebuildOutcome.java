package dev.gantry.core.rebuild;

import dev.gantry.core.rebuild.BuildRunner.BuildTarget;

/**
 * What one call did to one dependent's rebuild, for logs and Slack.
 *
 * @param dependent the dependent's name
 * @param target what rebuilds it
 * @param wave its wave below the cascade's root
 * @param action what this call did
 * @param status the rebuild's status afterwards
 * @param buildId the build, once started
 * @param detail why, as a person reads it
 */
public record RebuildOutcome(String dependent, BuildTarget target, int wave, Action action, RebuildStatus status,
        String buildId, String detail) {

    public enum Action {
        /** The build was started. */
        STARTED,
        /** Queued for a slot; it starts when a build finishes. */
        QUEUED,
        /** A rebuild for this dependent, base digest and occasion exists already; nothing was added. */
        ALREADY_PLANNED,
        /** The build service refused for want of capacity; it stays queued and is tried again later. */
        DEFERRED,
        /** It will not rebuild until someone acts; the detail says why. */
        FAILED,
        /** A finished build was recorded. */
        FINISHED,
        /** Not started, and never will be: its dependent is rebuilt on a newer digest of its base; the detail names it. */
        SUPERSEDED
    }

    static RebuildOutcome of(Rebuild rebuild, Action action, String detail) {
        return new RebuildOutcome(rebuild.dependent(), rebuild.target(), rebuild.wave(), action, rebuild.status(),
                rebuild.buildId(), detail);
    }

    /** One line per dependent: {@code runtime-java (codebuild runtime-java-image): started build runtime-java-image:17}. */
    public String line() {
        String what = dependent + " (" + target.kind().name().toLowerCase() + " " + target.name() + ")";
        return detail == null ? what + ": " + action.name().toLowerCase() : what + ": " + detail;
    }
}
