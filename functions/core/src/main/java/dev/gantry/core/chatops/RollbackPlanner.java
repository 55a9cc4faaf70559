package dev.gantry.core.chatops;

import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.RolloutStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Picks what a rollback returns an environment to: the newest release before the one it runs now that moved the
 * service and completed its rollout, and is not vetoed there. A release that rolled back, failed, or whose rollout
 * never finished is passed over, because returning to it could repeat what went wrong.
 *
 * <p>"Runs now" is the newest release Gantry moved the service to and that was not undone ({@link Release#isRunning()});
 * when the newest release rolled back, ECS is already back on an older one, and the rollback goes one further.
 */
public final class RollbackPlanner {

    private RollbackPlanner() {}

    /**
     * @param current what the environment runs; null when Gantry knows of nothing running there
     * @param target what to return to; null when nothing qualifies
     * @param passedOver one line per older release that did not qualify, and why
     */
    public record Plan(Release current, Release target, List<String> passedOver) {
        public Plan {
            passedOver = List.copyOf(passedOver);
        }

        public boolean possible() {
            return target != null;
        }
    }

    /**
     * @param history the environment's releases, newest first ({@link dev.gantry.core.release.ReleaseStore#history})
     * @param vetoed whether a release's digest is vetoed in the environment
     */
    public static Plan plan(List<Release> history, Predicate<Release> vetoed) {
        int currentAt = -1;
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).isRunning()) {
                currentAt = i;
                break;
            }
        }
        if (currentAt < 0) {
            return new Plan(null, null, List.of());
        }
        List<String> passedOver = new ArrayList<>();
        for (Release older : history.subList(currentAt + 1, history.size())) {
            String why = disqualification(older, vetoed);
            if (why == null) {
                return new Plan(history.get(currentAt), older, passedOver);
            }
            passedOver.add(describe(older) + ": " + why);
        }
        return new Plan(history.get(currentAt), null, passedOver);
    }

    /** {@code 1.3.0 (07348c117739)}, or the digest alone when the release had no tag. */
    public static String describe(Release release) {
        return (release.tag() == null ? "" : release.tag() + " ") + "(" + release.key().digest().shortForm() + ")";
    }

    private static String disqualification(Release release, Predicate<Release> vetoed) {
        if (release.status() != ReleaseStatus.SERVICE_UPDATED) {
            return "never moved the service";
        }
        if (release.rolloutStatus() != RolloutStatus.COMPLETED) {
            return switch (release.rolloutStatus()) {
                case ROLLED_BACK -> "rolled back";
                case FAILED -> "its rollout failed";
                case null, default -> "its rollout never completed";
            };
        }
        if (vetoed.test(release)) {
            return "vetoed here";
        }
        return null;
    }
}
