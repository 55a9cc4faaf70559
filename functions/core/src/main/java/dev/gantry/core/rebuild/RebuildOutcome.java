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
 * @param notRebuiltBelow how many images of the cascade, built directly or not on this dependent's image, it will not
 *     rebuild because this rebuild left no image to continue it (superseded, blocked or failed, or its image's push
 *     continued no cascade); 0 otherwise
 * @param notRebuiltBecause why those images are not rebuilt, completing "N not rebuilt: ..."; null when none
 */
public record RebuildOutcome(String dependent, BuildTarget target, int wave, Action action, RebuildStatus status,
        String buildId, String detail, int notRebuiltBelow, String notRebuiltBecause) {

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
        SUPERSEDED,
        /** Not started, and never will be: its base digest, or one its base was built on, is revoked. */
        BLOCKED,
        /** Its image was pushed, but continues no cascade; the detail says why. */
        CASCADE_ENDED
    }

    /** What one call did to a rebuild that leaves nothing below it unaccounted for. */
    public RebuildOutcome(String dependent, BuildTarget target, int wave, Action action, RebuildStatus status, String buildId,
            String detail) {
        this(dependent, target, wave, action, status, buildId, detail, 0, null);
    }

    public RebuildOutcome {
        if (notRebuiltBelow < 0 || (notRebuiltBelow > 0) != (notRebuiltBecause != null)) {
            throw new IllegalArgumentException("images not rebuilt below " + dependent + " need a count above 0 and a reason, or neither");
        }
    }

    static RebuildOutcome of(Rebuild rebuild, Action action, String detail) {
        return new RebuildOutcome(rebuild.dependent(), rebuild.target(), rebuild.wave(), action, rebuild.status(),
                rebuild.buildId(), detail);
    }

    /** The same outcome, with {@code count} images below it that the cascade will not rebuild, for {@code because}. */
    RebuildOutcome notRebuildingBelow(int count, String because) {
        return count == 0 ? this : new RebuildOutcome(dependent, target, wave, action, status, buildId, detail, count, because);
    }

    /** One line per dependent: {@code runtime-java (codebuild runtime-java-image): started build runtime-java-image:17}. */
    public String line() {
        String what = dependent + " (" + target.kind().name().toLowerCase() + " " + target.name() + ")";
        return detail == null ? what + ": " + action.name().toLowerCase() : what + ": " + detail;
    }
}
